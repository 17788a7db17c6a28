/**
 * The redactor a profile's policy builds: its built-in detectors and its own
 * rules run over every string of a request body (object keys too), and each
 * value found becomes a placeholder. Overlapping finds are merged, so no
 * character any detector claimed survives. Placeholders are typed and
 * numbered per request (`[EMAIL_1]`, `[EMAIL_2]`; the same value gets the
 * same placeholder), and each request keeps the map back to the values for
 * profiles that allow re-identification.
 */
import type { PlanRedaction } from '../../plan/types.ts';
import { detectorsByName } from './detectors/index.ts';
import { numericClusters } from './numeric-clusters.ts';
import { ruleDetectors } from './rules.ts';
import type { Detector, NumericCluster, ScanContext, Span } from './types.ts';

/** Placeholders of one request: numbered per tag, one per distinct value, with the way back. */
export class RequestPlaceholders {
  private readonly byValue = new Map<string, string>();
  private readonly next = new Map<string, number>();
  /** placeholder -> the value it replaced. */
  readonly values = new Map<string, string>();

  /** `scope` goes before the number (`[EMAIL_A1]`), so placeholders of a second pass cannot be mistaken for the first's. */
  constructor(private readonly scope = '') {}

  placeholder(tag: string, value: string): string {
    const key = `${tag}\u0000${value}`;
    const known = this.byValue.get(key);
    if (known) return known;
    const n = (this.next.get(tag) ?? 0) + 1;
    this.next.set(tag, n);
    const p = `[${tag}_${this.scope}${n}]`;
    this.byValue.set(key, p);
    this.values.set(p, value);
    return p;
  }
}

/** How many values of each kind were replaced (detector name or `rule:<name>`). */
export type RedactionCounts = Map<string, number>;

class LazyClusters implements ScanContext {
  private s = '';
  private found: NumericCluster[] | null = null;
  reset(s: string): void {
    this.s = s;
    this.found = null;
  }
  clusters(): readonly NumericCluster[] {
    if (this.found === null) this.found = numericClusters(this.s);
    return this.found;
  }
}

/** Unions of overlapping spans, in order; each keeps the tag of the span that starts it (ties: detector order). */
function merge(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) last.end = s.end;
    } else out.push({ ...s });
  }
  return out;
}

export interface Redactor {
  /** False when the profile redacts nothing: strings pass through untouched. */
  readonly active: boolean;
  /** The string with every value found replaced. */
  redactString(s: string, placeholders: RequestPlaceholders, counts: RedactionCounts): string;
  /** Redacts every string in a JSON value in place (arrays and objects are reused; a renamed key rebuilds its object). */
  redactValue(v: unknown, placeholders: RequestPlaceholders, counts: RedactionCounts): unknown;
}

export function createRedactor(r: PlanRedaction): Redactor {
  const detectors: Detector[] = r.enabled ? [...detectorsByName(r.detectors), ...ruleDetectors(r.rules)] : [];
  const ctx = new LazyClusters();
  const spans: Span[] = [];

  // Every built-in detector needs a digit, an "@" or a ":" (IPv6) in the string: one cheap test skips
  // most keys, roles and prose. A profile's own rules can match anything, so they turn the test off.
  const prefilter = r.rules.length === 0 ? /[0-9@:]/ : /[\s\S]/;
  const redactString = (s: string, placeholders: RequestPlaceholders, counts: RedactionCounts): string => {
    // The shortest value any detector finds is an IPv6 address such as "::1".
    if (s.length < 3 || !prefilter.test(s)) return s;
    ctx.reset(s);
    spans.length = 0;
    for (const d of detectors) d.find(s, ctx, spans);
    if (spans.length === 0) return s;
    let out = '';
    let at = 0;
    for (const span of merge(spans)) {
      out += s.slice(at, span.start) + (span.literal ? span.tag : placeholders.placeholder(span.tag, s.slice(span.start, span.end)));
      counts.set(span.kind, (counts.get(span.kind) ?? 0) + 1);
      at = span.end;
    }
    return out + s.slice(at);
  };

  const redactValue = (v: unknown, placeholders: RequestPlaceholders, counts: RedactionCounts): unknown => {
    if (typeof v === 'string') return redactString(v, placeholders, counts);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = redactValue(v[i], placeholders, counts);
      return v;
    }
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      let renamed: string[] | null = null;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        o[k] = redactValue(o[k], placeholders, counts);
        const r = redactString(k, placeholders, counts);
        if (r !== k) (renamed ??= keys.slice())[i] = r;
      }
      if (renamed === null) return o;
      // Rare: a key that holds personal data. Rebuild the object so the key order stays.
      const names = renamed;
      return Object.fromEntries(keys.map((k, i) => [names[i]!, o[k]]));
    }
    return v;
  };

  return { active: detectors.length > 0, redactString, redactValue };
}
