/**
 * What a detector reports: a span of a string that holds a value of one
 * kind of personal data. Detectors only find; the redactor merges
 * overlapping spans and writes the placeholders.
 */

export interface Span {
  start: number;
  end: number;
  /** Placeholder tag (`EMAIL`), or for a profile rule its literal replacement. */
  tag: string;
  /** Detector name (`email`) or `rule:<name>`, for counts. */
  kind: string;
  /** A rule's replacement is written as is; a detector's placeholder is numbered and can be restored. */
  literal: boolean;
}

/** Per-string scratch the numeric detectors share, so the digit clusters are found once per string. */
export interface ScanContext {
  clusters(): readonly NumericCluster[];
}

/** A run of digit groups joined by single separators, as phone numbers, card numbers, SSNs and IPv4 addresses are written. */
export interface NumericCluster {
  start: number;
  end: number;
  /** A leading `+` (international phone prefix) is part of the cluster. */
  plus: boolean;
  groups: DigitGroup[];
}

export interface DigitGroup {
  start: number;
  end: number;
  /** Number of digits (parentheses not counted). */
  len: number;
  /** The separator before this group: `' '`, `'-'`, `'.'`, `'('` for a parenthesised group, or `''` for the first. */
  sep: string;
  /** Written in parentheses, `(555)`. */
  paren: boolean;
}

export interface Detector {
  name: string;
  tag: string;
  find(s: string, ctx: ScanContext, out: Span[]): void;
}

/** A letter, digit or underscore: a value glued to one of these is part of a longer token (an id), not a value of its own. */
export function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
