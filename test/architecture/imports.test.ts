/**
 * The import rules of DESIGN.md, edge by edge. Each layer (a folder under
 * src/, or a top-level file) lists what it may import; a failure names the
 * offending edge. Type-only imports are allowed more widely than value
 * imports, because they vanish at run time: the runtime may name plan types
 * without loading the compiler.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf as scan } from '../fixtures/imports.ts';
import { REPO } from '../fixtures/workspace.ts';

const SRC = join(REPO, 'src');

interface Import {
  /** Repo-relative path of the imported file, or the package name. */
  target: string;
  typeOnly: boolean;
  local: boolean;
}

/** Imports of a TS file with the imported file resolved (repo-relative) or the package named; Node built-ins left out. */
function importsOf(file: string): Import[] {
  return scan(file)
    .filter((s) => !s.specifier.startsWith('node:'))
    .map((s) =>
      s.specifier.startsWith('.')
        ? { target: relative(REPO, resolve(dirname(file), s.specifier)), typeOnly: s.typeOnly, local: true }
        : {
            target: s.specifier
              .split('/')
              .slice(0, s.specifier.startsWith('@') ? 2 : 1)
              .join('/'),
            typeOnly: s.typeOnly,
            local: false,
          },
    );
}

/** `src/plan/read.ts` -> `plan`; `src/errors.ts` -> `errors`. */
const layerOf = (repoPath: string): string => repoPath.split('/')[1]!.replace(/\.ts$/, '');

interface Rule {
  /** Layers (or single files, `plan/types.ts`) whose values this layer may import. */
  values: readonly string[];
  /** Further layers or files it may import types from. */
  types?: readonly string[];
  /** npm packages it may import. */
  packages?: readonly string[];
}

/** zod-free modules of the policy language that import nothing: any layer may use them. */
const LEAVES = ['model/closed-sets.ts', 'model/duration.ts'];
const PLAN_TYPES = ['plan/types.ts', 'diagnostics/diagnostic.ts', 'diagnostics/path.ts', ...LEAVES];
/** What the runtime may load to run from plan.json alone (plan/types.ts holds a few constants of the plan format beside its types, and imports types only). */
const PLAN_READER = ['plan/read.ts', 'plan/hash.ts', 'plan/canonical-json.ts', 'plan/types.ts', 'plan/pricing.ts', ...LEAVES];
const SERVING = ['runtime', 'publish', 'observability', 'secrets', 'net', 'request-log', 'errors', ...PLAN_READER];

/** DESIGN.md "Imports point one way", one row per layer. */
const RULES: Record<string, Rule> = {
  cli: { values: ['*'], packages: ['*'] },
  index: { values: ['model'] },
  errors: { values: [] },
  model: { values: ['model'], packages: ['zod', 'zod-to-json-schema'] },
  diagnostics: { values: LEAVES },
  capacity: { values: LEAVES },
  plan: { values: ['model', 'capacity', 'diagnostics', 'errors'] },
  load: { values: ['model', 'plan', 'diagnostics', 'errors', 'fs'], packages: ['jiti', 'ts-morph', 'yaml', 'ajv', 'zod'] },
  observability: { values: ['plan', 'escape', ...LEAVES], types: ['diagnostics'] },
  targets: { values: ['plan', 'observability', 'capacity', 'diagnostics', 'escape', ...LEAVES], packages: ['yaml', 'handlebars'] },
  diff: { values: ['plan', 'diagnostics', 'errors', 'simulate', 'escape', ...LEAVES], types: ['risk'], packages: ['diff', 'tar'] },
  risk: { values: ['plan', 'diagnostics', 'rego', 'errors', 'fs'], types: ['diff', 'simulate'], packages: ['@open-policy-agent/opa-wasm', 'tar', 'yaml'] },
  // The importer inverts the LiteLLM emitter and checks its result with the loader's validation and the compiler.
  import: { values: ['model', 'load', 'plan', 'targets', 'capacity', 'diagnostics', 'errors', 'fs', 'escape', ...LEAVES], packages: ['yaml'] },
  gate: { values: ['observability', 'errors', 'net'], types: ['plan'] },
  rego: { values: [], packages: ['yaml', 'ajv'] },
  runtime: { values: PLAN_READER, types: PLAN_TYPES, packages: ['ioredis'] },
  publish: { values: ['plan', 'errors', 'fs', 'net', 'load/write.ts'], packages: ['ioredis', 'tar'] },
  net: { values: ['errors', 'diagnostics/secret-text.ts'] },
  fs: { values: ['errors'] },
  escape: { values: [] },
  secrets: { values: ['errors', 'net'] },
  'request-log': { values: ['errors', 'observability'], types: PLAN_TYPES, packages: ['pg', '@electric-sql/pglite'] },
  simulate: { values: ['runtime', 'capacity', 'observability', 'errors', 'diagnostics', 'plan', 'escape', ...LEAVES], types: PLAN_TYPES },
  // The gateway's baseline cost counter prices at the deployment the analytics SQL does (plan/baseline.ts: pure, plan types only).
  gateway: { values: [...SERVING, 'plan/baseline.ts'], types: PLAN_TYPES, packages: ['ioredis', 'undici', 'prom-client', 'pg', '@electric-sql/pglite'] },
  batch: { values: SERVING, types: PLAN_TYPES, packages: ['openai', 'prom-client'] },
};

