/**
 * The local import graph of a TS policy, scanned with a regex over import
 * specifiers. It is cheap enough for every load (no parser) and gives us two
 * things jiti cannot: the list of policy files, and import cycles, which
 * under jiti's CommonJS interop would otherwise surface as `undefined` values
 * far from their cause.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

export interface ImportEdge {
  from: string;
  /** Absolute path of the imported file; undefined when the specifier resolves to nothing. */
  to: string | undefined;
  specifier: string;
  line: number;
  column: number;
}

export interface ImportGraph {
  entry: string;
  /** Every local file reached from the entry, absolute, sorted. */
  files: string[];
  edges: Map<string, ImportEdge[]>;
}

// Statement-initial `import`/`export` only, so quoted text such as 'from "x"' inside strings is not taken for an import.
// `import type` is skipped: it is erased before run time and cannot form a cycle.
const IMPORT_RE = /^[ \t]*(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s*)?(['"])([^'"\n]+)\1/gm;

/** Relative specifiers in a module's text, with the offset of each specifier's opening quote. */
export function localSpecifiers(text: string): { specifier: string; offset: number }[] {
  const out: { specifier: string; offset: number }[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const specifier = m[2]!;
    if (specifier.startsWith('./') || specifier.startsWith('../')) out.push({ specifier, offset: m.index! + m[0].length - specifier.length - 2 });
  }
  return out;
}

/** Resolves like jiti does for our policies: exact file, `.js` written for `.ts`, or an added extension. */
export function resolveSpecifier(fromFile: string, specifier: string, exists: (p: string) => boolean = existsSync): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, `${base}.mts`, resolve(base, 'index.ts')];
  return candidates.find((c) => /\.m?ts$/.test(c) && exists(c));
}

export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function scanImportGraph(entry: string, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): ImportGraph {
  const edges = new Map<string, ImportEdge[]>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    if (edges.has(file)) continue;
    let text: string;
    try {
      text = read(file);
    } catch {
      edges.set(file, []);
      continue;
    }
    const out = localSpecifiers(text).map(({ specifier, offset }) => {
      const to = resolveSpecifier(file, specifier);
      return { from: file, to, specifier, ...lineColumnAt(text, offset) };
    });
    edges.set(file, out);
    for (const e of out) if (e.to && !edges.has(e.to)) queue.push(e.to);
  }
  return { entry, files: [...edges.keys()].sort(), edges };
}

/** The first cycle in source order, as the chain of edges that forms it; undefined for an acyclic graph. */
export function findCycle(graph: ImportGraph): ImportEdge[] | undefined {
  const done = new Set<string>();
  const stack: ImportEdge[] = [];
  const onStack = new Set<string>([graph.entry]);
  const visit = (file: string): ImportEdge[] | undefined => {
    for (const edge of graph.edges.get(file) ?? []) {
      if (!edge.to || done.has(edge.to)) continue;
      if (onStack.has(edge.to)) {
        const start = stack.findIndex((e) => e.from === edge.to);
        return [...(start === -1 ? stack : stack.slice(start)), edge];
      }
      stack.push(edge);
      onStack.add(edge.to);
      const found = visit(edge.to);
      if (found) return found;
      onStack.delete(edge.to);
      stack.pop();
    }
    done.add(file);
    return undefined;
  };
  return visit(graph.entry);
}

/** `a.ts -> b.ts -> a.ts`, relative to the entry's directory so the names are short. */
export function describeCycle(cycle: readonly ImportEdge[], entry: string): string {
  const dir = dirname(entry);
  const name = (f: string) => relative(dir, f).split('\\').join('/');
  return [name(cycle[0]!.from), ...cycle.map((e) => name(e.to!))].join(' -> ');
}
