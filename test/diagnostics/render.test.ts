import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import { renderGithub, renderJson, renderPretty } from '../../src/diagnostics/render.ts';

const d: Diagnostic = {
  severity: 'error',
  code: 'literal-secret',
  message: 'providers[1].apiKey must be a secret reference, not a literal secret',
  path: 'providers[1].apiKey',
  source: { file: 'policies/providers.ts', line: 3, column: 13 },
  hint: 'use env:NAME or vault:path#field',
};

describe('renderers', () => {
  it('pretty: location, code, message, code frame with caret, hint, summary', () => {
    const text = renderPretty([d], { color: false, readSource: () => 'a\nb\n  apiKey: "sk-x",\n' });
    expect(text).toContain('policies/providers.ts:3:13 error literal-secret:');
    expect(text).toContain('3 |   apiKey: "***",');
    expect(text).toMatch(/\|\s{13}\^/);
    expect(text).toContain('hint: use env:NAME');
    expect(text).toContain('1 error, 0 warnings');
    expect(text).not.toContain('\u001b[');
    expect(renderPretty([d], { color: true })).toContain('\u001b[31merror');
  });

  it('json: parseable, ok flag and summary', () => {
    const out = JSON.parse(renderJson([d]));
    expect(out.ok).toBe(false);
    expect(out.summary).toEqual({ errors: 1, warnings: 0, infos: 0 });
    expect(out.diagnostics[0]).toEqual(d);
  });

  it('github: workflow commands with escaped properties and data', () => {
    const tricky: Diagnostic = { ...d, message: 'a, b: 100%\nnext', source: { file: 'p,q:r.ts', line: 2, column: 1 } };
    expect(renderGithub([tricky])).toBe(
      '::error file=p%2Cq%3Ar.ts,line=2,col=1,title=literal-secret::a, b: 100%25%0Anext%0Ause env:NAME or vault:path#field (at providers[1].apiKey)\n',
    );
    expect(renderGithub([{ ...d, severity: 'info', source: undefined }])).toMatch(/^::notice title=literal-secret::/);
  });
});

it('pretty: masks string literals in the code frame of a literal secret', () => {
  const text = renderPretty([d], { color: false, readSource: () => 'a\nb\n  apiKey: \'sk-live-123\', other: "x",\n' });
  expect(text).not.toContain('sk-live-123');
  expect(text).toContain('apiKey: \'***\', other: "***",');
  const plain = renderPretty([{ ...d, code: 'unknown-key' }], { color: false, readSource: () => "a\nb\n  apiKey: 'visible',\n" });
  expect(plain).toContain("'visible'");
});

it('pretty: shows the risk level of a risk finding', () => {
  const text = renderPretty([{ ...d, code: 'pii-without-redaction', level: 'critical' }], { color: false });
  expect(text).toContain('error [critical] pii-without-redaction:');
});

it('pretty: shows a window of a very long source line around the column', () => {
  const long = `{"a":"${'x'.repeat(5000)}","bad":1,"b":"${'y'.repeat(5000)}"}`;
  const col = long.indexOf('"bad"') + 1;
  const text = renderPretty([{ ...d, code: 'unknown-key', source: { file: 'p.json', line: 1, column: col } }], { color: false, readSource: () => long });
  const frame = text.split('\n')[1]!;
  expect(frame.length).toBeLessThan(140);
  expect(frame).toContain('"bad":1');
  const caretLine = text.split('\n')[2]!;
  expect(caretLine.indexOf('^') - caretLine.indexOf('|') - 2).toBe(frame.indexOf('"bad"') - frame.indexOf('|') - 2);
});