/** Emitters may share code only through these modules of src/targets. */
const SHARED_TARGET_MODULES = new Set(['target', 'paths', 'markdown']);

const allows = (list: readonly string[], target: string): boolean =>
  list.includes('*') || list.some((entry) => (entry.endsWith('.ts') ? target === `src/${entry}` : layerOf(target) === entry));

/** Every edge that breaks a rule, as `from -> to (why)`. */
function ruleViolations(files: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = relative(REPO, file);
    const layer = layerOf(from);
    const rule = RULES[layer];
    if (!rule) {
      problems.push(`${from}: layer "${layer}" has no import rule (add it to RULES in this test and to the README's Contributing section)`);
      continue;
    }
    for (const imp of importsOf(file)) {
      if (!imp.local) {
        if (!(rule.packages ?? []).some((p) => p === '*' || p === imp.target)) problems.push(`${from} -> package ${imp.target}`);
        continue;
      }
      if (layerOf(imp.target) === layer) {
        if (layer === 'targets') problems.push(...targetIsolation(from, imp.target));
        continue;
      }
      const ok = allows(rule.values, imp.target) || (imp.typeOnly && allows(rule.types ?? [], imp.target));
      if (!ok) problems.push(`${from} -> ${imp.target}${imp.typeOnly ? ' (types)' : ''}`);
    }
  }
  return problems;
}

/** `src/targets/litellm/router.ts` -> `litellm`; emitters are the file and the folder of one name. */
const targetUnit = (p: string): string => p.split('/')[2]!.replace(/\.ts$/, '');

function targetIsolation(from: string, to: string): string[] {
  const a = targetUnit(from);
  const b = targetUnit(to);
  if (a === b || a === 'index' || SHARED_TARGET_MODULES.has(b)) return [];
  return [`${from} -> ${to} (targets import each other only through ${[...SHARED_TARGET_MODULES].join(', ')})`];
}

/** Files reached from `roots` through value imports. */
function valueClosure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of importsOf(file)) if (imp.local && !imp.typeOnly) queue.push(join(REPO, imp.target));
  }
  return seen;
}

/** File-level cycles of value imports (Tarjan's strongly connected components of more than one file). */
function valueCycles(files: readonly string[]): string[][] {
  const edges = new Map(
    files.map((f) => [
      f,
      importsOf(f)
        .filter((i) => i.local && !i.typeOnly)
        .map((i) => join(REPO, i.target)),
    ]),
  );
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(REPO, w));
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const f of edges.keys()) if (!index.has(f)) visit(f);
  return out;
}

const ALL = filesUnder(SRC);

