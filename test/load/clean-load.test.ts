import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO } from './fixtures.ts';

/**
 * Runs a load in a fresh Node process (as the CLI would, through jiti) and
 * reports which heavy modules ended up in the require cache.
 */
function loadInFreshProcess(entry: string, locate?: string): { ok: boolean; tsMorph: boolean; yaml: boolean } {
  const script = `
    import { createJiti } from 'jiti';
    import { createRequire } from 'node:module';
    const jiti = createJiti(${JSON.stringify(`${REPO}package.json`)}, { fsCache: true });
    const { loadPolicy } = await jiti.import('./src/load/index.ts');
    const result = await loadPolicy(${JSON.stringify(entry)});
    ${locate ? `await result.locate(${JSON.stringify(locate)});` : ''}
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      ok: !!result.policy,
      tsMorph: loaded.some((k) => k.includes('/node_modules/ts-morph/')),
      yaml: loaded.some((k) => k.includes('/node_modules/yaml/')),
    }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { ok: boolean; tsMorph: boolean; yaml: boolean };
}

describe('a clean load', () => {
  it('does not import ts-morph (nor yaml) for a valid TS policy', () => {
    expect(loadInFreshProcess('policies')).toEqual({ ok: true, tsMorph: false, yaml: false });
  }, 30_000);

  it('imports ts-morph once a location is asked for (the check above is not vacuous)', () => {
    expect(loadInFreshProcess('policies', 'tenants[0].rpm')).toMatchObject({ ok: true, tsMorph: true });
  }, 30_000);
});
