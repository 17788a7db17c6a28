/**
 * Markdown escaping, read back with a real Markdown reader (marked, GitHub
 * flavour): policy text placed in a runbook, the readiness gate or a
 * pull-request comment stays text, whatever markup it holds.
 */
import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { mdCell, mdCode, mdFence, mdText } from '../../src/escape/markdown.ts';
import { mermaidText } from '../../src/escape/mermaid.ts';

/** The one table cell of `| <cell> | x |` as the reader parses it: its token types and its plain text. */
function cellOf(cell: string): { types: string[]; text: string; cells: number } {
  const table = marked.lexer(`| a | b |\n|---|---|\n| ${cell} | x |\n`)[0] as Tokens.Table;
  const tokens = table.rows[0]![0]!.tokens;
  const flat = (ts: readonly Token[]): Token[] => ts.flatMap((t) => [t, ...('tokens' in t && Array.isArray(t.tokens) ? flat(t.tokens) : [])]);
  const decode = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return {
    types: [...new Set(flat(tokens).map((t) => t.type))].sort(),
    text: tokens.map((t) => decode((t as { text?: string }).text ?? t.raw)).join(''),
    cells: table.rows[0]!.length,
  };
}

describe('policy text in a Markdown table cell stays text', () => {
  it.each([
    ['an image that loads a tracking pixel', '![i](http://x/p.png)'],
    ['a link hiding its target', '[docs](javascript:alert(1))'],
    ['raw HTML', '<img src=x onerror=alert(1)>'],
    ['an HTML comment hiding the rest of the page', '<!-- hidden'],
    ['a pipe that adds a table cell', 'a|b|c'],
    ['emphasis and strikethrough', '*a* _b_ ~~c~~'],
    ['inline code', '`code`'],
    ['a bare URL GitHub would make a link', 'http://evil.example/x)~'],
    ['a www. address GitHub would make a link', 'www.evil.example'],
    ['an e-mail address GitHub would make a mailto link', 'ops@evil.example'],
    ['an entity that renders as another character', '&lt;b&gt; &#x3c;'],
    ['a math block (GitHub renders $...$)', '$x^2$'],
    ['a backslash before an escape', '\\*not bold\\*'],
  ])('%s', (_attack, value) => {
    const cell = cellOf(mdCell(mdText(value)));
    expect(cell.cells).toBe(2);
    expect(cell.types.filter((t) => !['text', 'escape'].includes(t))).toEqual([]);
    expect(cell.text).toBe(value);
  });

  it('plain names stay readable: nothing to escape in gpt-4o-mini or meta-llama/Llama-3.1-8B', () => {
    expect(mdText('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(mdText('meta-llama/Llama-3.1-8B-Instruct')).toBe('meta-llama/Llama-3.1-8B-Instruct');
  });

  it('a line break cannot end the table row', () => {
    expect(mdCell('a\nb\r\nc')).toBe('a b c');
  });
});

describe('code spans and fences hold any backticks', () => {
  it.each([
    ['a backtick that ends the code span', 'a`b'],
    ['a run of backticks longer than the fence', 'x ``` y'],
    ['a leading space the reader would strip', ' x '],
  ])('%s', (_attack, value) => {
    const [para] = marked.lexer(mdCode(value)) as Tokens.Paragraph[];
    expect(para!.tokens.map((t) => t.type)).toEqual(['codespan']);
    const text = (para!.tokens[0] as Tokens.Codespan).text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    // (the reader strips the one space mdCode pads each side with)
    expect(text).toBe(value);
  });

  it('a fenced block cannot be closed from inside', () => {
    const body = 'before\n```\n# not a heading\n````';
    const fence = mdFence(body);
    const [block, ...rest] = marked.lexer(`${fence}\n${body}\n${fence}\n`);
    expect(block!.type).toBe('code');
    expect((block as Tokens.Code).text).toBe(body);
    expect(rest.filter((t) => t.type !== 'space')).toEqual([]);
  });
});

describe('text in a Mermaid string cannot end the string or the chart', () => {
  it.each([
    ['a quote that ends the label', 'a" : 99\n  "b', 'a : 99 b'],
    ['a %% comment marker', 'x %% y', 'x % % y'],
    ['only control characters', '\u0000\n', '-'],
  ])('%s', (_attack, value, expected) => {
    expect(mermaidText(value)).toBe(expected);
  });
});
