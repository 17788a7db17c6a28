import { describe, expect, it } from 'vitest';
import { lex } from '../../src/rego/lexer.ts';

const kinds = (src: string) => lex(src, 'f.rego').map((t) => `${t.kind}:${t.text}`);

describe('lexer', () => {
  it('reads identifiers, numbers, operators and skips comments', () => {
    expect(kinds('p := 1.5e3 # note\nq')).toEqual(['ident:p', 'op::=', 'number:1.5e3', 'ident:q', 'eof:']);
  });

  it('decodes string escapes and keeps raw strings verbatim', () => {
    const [s, r] = lex('"a\\n\\u00e9\\"" `a\\nb`', 'f.rego');
    expect(s!.text).toBe('a\né"');
    expect(r!.text).toBe('a\\nb');
    expect(r!.kind).toBe('rawstring');
  });

  it('records rows, columns and whether a newline or space came first', () => {
    const toks = lex('a\n  b[c]', 'f.rego');
    expect(toks[1]!.loc).toEqual({ file: 'f.rego', row: 2, col: 3 });
    expect(toks[1]!.nlBefore).toBe(true);
    expect(toks[2]!.wsBefore).toBe(false);
  });

  it('tracks rows across multi-line raw strings', () => {
    const toks = lex('x := `a\nb`\ny', 'f.rego');
    expect(toks[3]!.loc.row).toBe(3);
  });

  it('matches the longest operator', () => {
    expect(kinds('a<=b!=c==d')).toEqual(['ident:a', 'op:<=', 'ident:b', 'op:!=', 'ident:c', 'op:==', 'ident:d', 'eof:']);
  });

  it('fails on unterminated strings with a location', () => {
    expect(() => lex('x := "abc', 'f.rego')).toThrow(/f.rego:1: rego_parse_error: non-terminated string/);
  });
});
