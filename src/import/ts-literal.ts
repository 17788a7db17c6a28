/**
 * Values as TypeScript source in the project's style (what `biome format`
 * leaves as is: single quotes unless double avoid escapes, trailing commas,
 * 160 columns), with `//` comments above the properties they explain.
 * Every string that reaches the file, in a literal or a comment, is escaped
 * here: nothing from the input can end a comment or a string early.
 */
import { formatPath, type Path } from '../diagnostics/path.ts';

const WIDTH = 160;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export type Comments = (path: Path) => readonly string[] | undefined;

/** A string literal; line terminators (including U+2028/9) and control characters are escaped. */
export function tsString(s: string): string {
  const singles = (s.match(/'/g) ?? []).length;
  const doubles = (s.match(/"/g) ?? []).length;
  const q = singles > doubles ? '"' : "'";
  const body = s.replace(/[\\\u0000-\u001f\u007f\u2028\u2029]|['"]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === q) return `\\${c}`;
    if (c === "'" || c === '"') return c;
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `${q}${body}${q}`;
}

/** One comment line: control characters and line terminators shown as escapes, so the comment cannot end before its line does. */
export function commentLine(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `//${clean === '' ? '' : ` ${clean}`}`.trimEnd();
}

const tsNumber = (n: number): string => (Number.isInteger(n) && Math.abs(n) >= 10_000 ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '_') : String(n));
const tsKey = (k: string): string => (IDENT.test(k) ? k : tsString(k));
const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function inline(v: unknown): string | undefined {
  if (typeof v === 'string') return tsString(v);
  if (typeof v === 'number') return tsNumber(v);
  if (typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) {
    if (!v.every(isPrimitive)) return undefined;
    return `[${v.map((x) => inline(x)!).join(', ')}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as object).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    if (!entries.every(([, x]) => isPrimitive(x))) return undefined;
    return `{ ${entries.map(([k, x]) => `${tsKey(k)}: ${inline(x)}`).join(', ')} }`;
  }
  return undefined;
}

function hasComments(v: unknown, path: Path, comments: Comments): boolean {
  if (Array.isArray(v)) return v.some((x, i) => (comments([...path, i])?.length ?? 0) > 0 || hasComments(x, [...path, i], comments));
  if (typeof v === 'object' && v !== null)
    return Object.entries(v).some(([k, x]) => (comments([...path, k])?.length ?? 0) > 0 || hasComments(x, [...path, k], comments));
  return false;
}

/**
 * `v` as source, starting at column `column` (where the value begins, after
 * `key: `) inside a block indented by `indent` spaces; `tail` is what
 * follows it on its line (`,` or `);`). Records (objects with a nested
 * value, or that do not fit) are one property per line.
 */
export function tsValue(v: unknown, path: Path, comments: Comments, indent: number, column: number, tail: string): string {
  const flat = hasComments(v, path, comments) ? undefined : inline(v);
  if (flat !== undefined && column + flat.length + tail.length <= WIDTH) return flat;
  const pad = ' '.repeat(indent + 2);
  const lines: string[] = [];
  const noteLines = (p: Path) => (comments(p) ?? []).map((c) => `${pad}${commentLine(c)}`);
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      lines.push(...noteLines([...path, i]));
      lines.push(`${pad}${tsValue(x, [...path, i], comments, indent + 2, pad.length, ',')},`);
    });
    return `[\n${lines.join('\n')}\n${' '.repeat(indent)}]`;
  }
  for (const [k, x] of Object.entries(v as object)) {
    if (x === undefined) continue;
    lines.push(...noteLines([...path, k]));
    const head = `${pad}${tsKey(k)}: `;
    lines.push(`${head}${tsValue(x, [...path, k], comments, indent + 2, head.length, ',')},`);
  }
  return `{\n${lines.join('\n')}\n${' '.repeat(indent)}}`;
}

/** A comments lookup over a map keyed by formatPath. */
export const commentsFrom =
  (map: ReadonlyMap<string, readonly string[]>): Comments =>
  (path) =>
    map.get(formatPath(path));
