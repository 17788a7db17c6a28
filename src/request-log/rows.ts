/**
 * Request and attempt rows checked against their columns before they are
 * queued. A row the database would refuse (a NaN cost, a token count over
 * INTEGER, a NUL byte in a text column) must never reach a batch: it would
 * fail the whole batch on every retry and stop the log. Checks are plain
 * comparisons, cheap enough for the request path.
 */
import type { AttemptRow, RequestRow } from './types.ts';

/** Longest text value written; ids and names of a plan are far shorter. */
export const MAX_TEXT = 512;
const MAX_INT = 2_147_483_647;
/** 9999-12-31T23:59:59.999Z: the last instant TIMESTAMP(3) and ISO dates agree on. */
const MAX_TIME = 253_402_300_799_999;

const text = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT && !v.includes('\0');
const textOrNull = (v: unknown): boolean => v === null || text(v);
const int = (v: unknown, min = 0): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= MAX_INT;
const intOrNull = (v: unknown): boolean => v === null || int(v);
const time = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TIME;
const money = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** Latency is stored in whole milliseconds; any finite non-negative value is rounded on the way in. */
const latency = (v: unknown): boolean => v === null || (typeof v === 'number' && v >= 0 && v <= MAX_INT);

/** Why a request row cannot be written, or null when it can. */
function requestProblem(r: RequestRow): string | null {
  if (typeof r !== 'object' || r === null) return 'not a request row';
  if (!text(r.requestId)) return 'requestId is not a non-empty string of at most 512 characters without NUL';
  if (!text(r.tenant)) return 'tenant is not a valid text value';
  if (!text(r.requestedGroup)) return 'requestedGroup is not a valid text value';
  if (!textOrNull(r.modelGroup) || !textOrNull(r.deployment) || !textOrNull(r.provider)) return 'modelGroup, deployment or provider is not text or null';
  if (!time(r.startTime) || !time(r.endTime)) return 'startTime or endTime is not epoch milliseconds';
  if (!int(r.promptTokens) || !int(r.completionTokens) || r.promptTokens + r.completionTokens > MAX_INT) return 'token counts are not integers in range';
  if (!money(r.spend)) return 'spend is not a finite non-negative number';
  if (r.status !== 'success' && r.status !== 'failure') return "status is not 'success' or 'failure'";
  if (!intOrNull(r.statusCode) || !int(r.attempts)) return 'statusCode or attempts is not an integer in range';
  return null;
}

/** Why an attempt row of `requestId` cannot be written, or null when it can. */
function attemptProblem(a: AttemptRow, requestId: string): string | null {
  if (typeof a !== 'object' || a === null) return 'not an attempt row';
  if (a.requestId !== requestId) return 'attempt of another request';
  if (!int(a.attempt, 1)) return 'attempt number is not a positive integer';
  if (!text(a.modelGroup) || !text(a.deployment) || !textOrNull(a.provider) || !text(a.outcome)) return 'attempt text fields are not valid';
  if (!intOrNull(a.statusCode)) return 'attempt statusCode is not an integer in range';
  if (!latency(a.latencyMs)) return 'attempt latencyMs is not a non-negative number';
  if (!time(a.startTime)) return 'attempt startTime is not epoch milliseconds';
  return null;
}

/** Why a request and its attempts cannot be written together, or null. */
export function entryProblem(r: RequestRow, attempts: readonly AttemptRow[]): string | null {
  const p = requestProblem(r);
  if (p !== null) return p;
  if (!Array.isArray(attempts)) return 'attempts is not an array';
  for (const a of attempts) {
    const q = attemptProblem(a, r.requestId);
    if (q !== null) return `${q} (attempt of ${JSON.stringify(r.requestId)})`;
  }
  return null;
}
