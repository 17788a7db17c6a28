/**
 * Plan paths back to policy paths, so a risk rule or diff that points into
 * the plan (`groups.chat.circuitBreaker.cooldownMs`) can be reported where
 * the user edits (`modelGroups[0].circuitBreaker.cooldown`, then file:line).
 */
import { formatPath, parsePath, type Path, type PathSegment } from '../diagnostics/path.ts';
import type { PlanOrigins } from './types.ts';

/** Records that the plan entity at `planPath` came from `policyPath`. */
export function recordOrigin(origins: PlanOrigins, planPath: Path, policyPath: Path): void {
  origins[formatPath(planPath)] = policyPath;
}

/** Plan field names that differ from the policy's: durations became milliseconds, hours numbers. */
const FIELD_RENAMES: Readonly<Record<string, string>> = {
  windowMs: 'window',
  cooldownMs: 'cooldown',
  requestMs: 'request',
  streamFirstTokenMs: 'streamFirstToken',
  forMs: 'for',
  initialMs: 'initial',
  maxMs: 'max',
  timeoutMs: 'timeout',
  completionWindowHours: 'completionWindow',
};

/** Plan collections named differently in the policy (used when no entity matched). */
const COLLECTION_RENAMES: Readonly<Record<string, string>> = { groups: 'modelGroups', pools: 'gpuPools' };

/** Fields computed by the compiler: they have no place in the policy, so the entity they belong to is the answer. */
const DERIVED: ReadonlySet<string> = new Set(['providerKind', 'maxContextWindow', 'schemaVersion', 'hash']);

/** Arrays the plan sorts without recording where each element came from: an index into them means nothing in the policy. */
const SORTED_LEAVES: ReadonlySet<string> = new Set(['tags', 'retryOn', 'dataClasses', 'spansPools']);

/**
 * Maps a formatted plan path to a formatted policy path: the longest prefix
 * that is a recorded entity gives the policy path, and the rest is carried
 * over with renamed fields translated. Where the rest has no counterpart in
 * the policy (a derived field, a sorted array's index) the answer stops at
 * the nearest part that has one.
 */
export function planPathToPolicyPath(origins: PlanOrigins, planPath: string): string {
  let segs: PathSegment[];
  try {
    segs = parsePath(planPath);
  } catch {
    return '';
  }
  let k = segs.length;
  while (k > 0 && !Object.hasOwn(origins, formatPath(segs.slice(0, k)))) k--;
  const out: PathSegment[] = k > 0 ? [...origins[formatPath(segs.slice(0, k))]!] : [];
  const poolModel = k >= 2 && segs[k - 2] === 'models';
  for (let i = k; i < segs.length; i++) {
    const seg = segs[i]!;
    if (typeof seg === 'number') {
      const field = segs[i - 1];
      if (typeof field === 'string' && SORTED_LEAVES.has(field)) break;
      out.push(seg);
    } else if (DERIVED.has(seg) || (poolModel && i === k && seg === 'id')) {
      break;
    } else if (i === 0) {
      out.push(COLLECTION_RENAMES[seg] ?? seg);
    } else {
      out.push(FIELD_RENAMES[seg] ?? seg);
    }
  }
  return formatPath(out);
}
