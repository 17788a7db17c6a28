/**
 * Imports a TS policy with jiti and returns its default export (or an export
 * named `policy`) as plain data. Everything here is the I/O edge: the value
 * is validated by the caller.
 */
import { createJiti } from 'jiti';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import { displayPath } from './entry.ts';
import { describeCycle, findCycle, scanImportGraph } from './import-graph.ts';
import { moduleErrorToDiagnostic } from './module-errors.ts';
import { aliasesFor } from './self-package.ts';

export interface TsModuleResult {
  value?: unknown;
  diagnostics: Diagnostic[];
  files: string[];
}

// fsCache keeps transpiled files between runs, which is what makes a clean load fast. The module
// cache is shared with whoever loaded us, so zod and the model are evaluated once per process.
// Two loaders: one resolving `switchyard` as Node does, one aliasing it to this package (self-package.ts).
type Jiti = ReturnType<typeof createJiti>;
const loaders: { plain?: Jiti; aliased?: Jiti } = {};
const getJiti = (alias: Record<string, string> | null): Jiti =>
  alias === null
    ? (loaders.plain ??= createJiti(import.meta.url, { fsCache: true, moduleCache: true, interopDefault: false }))
    : (loaders.aliased ??= createJiti(import.meta.url, { fsCache: true, moduleCache: true, interopDefault: false, alias }));

/** Policy files are evaluated afresh on every load, so a long-lived process (tests, watch mode) sees edits. */
function forget(jiti: Jiti, files: readonly string[]): void {
  const cache = jiti.cache;
  for (const f of files) delete cache[f];
}

export async function loadTsModule(entry: string): Promise<TsModuleResult> {
  const graph = scanImportGraph(entry);
  const files = graph.files;

  const cycle = findCycle(graph);
  if (cycle) {
    const closing = cycle[cycle.length - 1]!;
    return {
      files,
      diagnostics: [
        diagnostic('error', 'import-cycle', `Policy files import each other in a cycle: ${describeCycle(cycle, entry)}.`, '', {
          source: { file: displayPath(closing.from), line: closing.line, column: closing.column },
          hint: 'Move what both files need into a third file that imports neither.',
        }),
      ],
    };
  }

  let mod: Record<string, unknown>;
  try {
    const jiti = getJiti(aliasesFor(entry));
    forget(jiti, files);
    mod = await jiti.import<Record<string, unknown>>(entry);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const missing = [...graph.edges.values()].flat().find((e) => !e.to && message.includes(e.specifier));
    if (missing)
      return {
        files,
        diagnostics: [
          diagnostic('error', 'import-not-found', `Cannot find the imported policy file ${JSON.stringify(missing.specifier)}.`, '', {
            source: { file: displayPath(missing.from), line: missing.line, column: missing.column },
          }),
        ],
      };
    return { files, diagnostics: [moduleErrorToDiagnostic(err, files, entry)] };
  }

  let value = mod.default !== undefined ? mod.default : mod.policy;
  if (value === undefined)
    return {
      files,
      diagnostics: [
        diagnostic('error', 'missing-default-export', `${displayPath(entry)} has no default export and no export named \`policy\`.`, '', {
          source: { file: displayPath(entry), line: 1, column: 1 },
          hint: 'End the file with `export default definePolicy({ ... })`.',
        }),
      ],
    };
  try {
    value = await value; // a policy module may export a promise of the policy
  } catch (err) {
    return { files, diagnostics: [moduleErrorToDiagnostic(err, files, entry)] };
  }
  return { value, files, diagnostics: [] };
}
