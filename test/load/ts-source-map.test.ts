import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/load/index.ts';
import { loadPolicy } from '../../src/load/index.ts';
import { REPO, SRC_INDEX, fixture, lineOf } from './fixtures.ts';

const read = (name: string) => readFileSync(join(REPO, 'policies', name), 'utf8');

describe('source mapping over the reference policies', () => {
  let result: LoadResult;
  beforeAll(async () => {
    result = await loadPolicy(join(REPO, 'policies'));
    expect(result.diagnostics).toEqual([]);
  });

  // [policy path, file, line needle, optional anchor the needle is searched after]
  const cases: [string, string, string, string?][] = [
    ['modelGroups[3].fallbacks[0]', 'routing.ts', "fallbacks: ['chat-mini']", "name: 'chat-local'"],
    ['modelGroups[0].retries.count', 'routing.ts', 'count: 1,', 'const interactiveRetries'],
    ['modelGroups[2].retries', 'routing.ts', 'retries: interactiveRetries', "name: 'chat-anthropic'"],
    ['deployments[5].pool', 'routing.ts', "pool: 'pool-a'", "id: 'vllm-a-llama-8b'"],
    ['routerState.url', 'routing.ts', "url: 'env:SWITCHYARD_REDIS_URL'"],
    ['circuitBreaker.errorRateThreshold', 'routing.ts', 'errorRateThreshold: 0.05'],
    ['providers[1].apiKey', 'providers.ts', "apiKey: 'env:AZURE_EASTUS_API_KEY'"],
    ['providers[6]', 'providers.ts', "id: 'vllm-pool-c'"],
    ['batchProfiles[1].redaction.rules[0].pattern', 'batch-profiles.ts', "rules: [{ name: 'customer-number'"],
    ['batchProfiles[2].redaction.detectors[1]', 'batch-profiles.ts', "detectors: ['email', 'phone']"],
    ['batchProfiles[0].redaction.reidentify', 'batch-profiles.ts', 'redaction: { enabled: true, reidentify: true }'],
    ['batchProfiles[0].metadata.cost_center', 'batch-profiles.ts', "cost_center: 'cc-1042'"],
    ['tenants[0].rpm', 'tenants.ts', 'rpm: 1_200'],
    ['tenants[2].allowedGroups[1]', 'tenants.ts', "allowedGroups: ['premium', 'chat',"],
    ['gpuPools[0].models[1].spansPools[0]', 'gpu-pools.ts', "spansPools: ['pool-b']"],
    ['slos.targets[5].objective[1].value', 'slos.ts', "{ op: '<=', value: 0.6 }"],
    ['slos.alerts[3].for', 'slos.ts', "id: 'cost-anomaly'"],
    ['name', 'index.ts', "name: 'reference'"],
    ['providers', 'index.ts', 'providers,'],
  ];

  it.each(cases)('%s -> %s', async (path, file, needle, anchor) => {
    const loc = await result.locate(path);
    expect(loc).toMatchObject({ file: `policies/${file}`, line: lineOf(read(file), needle, anchor) });
  });

  it('points at the column where the property or element is written', async () => {
    const text = read('routing.ts');
    const loc = await result.locate(['modelGroups', 3, 'fallbacks', 0]);
    const line = text.split('\n')[loc!.line - 1]!;
    expect(loc!.column).toBe(line.indexOf("'chat-mini'") + 1);
  });

  it('falls back to the object literal for a key that is not written', async () => {
    const text = read('routing.ts');
    const loc = await result.locate('modelGroups[4].fallbacks');
    // chat-mini (modelGroups[4]) has no fallbacks: the `{` that opens it, the line above its name.
    expect(loc).toMatchObject({ file: 'policies/routing.ts', line: lineOf(text, "name: 'chat-mini'") - 1 });
    const literal = text.split('\n')[loc!.line - 1]!;
    expect(literal.trim()).toBe('{');
  });

  it('locates nothing for text that is not a policy path', async () => {
    expect(await result.locate('modelGroups[')).toBeUndefined();
  });

  it('points an unknown index at the deepest node it found', async () => {
    const loc = await result.locate('tenants[9].rpm');
    expect(loc).toMatchObject({ file: 'policies/tenants.ts', line: lineOf(read('tenants.ts'), 'defineTenants([') });
  });
});

describe('source mapping through the ways a value can be built', () => {
  const files = {
    'index.ts': `import base, { groups as modelGroups } from './groups.ts';
import * as unused from './groups.ts';
import { definePolicy } from '$SRC';

const extraTenants = [{ id: 'b', apiKeys: ['env:B'], allowedGroups: ['x'] }] as const;

export default definePolicy({
  ...base,
  modelGroups,
  tenants: [
    { id: 'a', apiKeys: ['env:A'], allowedGroups: ['x'] },
    ...extraTenants,
    { id: 'c', apiKeys: ['env:C'], allowedGroups: ['x'], rpm: computed() },
  ],
  slos: ({ targets: [] }) satisfies object,
});

function computed(): number {
  return 5;
}
void unused;
`,
    'groups.ts': `const shared = { deployments: ['d1'] };
const renamed = [
  { name: 'x', ...shared },
];
export { renamed as groups };
export default { name: 'spread-base', description: 'from a default export' };
`,
  };

  it('follows default, renamed and re-exported imports, spreads, as const, satisfies and calls', async () => {
    const dir = fixture(files);
    const result = await loadPolicy(dir);
    expect(result.diagnostics).toEqual([]);
    const index = files['index.ts'];
    const groups = files['groups.ts'];
    const at = async (p: string) => {
      const loc = await result.locate(p);
      return loc && { file: loc.file.replace(`${dir}/`, ''), line: loc.line };
    };
    expect(await at('name')).toEqual({ file: 'groups.ts', line: lineOf(groups, "name: 'spread-base'") });
    expect(await at('modelGroups[0].deployments[0]')).toEqual({ file: 'groups.ts', line: lineOf(groups, "deployments: ['d1']") });
    expect(await at('modelGroups[0].name')).toEqual({ file: 'groups.ts', line: lineOf(groups, "{ name: 'x'") });
    expect(await at('modelGroups')).toEqual({ file: 'index.ts', line: lineOf(index, '  modelGroups,') });
    expect(await at('tenants[0].id')).toEqual({ file: 'index.ts', line: lineOf(index, "{ id: 'a'") });
    expect(await at('tenants[1].apiKeys[0]')).toEqual({ file: 'index.ts', line: lineOf(index, "{ id: 'b'") });
    expect(await at('tenants[2].id')).toEqual({ file: 'index.ts', line: lineOf(index, "{ id: 'c'") });
    // A computed value: the property that holds it is as deep as the source goes.
    expect(await at('tenants[2].rpm')).toEqual({ file: 'index.ts', line: lineOf(index, 'rpm: computed()') });
    expect(await at('slos.targets')).toEqual({ file: 'index.ts', line: lineOf(index, 'slos: ({ targets') });
    expect(result.files).toEqual([join(dir, 'groups.ts'), join(dir, 'index.ts')]);
    expect(SRC_INDEX).toMatch(/src\/index\.ts$/);
  });

  it('locates diagnostics of a failing load through the same paths', async () => {
    const dir = fixture({ ...files, 'groups.ts': files['groups.ts'].replace("deployments: ['d1']", 'deployments: [42]') });
    const result = await loadPolicy(dir);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      code: 'invalid-type',
      path: 'modelGroups[0].deployments[0]',
      source: { file: join(dir, 'groups.ts'), line: 1, column: files['groups.ts'].indexOf("'d1'") + 1 },
    });
  });
});
