import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { REPO } from '../fixtures/workspace.ts';

it('prints the committed JSON Schema and writes it on request', async () => {
  const printed = await cli('schema');
  expect(printed.code).toBe(0);
  expect(printed.stdout).toBe(readFileSync(join(REPO, 'schemas/policy.schema.json'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-schema-'));
  try {
    const file = join(dir, 'out/policy.schema.json');
    expect((await cli('schema', '--write', file)).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
