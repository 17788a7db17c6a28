/**
 * Scenario files: the committed JSON Schema (schemas/scenario.schema.json)
 * compiles under ajv's strict mode and accepts a file that uses every
 * property it declares; that file becomes the Scenario its fields say; and
 * what only the plan can tell is reported with the path of the field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioValidator } from '../../src/load/scenario-file.ts';
import { parsePlan } from '../../src/plan/read.ts';
import { type ScenarioFile, scenarioFromFile } from '../../src/simulate/scenario-file.ts';

const plan = parsePlan(readFileSync(new URL('../../generated/plan.json', import.meta.url), 'utf8'));
const schema = JSON.parse(readFileSync(new URL('../../schemas/scenario.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const everything: ScenarioFile = {
  name: 'everything',
  description: 'every field the schema has',
  duration: '30m',
  replicas: 4,
  tenantLoad: 0.5,
  providers: { anthropic: { p50: '400ms', p95: '900ms', errorRate: 0.01 } },
  gpus: { 'RTX 5090': { memoryBandwidthGBs: 1800, denseFp16Tflops: 200 } },
  events: [
    { kind: 'outage', target: { provider: 'openai' }, at: '5m', for: '10m', mode: 'timeout' },
    { kind: 'outage', target: { pool: 'pool-c' }, mode: 'connection' },
    { kind: 'latency', target: { deployment: 'azure-eastus-gpt-4o' }, multiplier: 2, at: '1m' },
    { kind: 'latency', target: { provider: 'anthropic' }, p50: '1s', p95: '3s' },
    { kind: 'error-rate', target: { provider: 'azure-swedencentral' }, rate: 0.2, for: '90s' },
    { kind: 'traffic', group: 'chat', multiplier: 1.5, at: '10m', for: '5m' },
    { kind: 'traffic', multiplier: 2 },
    { kind: 'state-store-down', at: '20m', for: '1m' },
  ],
};

/** Property names the schema declares anywhere. */
function declared(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) declared(n, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) out.add(k);
    for (const v of Object.values(o)) declared(v, out);
  }
  return out;
}

/** Keys used anywhere in a value (map keys of providers and gpus aside). */
function used(v: unknown, out = new Set<string>(), mapKeys = false): Set<string> {
  if (Array.isArray(v)) for (const x of v) used(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      if (!mapKeys) out.add(k);
      used(x, out, k === 'providers' || k === 'gpus');
    }
  return out;
}

describe('scenario files', () => {
  it('the schema compiles under strict ajv and accepts a file using every property it declares', () => {
    const validate = scenarioValidator();
    expect(validate(everything), JSON.stringify(validate.errors)).toBe(true);
    const missing = [...declared(schema)].filter((k) => k !== '$schema' && !used(everything).has(k));
    expect(missing).toEqual([]);
    expect(validate({ name: 'x', events: [{ kind: 'traffic' }] })).toBe(false);
    expect(validate({ name: 'x', events: [{ kind: 'outage', target: { provider: 'a', pool: 'b' } }] })).toBe(false);
    expect(validate({ name: 'x', extra: 1 })).toBe(false);
    // A description is printed on terminals: no control characters (escape sequences).
    expect(validate({ name: 'x', description: 'red \u001b[31m alert' })).toBe(false);
    expect(validate({ name: 'x', description: 'OpenAI down — 30 min at peak' })).toBe(true);
    // Group names as clients send them, and nothing a group name may not hold.
    for (const group of ['qwen2.5:7b', 'openai/gpt-4o-mini', 'Llama-3.1-8B-Instruct', 'claude@bedrock'])
      expect([group, validate({ name: 'x', events: [{ kind: 'traffic', group, multiplier: 2 }] })]).toEqual([group, true]);
    for (const group of ['-x', 'a b', 'a"b', 'x'.repeat(129)])
      expect([group, validate({ name: 'x', events: [{ kind: 'traffic', group, multiplier: 2 }] })]).toEqual([group, false]);
  });

  it('becomes the scenario its fields say', () => {
    const { scenario, diagnostics } = scenarioFromFile(everything, plan, 3_600_000);
    expect(diagnostics).toEqual([]);
    expect(scenario).toMatchObject({
      name: 'everything',
      kind: 'file',
      durationMs: 1_800_000,
      replicas: 4,
      tenantLoad: 0.5,
      providers: { anthropic: { p50Ms: 400, p95Ms: 900, errorRate: 0.01 } },
      gpus: { 'RTX 5090': { memoryBandwidthGBs: 1800, denseFp16Tflops: 200 } },
    });
    expect(scenario!.events).toEqual([
      { kind: 'outage', target: { provider: 'openai' }, mode: 'timeout', fromMs: 300_000, toMs: 900_000 },
      { kind: 'outage', target: { pool: 'pool-c' }, mode: 'connection', fromMs: 0, toMs: Infinity },
      { kind: 'latency', target: { deployment: 'azure-eastus-gpt-4o' }, multiplier: 2, p50Ms: null, p95Ms: null, fromMs: 60_000, toMs: Infinity },
      { kind: 'latency', target: { provider: 'anthropic' }, multiplier: null, p50Ms: 1_000, p95Ms: 3_000, fromMs: 0, toMs: Infinity },
      { kind: 'error-rate', target: { provider: 'azure-swedencentral' }, rate: 0.2, fromMs: 0, toMs: 90_000 },
      { kind: 'traffic', group: 'chat', multiplier: 1.5, fromMs: 600_000, toMs: 900_000 },
      { kind: 'traffic', group: null, multiplier: 2, fromMs: 0, toMs: Infinity },
      { kind: 'state-store-down', fromMs: 1_200_000, toMs: 1_260_000 },
    ]);
  });

  it('reports what only the plan can tell, at the path of the field', () => {
    const { scenario, diagnostics } = scenarioFromFile(
      {
        name: 'bad',
        providers: { 'vllm-pool-a': { p50: '1s' }, nobody: {}, openai: { p50: '2s', p95: '1s' } },
        events: [
          { kind: 'outage', target: { deployment: 'gpt-5' } },
          { kind: 'latency', target: { provider: 'openai' } },
          { kind: 'latency', target: { provider: 'openai' }, multiplier: 2, p95: '1s' },
          { kind: 'traffic', group: 'chatt', multiplier: 2 },
          { kind: 'error-rate', target: { pool: 'pool-a' }, rate: 0.1, at: '10m', for: '0s' },
        ],
      },
      plan,
      600_000,
    );
    expect(scenario).toBeUndefined();
    expect(diagnostics.map((d) => [d.path, d.code])).toEqual([
      ['providers["vllm-pool-a"]', 'scenario-vllm-latency'],
      ['providers.nobody', 'scenario-unknown-id'],
      ['providers.openai.p95', 'scenario-p95-below-p50'],
      ['events[0].target.deployment', 'scenario-unknown-id'],
      ['events[1]', 'scenario-latency-empty'],
      ['events[2].p95', 'scenario-latency-empty'],
      ['events[3].group', 'scenario-unknown-id'],
      ['events[4].at', 'scenario-event-after-end'],
      ['events[4].for', 'scenario-empty-window'],
    ]);
    expect(diagnostics.find((d) => d.path === 'events[3].group')!.hint).toBe('did you mean "chat"?');
  });
});
