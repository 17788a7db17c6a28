/**
 * Editing one top-level member of a JSON object in its raw bytes, so the
 * gateway can forward a client's body with only `model` changed instead of
 * re-serialising everything it parsed (a long conversation is most of the
 * bytes and must not be copied through JSON.stringify on the hot path).
 *
 * Works on UTF-8 bytes: every JSON structural character is ASCII and no byte
 * of a multi-byte UTF-8 sequence is ASCII, so scanning bytes is exact.
 * Callers pass bodies JSON.parse has accepted; on anything else the scan
 * answers null and the caller falls back to JSON.stringify.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i]!)) i++;
  return i;
}

/** Index just past the string starting at b[i] (a quote), or -1. */
function skipString(b: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, j);
    if (q < 0) return -1;
    // A quote is escaped when an odd number of backslashes precede it.
    let k = q - 1;
    while (k > i && b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just past the value starting at b[i], or -1. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    let j = i;
    while (j < b.length) {
      const x = b[j]!;
      if (x === QUOTE) {
        j = skipString(b, j);
        if (j < 0) return -1;
        continue;
      }
      if (x === OPEN_BRACE || x === OPEN_BRACKET) depth++;
      else if (x === CLOSE_BRACE || x === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  // number, true, false, null
  let j = i;
  while (j < b.length) {
    const x = b[j]!;
    if (x === COMMA || x === CLOSE_BRACE || x === CLOSE_BRACKET || isSpace(x)) break;
    j++;
  }
  return j > i ? j : -1;
}

export interface MemberSpan {
  /** Where the member's value starts and ends (exclusive). */
  valueStart: number;
  valueEnd: number;
}

/** The value span of top-level member `key` (the last one, as JSON.parse keeps it); null when absent, undefined when `b` does not scan as an object. */
function scanMembers(b: Buffer, key: string): MemberSpan | null | undefined {
  const want = Buffer.from(JSON.stringify(key));
  let i = skipSpace(b, 0);
  if (b[i] !== OPEN_BRACE) return undefined;
  i = skipSpace(b, i + 1);
  let found: MemberSpan | null = null;
  if (b[i] === CLOSE_BRACE) return skipSpace(b, i + 1) === b.length ? null : undefined;
  for (;;) {
    if (b[i] !== QUOTE) return undefined;
    const keyEnd = skipString(b, i);
    if (keyEnd < 0) return undefined;
    const isKey = keyEnd - i === want.length && b.compare(want, 0, want.length, i, keyEnd) === 0;
    i = skipSpace(b, keyEnd);
    if (b[i] !== COLON) return undefined;
    i = skipSpace(b, i + 1);
    const end = skipValue(b, i);
    if (end < 0) return undefined;
    if (isKey) found = { valueStart: i, valueEnd: end };
    i = skipSpace(b, end);
    if (b[i] === CLOSE_BRACE) return skipSpace(b, i + 1) === b.length ? found : undefined;
    if (b[i] !== COMMA) return undefined;
    i = skipSpace(b, i + 1);
  }
}

/** Like findTopLevelMember, but tells apart "absent" (null) from "not a JSON object this scan understands" (undefined). */
export const scanTopLevelMember = (b: Buffer, key: string): MemberSpan | null | undefined => scanMembers(b, key);

/** The span of the value of top-level member `key` (the last one, as JSON.parse keeps it), or null. */
export function findTopLevelMember(b: Buffer, key: string): MemberSpan | null {
  return scanMembers(b, key) ?? null;
}

/**
 * The body with top-level member `key` set to the JSON text `value` (an
 * existing member replaced in place, a missing one added first), and `extra`
 * members (JSON text such as `"a":1`) added first; null when the body is not
 * a JSON object this scan understands.
 */
export function withTopLevelMember(b: Buffer, key: string, value: string, extra = ''): Buffer | null {
  const span = scanMembers(b, key);
  if (span === undefined) return null;
  const open = skipSpace(b, 0);
  const head = extra === '' ? '' : `${extra},`;
  if (span === null) {
    const empty = b[skipSpace(b, open + 1)] === CLOSE_BRACE;
    const members = `${head}${JSON.stringify(key)}:${value}${empty ? '' : ','}`;
    return Buffer.concat([b.subarray(0, open + 1), Buffer.from(members), b.subarray(open + 1)]);
  }
  if (head === '') return Buffer.concat([b.subarray(0, span.valueStart), Buffer.from(value), b.subarray(span.valueEnd)]);
  return Buffer.concat([b.subarray(0, open + 1), Buffer.from(head), b.subarray(open + 1, span.valueStart), Buffer.from(value), b.subarray(span.valueEnd)]);
}
