/**
 * YAML for LiteLLM, which reads its config with PyYAML (`yaml.safe_load`),
 * a YAML 1.1 reader. Two consequences shape this file:
 * - strings YAML 1.1 would resolve to something else (`2024-10-21` is a
 *   date, `yes`/`on` are booleans) must be quoted, so the document is
 *   written with the `yaml` package's 1.1 schema, which quotes them;
 * - PyYAML resolves a float only when it has a `.` (and a signed exponent),
 *   so `1e-7`, which JavaScript prints for 0.1 USD per 1M tokens, would be
 *   read as a string. Non-integers are written as exact fixed-point
 *   decimals instead (`0.0000025`), which both readers parse as floats.
 */
import { Document } from 'yaml';
import { yamlCommentText } from '../../escape/yaml.ts';

/** A number already written as its exact decimal text. */
export class Decimal {
  constructor(readonly text: string) {}
}

const decimalTag = {
  identify: (v: unknown) => v instanceof Decimal,
  tag: 'tag:yaml.org,2002:float',
  default: true,
  resolve: (s: string) => Number(s),
  stringify: (item: { value: unknown }) => (item.value as Decimal).text,
};

/**
 * `value / 10^shift` as a fixed-point decimal with at least one fractional
 * digit, computed on the digits of `String(value)` so that no binary
 * rounding is added: 2.5 with shift 6 is exactly `0.0000025`.
 */
export function exactDecimal(value: number, shift = 0): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a decimal`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!m) throw new Error(`cannot write ${value} as a decimal`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = (int! + frac).replace(/^0+/, '');
  if (digits === '') return '0.0';
  let scale = Number(exp) - frac.length - shift; // value = digits * 10^scale
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  scale += trailing;
  if (scale >= 0) return `${sign}${digits}${'0'.repeat(scale)}.0`;
  const padded = digits.padStart(-scale + 1, '0');
  const cut = padded.length + scale;
  return `${sign}${padded.slice(0, cut)}.${padded.slice(cut)}`;
}

/** Integers as integers, everything else as an exact decimal. */
export function num(value: number, shift = 0): number | Decimal {
  if (shift === 0 && Number.isSafeInteger(value)) return value;
  const text = exactDecimal(value, shift);
  return text.endsWith('.0') && Number.isSafeInteger(Number(text)) ? Number(text) : new Decimal(text);
}

/** Milliseconds as LiteLLM's seconds. */
export const seconds = (ms: number): number | Decimal => num(ms, 3);

/**
 * The document text: keys in the order the object was built, no anchors or
 * aliases (a deployment listed by two groups is written twice), no folding
 * of long lines, a comment block on top.
 */
export function toYaml(value: unknown, header: string[]): string {
  const doc = new Document(value, { version: '1.1', customTags: [decimalTag], aliasDuplicateObjects: false });
  doc.commentBefore = yamlCommentText(header);
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}
