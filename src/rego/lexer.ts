/**
 * Rego lexer. Newlines are not tokens: each token records whether a newline
 * or other whitespace came before it, which is all the parser needs to end
 * an expression at a line break or to refuse `x [0]` as a reference.
 */
import { RegoFailure } from './errors.ts';
import { OPERATORS, type Token } from './tokens.ts';

export interface LexToken extends Token {
  /** A newline (or comment line) separates this token from the previous one. */
  nlBefore: boolean;
  /** Any whitespace separates this token from the previous one. */
  wsBefore: boolean;
}

const isIdentStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);

/** A `#` comment: its row and the text after the `#`. */
export interface Comment {
  row: number;
  text: string;
}

/** Tokens; comments, when asked for, go to `comments` (for `# METADATA` blocks). */
export function lex(source: string, file: string, comments?: Comment[]): LexToken[] {
  const out: LexToken[] = [];
  let i = 0;
  let row = 1;
  let lineStart = 0;
  let nl = false;
  let ws = false;
  const n = source.length;
  const loc = (at: number) => ({ file, row, col: at - lineStart + 1 });
  const fail = (at: number, text: string): never => {
    throw new RegoFailure('rego_parse_error', text, loc(at));
  };

  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      i++;
      row++;
      lineStart = i;
      nl = ws = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      ws = true;
      continue;
    }
    if (c === '#') {
      const from = i + 1;
      while (i < n && source[i] !== '\n') i++;
      comments?.push({ row, text: source.slice(from, i).replace(/\r$/, '') });
      ws = true;
      continue;
    }
    const start = i;
    const startLoc = loc(start);
    const push = (kind: Token['kind'], text: string) => {
      out.push({ kind, text, loc: startLoc, start, end: i, nlBefore: nl, wsBefore: ws });
      nl = ws = false;
    };
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(source[i]!)) i++;
      push('ident', source.slice(start, i));
      continue;
    }
    if (isDigit(c)) {
      while (i < n && isDigit(source[i]!)) i++;
      if (source[i] === '.' && isDigit(source[i + 1] ?? '')) {
        i++;
        while (i < n && isDigit(source[i]!)) i++;
      }
      if (source[i] === 'e' || source[i] === 'E') {
        let j = i + 1;
        if (source[j] === '+' || source[j] === '-') j++;
        if (isDigit(source[j] ?? '')) {
          i = j;
          while (i < n && isDigit(source[i]!)) i++;
        }
      }
      if (i < n && isIdentStart(source[i]!)) fail(start, 'illegal number format');
      push('number', source.slice(start, i));
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = source[i]!;
        if (d === '\\') {
          i += 2;
          continue;
        }
        if (d === '\n') break;
        i++;
        if (d === '"') {
          closed = true;
          break;
        }
      }
      if (!closed) fail(start, 'non-terminated string');
      let text: string;
      try {
        text = JSON.parse(source.slice(start, i)) as string;
      } catch {
        return fail(start, 'illegal escape sequence in string');
      }
      push('string', text);
      continue;
    }
    if (c === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) fail(start, 'non-terminated raw string');
      const text = source.slice(i + 1, close);
      for (const ch of text) if (ch === '\n') row++;
      const lastNl = text.lastIndexOf('\n');
      i = close + 1;
      push('rawstring', text);
      if (lastNl >= 0) lineStart = start + 1 + lastNl + 1;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) fail(start, `illegal token '${c}'`);
    i += op!.length;
    push('op', op!);
  }
  out.push({ kind: 'eof', text: '', loc: loc(i), start: i, end: i, nlBefore: true, wsBefore: true });
  return out;
}
