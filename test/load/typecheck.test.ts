import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typecheckPolicies } from '../../src/load/index.ts';
import { scanImportGraph } from '../../src/load/import-graph.ts';
import { MINIMAL, REPO, fixture, lineOf } from './fixtures.ts';

describe('typecheckPolicies', () => {
  it('finds no type errors in the reference policies', async () => {
    const files = scanImportGraph(join(REPO, 'policies/index.ts')).files;
    expect(await typecheckPolicies(files)).toEqual([]);
  }, 60_000);

  it('reports TypeScript errors as Diagnostics with a ts code and a location', async () => {
    const text = MINIMAL.replace("kind: 'openai'", "kind: 'openai', timeoutMs: 5");
    const dir = fixture({ 'index.ts': text });
    const ds = await typecheckPolicies([join(dir, 'index.ts')]);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ severity: 'error', code: 'ts2353', path: '', source: { file: join(dir, 'index.ts'), line: lineOf(text, 'timeoutMs') } });
    expect(ds[0]!.message).toContain('timeoutMs');
  }, 60_000);
});
