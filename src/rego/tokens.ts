import type { Location } from './errors.ts';

export type TokenKind = 'ident' | 'number' | 'string' | 'rawstring' | 'op' | 'newline' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier name, operator text, decoded string, or number text. */
  text: string;
  loc: Location;
  /** Byte offset of the first character, and of the character after the token. */
  start: number;
  end: number;
}

/** Operators, longest first so the lexer matches greedily. */
export const OPERATORS = [
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  ';',
  '.',
  ':',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '|',
  '&',
] as const;
