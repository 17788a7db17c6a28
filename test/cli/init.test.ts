import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { pointAtCheckout, REPO } from '../fixtures/workspace.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('scaffolds the reference policies, which then compile', async () => {
  const target = join(dir, 'policies');
  const r = await cli('init', target);
  expect(r.code).toBe(0);
  const files = readdirSync(target)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  expect(files).toEqual(
    readdirSync(join(REPO, 'policies'))
      .filter((f) => f.endsWith('.ts'))
      .sort(),
  );
  expect(readFileSync(join(target, 'index.ts'), 'utf8')).toBe(readFileSync(join(REPO, 'policies/index.ts'), 'utf8'));
  // A user's project resolves 'switchyard' from node_modules; here we point at the checkout.
  for (const f of files) writeFileSync(join(target, f), pointAtCheckout(readFileSync(join(target, f), 'utf8')));
  expect((await cli('validate', '-p', target)).code).toBe(0);
});

it('refuses to overwrite existing files without --force', async () => {
  const target = join(dir, 'policies');
  await cli('init', target);
  writeFileSync(join(target, 'tenants.ts'), '// mine\n');
  const r = await cli('init', target);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/already has/);
  expect(readFileSync(join(target, 'tenants.ts'), 'utf8')).toBe('// mine\n');
  expect((await cli('init', target, '--force')).code).toBe(0);
  expect(readFileSync(join(target, 'tenants.ts'), 'utf8')).not.toBe('// mine\n');
});
