/**
 * How long a provider asks us to wait, from its response headers: OpenAI's
 * `retry-after-ms` first, then `retry-after` in seconds or as an HTTP date
 * (the order the official SDKs use). Absent or unreadable: undefined.
 */
export type Headers = Record<string, string | string[] | undefined>;

/** Longest pause believed: a provider asking for more is treated as asking for this. */
const MAX_MS = 24 * 3600 * 1000;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.min(MAX_MS, Math.ceil(Number(ms)));
  const v = first(headers['retry-after'])?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_MS, Math.ceil(Number(v) * 1000));
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_MS, Math.max(0, at - now));
}