describe('import rules (DESIGN.md)', () => {
  it('every import follows its layer rule', () => {
    expect(ALL.length).toBeGreaterThan(100);
    expect(ruleViolations(ALL)).toEqual([]);
    // The leaves every layer may use import nothing, so they widen no one's graph.
    for (const leaf of LEAVES) expect(importsOf(join(SRC, leaf))).toEqual([]);
  });

  it('the runtime loads only itself and the plan reader: no compiler, zod, ts-morph or loader', () => {
    const reached = [...valueClosure(filesUnder(join(SRC, 'runtime')))].map((f) => relative(REPO, f));
    const outside = reached.filter((f) => !f.startsWith('src/runtime/') && !PLAN_READER.some((p) => f === `src/${p}`));
    expect(outside).toEqual([]);
    expect(reached).toEqual(expect.arrayContaining(['src/runtime/router.ts', 'src/runtime/stores/redis.ts']));
  });

  it('the serving side (gateway, batch, simulate) never reaches the loader or the compiler', () => {
    const roots = ['gateway', 'batch', 'simulate'].flatMap((d) => {
      try {
        return filesUnder(join(SRC, d));
      } catch {
        return [];
      }
    });
    const forbidden = [...valueClosure(roots)]
      .map((f) => relative(REPO, f))
      .filter(
        (f) =>
          (f.startsWith('src/load/') && f !== 'src/load/write.ts') ||
          f === 'src/plan/compile.ts' ||
          f.startsWith('src/plan/normalize/') ||
          (f.startsWith('src/model/') && !LEAVES.some((l) => f === `src/${l}`)),
      );
    expect(forbidden).toEqual([]);
  });

  it('no two files import each other, directly or around a loop', () => {
    expect(valueCycles(ALL)).toEqual([]);
  });

  describe('the checks can fail', () => {
    const fixture = (rel: string) => join(REPO, rel);
    it('names an edge that breaks a layer rule', () => {
      // gate/evaluate.ts imports observability (allowed); the same edge from the runtime is not.
      expect(RULES.runtime!.values).not.toContain('observability');
      expect(allows(RULES.gate!.values, 'src/observability/readiness.ts')).toBe(true);
      expect(allows(RULES.runtime!.values, 'src/observability/readiness.ts')).toBe(false);
      expect(allows(RULES.runtime!.types!, 'src/plan/types.ts')).toBe(true);
    });
    it('names a target importing another target', () => {
      expect(targetIsolation('src/targets/docs.ts', 'src/targets/grafana.ts')).toEqual([
        'src/targets/docs.ts -> src/targets/grafana.ts (targets import each other only through target, paths, markdown)',
      ]);
      expect(targetIsolation('src/targets/litellm.ts', 'src/targets/litellm/router.ts')).toEqual([]);
      expect(targetIsolation('src/targets/docs.ts', 'src/targets/paths.ts')).toEqual([]);
    });
    it('finds a cycle and tells value imports from type-only ones', () => {
      const imports = importsOf(fixture('src/plan/compile.ts'));
      expect(imports).toContainEqual({ target: 'src/plan/normalize/index.ts', typeOnly: false, local: true });
      expect(imports).toContainEqual({ target: 'src/model/policy.ts', typeOnly: true, local: true });
      const dir = mkdtempSync(join(tmpdir(), 'imports-'));
      try {
        const a = join(dir, 'a.ts');
        const b = join(dir, 'b.ts');
        const c = join(dir, 'c.ts');
        writeFileSync(a, "import { b } from './b.ts';\nexport const a = 1;\n");
        writeFileSync(b, "import { c } from './c.ts';\nexport const b = 2;\n");
        writeFileSync(c, "import { a } from './a.ts';\nexport const c = 3;\n");
        expect(valueCycles([a, b, c]).map((cycle) => cycle.map((f) => f.split('/').pop()))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
        // A type-only edge back is erased at run time: no cycle.
        writeFileSync(c, "import type { A } from './a.ts';\nexport const c = 3;\n");
        expect(valueCycles([a, b, c])).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
