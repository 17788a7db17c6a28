/**
 * IPv4 addresses (four dotted numbers up to 255, not part of a longer
 * dotted run such as a version string) and IPv6 addresses in any of their
 * textual forms (full, compressed with `::`, with an embedded IPv4 tail),
 * confirmed by Node's own parser. IPv6 candidates are found from each `:`
 * outward, so text without colons costs one indexOf.
 */
import { isIPv6 } from 'node:net';
import { isWordCode, type Detector, type ScanContext, type Span } from '../types.ts';

const isV6Char = (c: number) => (c >= 48 && c <= 58) /* 0-9 : */ || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
const COLON = 58;
/** The longest IPv6 text (an IPv4-mapped address written in full) is 45 characters. */
const MAX_V6 = 45;

function ipv4(s: string, ctx: ScanContext, out: Span[]): void {
  for (const c of ctx.clusters()) {
    const g = c.groups;
    for (let i = 0; i + 3 < g.length; i++) {
      // Not inside a longer dotted run (a version string such as 1.2.3.4.5).
      if (g[i]!.sep === '.' || g[i + 4]?.sep === '.') continue;
      let ok = true;
      for (let k = i; k < i + 4 && ok; k++) {
        const x = g[k]!;
        ok = !x.paren && x.len <= 3 && (k === i || x.sep === '.') && Number(s.slice(x.start, x.end)) <= 255;
      }
      if (!ok) continue;
      out.push({ start: g[i]!.start, end: g[i + 3]!.end, tag: 'IP', kind: 'ip_address', literal: false });
      i += 3;
    }
  }
}

/**
 * The longest IPv6 address inside the run [a, b), trying only starts and
 * ends at group boundaries (after or before a `:` or `.`, or the run's own
 * ends) and never a start glued to a word before the run.
 */
function ipv6In(s: string, a: number, b: number): [number, number] | null {
  for (let start = a; start < b - 1; start++) {
    if (start === a ? start > 0 && isWordCode(s.charCodeAt(start - 1)) : s.charCodeAt(start - 1) !== COLON) continue;
    for (let end = Math.min(b, start + MAX_V6); end > start + 1; end--) {
      if (end < b && s.charCodeAt(end) !== COLON && s.charCodeAt(end) !== 46) continue;
      if (isIPv6(s.slice(start, end))) return [start, end];
    }
  }
  return null;
}

function ipv6(s: string, out: Span[]): void {
  let from = 0;
  for (let colon = s.indexOf(':'); colon >= 0; colon = s.indexOf(':', from)) {
    let a = colon;
    while (a > 0 && isV6Char(s.charCodeAt(a - 1))) a--;
    let b = colon + 1;
    while (b < s.length && isV6Char(s.charCodeAt(b))) b++;
    from = b;
    let colons = 0;
    for (let k = a; k < b && colons < 2; k++) if (s.charCodeAt(k) === COLON) colons++;
    if (colons < 2) continue;
    // Long runs of hex and colons are split into address-sized windows, so the work stays linear.
    for (let w = a; w < b; ) {
      const hit = ipv6In(s, w, Math.min(b, w + 4 * MAX_V6));
      if (!hit) {
        w += 3 * MAX_V6;
        continue;
      }
      out.push({ start: hit[0], end: hit[1], tag: 'IP', kind: 'ip_address', literal: false });
      w = hit[1];
    }
  }
}

export const ipAddress: Detector = {
  name: 'ip_address',
  tag: 'IP',
  find(s: string, ctx: ScanContext, out: Span[]): void {
    ipv4(s, ctx, out);
    if (s.indexOf(':') >= 0) ipv6(s, out);
  },
};
