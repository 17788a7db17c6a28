import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNREADABLE_CODES, loadPolicy } from '../../src/load/index.ts';
import { MINIMAL, SRC_INDEX, fixture, lineOf } from './fixtures.ts';

/** Each bad input gives exactly one error, located, with no stack trace in it. */
async function onlyError(entry: string) {
  const result = await loadPolicy(entry);
  expect(result.policy).toBeUndefined();
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toHaveLength(1);
  const [d] = errors;
  expect(d!.message).not.toMatch(/\n|\bat .*:\d+:\d+/);
  expect(d!.message.split(/\.\s+[A-Z]/)).toHaveLength(1);
  return d!;
}

describe('loadPolicy on bad input', () => {
  it('loads a minimal valid policy with defaults applied', async () => {
    const dir = fixture({ 'index.ts': MINIMAL });
    const result = await loadPolicy(dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.policy?.routerState).toEqual({ kind: 'memory' });
    expect(result.files).toEqual([join(dir, 'index.ts')]);
  });

  it('reports a syntax error at the line and column of the error', async () => {
    const text = `import { definePolicy } from '$SRC';
export default definePolicy({
  name: 'broken',
  providers: [
    { id: 'openai' kind: 'openai' },
  ],
});
`;
    const dir = fixture({ 'index.ts': text });
    const d = await onlyError(dir);
    expect(d.code).toBe('syntax-error');
    expect(d.source).toEqual({ file: join(dir, 'index.ts'), line: 5, column: text.split('\n')[4]!.indexOf('kind') + 1 });
  });

  it('reports a syntax error in an imported file at that file', async () => {
    const dir = fixture({
      'index.ts': `import { definePolicy } from '$SRC';\nimport { providers } from './providers.ts';\nexport default definePolicy({ name: 'x', providers });\n`,
      'providers.ts': `export const providers = [\n  { id: 'a', kind: 'openai', apiKey: 'env:A' ,, },\n];\n`,
    });
    const d = await onlyError(join(dir, 'index.ts'));
    expect(d.code).toBe('syntax-error');
    expect(d.source?.file).toBe(join(dir, 'providers.ts'));
    expect(d.source?.line).toBe(2);
  });

  it('reports a missing entry file or directory as unreadable input', async () => {
    for (const entry of ['/nonexistent/switchyard/policies', join(fixture({}), 'policy.ts')]) {
      const d = await onlyError(entry);
      expect(d.code).toBe('policy-not-found');
      expect(UNREADABLE_CODES.has(d.code)).toBe(true);
    }
    const empty = await onlyError(fixture({ 'README.md': 'nothing here' }));
    expect(empty.code).toBe('policy-not-found');
  });

  it('reports a literal API key at its line, without echoing it', async () => {
    const secret = 'sk-proj-abcdefghijklmnop1234567890';
    const text = MINIMAL.replace('env:OPENAI_API_KEY', secret);
    const dir = fixture({ 'index.ts': text });
    const d = await onlyError(dir);
    expect(d.code).toBe('literal-secret');
    expect(d.path).toBe('providers[0].apiKey');
    expect(d.message).toMatch(/literal secret is not allowed/);
    expect(d.hint).toContain('env:NAME');
    expect(d.hint).toContain('vault:path#field');
    expect(JSON.stringify(d)).not.toContain(secret);
    expect(d.source).toMatchObject({ file: join(dir, 'index.ts'), line: lineOf(text, secret) });
  });

  it('reports an unknown key at the key, suggesting the closest valid key', async () => {
    const text = MINIMAL.replace("name: 'minimal',", "name: 'minimal',\n  providrs: [],");
    const dir = fixture({ 'index.ts': text });
    const d = await onlyError(dir);
    expect(d).toMatchObject({ code: 'unknown-key', path: 'providrs', hint: 'Did you mean `providers`?' });
    expect(d.source).toEqual({ file: join(dir, 'index.ts'), line: lineOf(text, 'providrs'), column: 3 });
  });

  it('reports a wrong type at the property', async () => {
    const text = MINIMAL.replace("name: 'minimal',", "name: 'minimal',\n  tenants: [{ id: 't', apiKeys: ['env:T'], allowedGroups: ['chat'], rpm: '600' }],");
    const dir = fixture({ 'index.ts': text });
    const d = await onlyError(dir);
    expect(d).toMatchObject({ code: 'invalid-type', path: 'tenants[0].rpm', message: '`rpm` must be a number, not a string.' });
    expect(d.source?.line).toBe(lineOf(text, "rpm: '600'"));
    expect(d.source?.column).toBe(text.split('\n')[d.source!.line - 1]!.indexOf('rpm') + 1);
  });

  it('reports an import cycle naming the cycle, without importing it', async () => {
    const dir = fixture({
      'a.ts': `import { definePolicy } from '$SRC';\nimport { providers } from './b.ts';\nexport const name = 'cyclic';\nexport default definePolicy({ name, providers });\n`,
      'b.ts': `import { name } from './a.ts';\nexport const providers = [{ id: name, kind: 'vllm' as const, apiBase: 'http://x:1/v1' }];\n`,
    });
    const d = await onlyError(join(dir, 'a.ts'));
    expect(d.code).toBe('import-cycle');
    expect(d.message).toContain('a.ts -> b.ts -> a.ts');
    expect(d.source).toEqual({ file: join(dir, 'b.ts'), line: 1, column: 22 });
  });

  it('reports a policy module that throws at import time, at the throwing line', async () => {
    const helper = `export function region(name: string): string {\n  if (name !== 'us') {\n    throw new Error(\`no endpoint for region \${name}\`);\n  }\n  return name;\n}\n`;
    const dir = fixture({
      'index.ts': `import { definePolicy } from '$SRC';\nimport { region } from './regions.ts';\nexport default definePolicy({ name: region('eu') });\n`,
      'regions.ts': helper,
    });
    const d = await onlyError(dir);
    expect(d.code).toBe('policy-module-threw');
    expect(d.message).toBe('No endpoint for region eu.');
    expect(d.source).toEqual({ file: join(dir, 'regions.ts'), line: 3, column: 5 });
  });

  it('reports a missing default export', async () => {
    const dir = fixture({ 'index.ts': `import { definePolicy } from '$SRC';\nexport const notThePolicy = definePolicy({ name: 'x' });\n` });
    const d = await onlyError(dir);
    expect(d.code).toBe('missing-default-export');
    expect(d.source).toEqual({ file: join(dir, 'index.ts'), line: 1, column: 1 });
    expect(UNREADABLE_CODES.has(d.code)).toBe(false);
  });

  it('accepts a named `policy` export in place of a default export', async () => {
    const dir = fixture({ 'index.ts': MINIMAL.replace('export default', 'export const policy =') });
    const result = await loadPolicy(dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.policy?.name).toBe('minimal');
  });

  it('reports an import of a file that does not exist at the import', async () => {
    const dir = fixture({
      'index.ts': `import { definePolicy } from '$SRC';\nimport { providers } from './nope.ts';\nexport default definePolicy({ name: 'x', providers });\n`,
    });
    const d = await onlyError(dir);
    expect(d.code).toBe('import-not-found');
    expect(d.source).toMatchObject({ file: join(dir, 'index.ts'), line: 2 });
  });

  it('sees an edited policy file on the next load in the same process', async () => {
    const dir = fixture({ 'index.ts': MINIMAL });
    expect((await loadPolicy(dir)).policy?.name).toBe('minimal');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'index.ts'), MINIMAL.replace("'minimal'", "'edited'").replaceAll('$SRC', SRC_INDEX));
    expect((await loadPolicy(dir)).policy?.name).toBe('edited');
  });
});
