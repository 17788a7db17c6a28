/**
 * The loader: a policy entry (directory, TS, YAML or JSON file) in, a
 * validated Policy or located Diagnostics out. ts-morph is only imported on
 * the error path or when asked to locate a path, so a clean load stays fast.
 */
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.ts';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { parsePath } from '../diagnostics/path.ts';
import type { Policy } from '../model/policy.ts';
import { displayPath, resolveEntry } from './entry.ts';
import { loadTsModule } from './load-ts.ts';
import { resolveModelConfigs } from './model-configs.ts';
import type { TsSourceMapper } from './ts-source-map.ts';
import { validatePolicy } from './validate.ts';

export { UNREADABLE_CODES } from './entry.ts';
export { typecheckPolicies } from './typecheck.ts';
export { validatePolicy } from './validate.ts';

export interface LoadResult {
  /** Present only when there are no error diagnostics. */
  policy?: Policy;
  /** Every Diagnostic has a source whenever it can be located. */
  diagnostics: Diagnostic[];
  /** Absolute paths of the policy source files that were loaded (entry and its local imports), sorted. */
  files: string[];
  /** Where a policy path is written, for semantic-check and risk-rule diagnostics. */
  locate(path: Path | string): Promise<SourceLocation | undefined>;
}

const nowhere = async (): Promise<undefined> => undefined;
/** A path text that formatPath could not have produced locates nowhere rather than throwing at the caller. */
function toPath(path: Path | string): Path | undefined {
  if (typeof path !== 'string') return path;
  try {
    return parsePath(path);
  } catch {
    return undefined;
  }
}

export async function loadPolicy(entry: string): Promise<LoadResult> {
  const resolved = resolveEntry(entry);
  if ('diagnostic' in resolved) return { diagnostics: [resolved.diagnostic], files: [], locate: nowhere };
  const { file, kind } = resolved;

  if (kind !== 'ts') {
    // yaml and ajv are only needed here; a dynamic import keeps them off the TS path.
    const { loadDataPolicy } = await import('./load-yaml.ts');
    const result = loadDataPolicy(file, kind);
    const locate = result.locate;
    return withModelConfigs(file, {
      ...(result.policy ? { policy: result.policy } : {}),
      diagnostics: result.diagnostics,
      files: [file],
      locate: locate
        ? async (path) => {
            const p = toPath(path);
            return p && locate(p);
          }
        : nowhere,
    });
  }

  const mod = await loadTsModule(file);
  if (mod.diagnostics.length > 0) return { diagnostics: mod.diagnostics, files: mod.files, locate: nowhere };

  let mapper: Promise<TsSourceMapper> | undefined;
  const getMapper = () => (mapper ??= import('./ts-source-map.ts').then((m) => new m.TsSourceMapper(file)));
  const locate = async (path: Path | string) => {
    const p = toPath(path);
    return p && (await getMapper()).locate(p);
  };

  const { policy, diagnostics } = validatePolicy(mod.value);
  if (!policy) {
    const fallback = { file: displayPath(file), line: 1, column: 1 };
    const located = await Promise.all(diagnostics.map(async (d) => ({ ...d, source: d.source ?? (await locate(d.path)) ?? fallback })));
    return { diagnostics: located, files: mod.files, locate };
  }
  return withModelConfigs(file, hasErrors(diagnostics) ? { diagnostics, files: mod.files, locate } : { policy, diagnostics, files: mod.files, locate });
}

/** Reads the config.json files the policy's models point to; their Diagnostics are located like the rest, and withhold the policy. */
async function withModelConfigs(entryFile: string, result: LoadResult): Promise<LoadResult> {
  if (result.policy === undefined || !result.policy.models.some((m) => m.configFile !== undefined)) return result;
  const found = await resolveModelConfigs(result.policy, entryFile);
  if (found.length === 0) return result;
  const located = await Promise.all(found.map(async (d) => ({ ...d, source: d.source ?? (await result.locate(d.path)) })));
  const { policy: _withheld, ...rest } = result;
  return { ...rest, diagnostics: [...result.diagnostics, ...located.map(({ source, ...d }) => (source ? { ...d, source } : d))] };
}
