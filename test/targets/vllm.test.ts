import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { Artifact, CompiledPlan } from '../../src/plan/types.ts';
import { emitAll } from '../../src/targets/index.ts';
import { booleanFlag, emitVllm, vllmEngines } from '../../src/targets/vllm.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { capacity, configToArgv, referenceLikePlan } from './vllm-plan.fixture.ts';

const byPath = (artifacts: Artifact[]) => new Map(artifacts.map((a) => [a.path, a]));
const body = (a: Artifact) =>
  a.content
    .split('\n')
    .filter((l) => !l.startsWith('#') && l !== '')
    .join('\n');
const header = (a: Artifact) =>
  a.content
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .join('\n');

function pairs(plan: CompiledPlan): { yaml: Artifact; args: Artifact }[] {
  const files = byPath(emitVllm(plan));
  return [...files.values()].filter((a) => a.path.endsWith('.yaml')).map((yaml) => ({ yaml, args: files.get(yaml.path.replace(/\.yaml$/, '.args.json'))! }));
}

describe('vLLM emitter', () => {
  it('emits a config and an argv list per (pool, model), a spanning model only under its home pool, and launch scripts for the engines it could place', () => {
    expect(emitVllm(referenceLikePlan()).map((a) => [a.path, a.mediaType])).toEqual([
      ['vllm/pool-a/llama-3.1-70b-instruct.yaml', 'application/yaml'],
      ['vllm/pool-a/llama-3.1-70b-instruct.args.json', 'application/json'],
      ['vllm/pool-a/llama-3.1-8b-instruct.yaml', 'application/yaml'],
      ['vllm/pool-a/llama-3.1-8b-instruct.args.json', 'application/json'],
      ['vllm/pool-b/llama-3.1-8b-instruct.yaml', 'application/yaml'],
      ['vllm/pool-b/llama-3.1-8b-instruct.args.json', 'application/json'],
      ['vllm/pool-c/llama-3.1-8b-instruct.yaml', 'application/yaml'],
      ['vllm/pool-c/llama-3.1-8b-instruct.args.json', 'application/json'],
      // Pools A and B have one GPU each here: the 70B takes it (engine ids in order), the 8Bs there get no GPU and no script.
      ['vllm/pool-a/llama-3.1-70b-instruct.sh', 'text/x-shellscript'],
      ['vllm/pool-b/llama-3.1-70b-instruct.ray-worker.sh', 'text/x-shellscript'],
      ['vllm/pool-c/llama-3.1-8b-instruct.sh', 'text/x-shellscript'],
    ]);
    expect(header(byPath(emitVllm(referenceLikePlan())).get('vllm/pool-a/llama-3.1-8b-instruct.yaml')!)).toContain(
      'No GPUs could be placed for this engine (its pools are over-committed): it has no launch script.',
    );
  });

  it('writes model, every engine setting and the capacity knobs; booleans as switches', () => {
    const files = byPath(emitVllm(referenceLikePlan()));
    expect(body(files.get('vllm/pool-a/llama-3.1-8b-instruct.yaml')!)).toBe(
      [
        'model: "meta-llama/Llama-3.1-8B-Instruct"',
        'served-model-name: ["llama-3.1-8b-instruct"]',
        'host: "0.0.0.0"',
        'port: 8000',
        'tensor-parallel-size: 1',
        'dtype: "bfloat16"',
        'kv-cache-dtype: "auto"',
        'max-model-len: 32768',
        'gpu-memory-utilization: 0.9',
        'max-num-seqs: 64',
        'max-num-batched-tokens: 8192',
        'enable-prefix-caching: true',
        'enable-chunked-prefill: true',
      ].join('\n'),
    );
    const c = parse(files.get('vllm/pool-c/llama-3.1-8b-instruct.yaml')!.content);
    expect(c).toMatchObject({ 'max-model-len': 16_384, 'kv-cache-dtype': 'fp8', 'max-num-seqs': 32, 'max-num-batched-tokens': 4_096 });
    expect(parse(files.get('vllm/pool-b/llama-3.1-8b-instruct.yaml')!.content).host).toBe('10.0.0.12');
  });

  it('every YAML parses back (YAML 1.1 as PyYAML reads it, and 1.2 alike) and its argv list is the same flags and values', () => {
    for (const { yaml, args } of pairs(referenceLikePlan())) {
      const config = parse(yaml.content, { version: '1.1' });
      expect(parse(yaml.content)).toEqual(config);
      const argv = JSON.parse(args.content);
      expect(Array.isArray(argv) && argv.every((x: unknown) => typeof x === 'string')).toBe(true);
      expect(argv).toEqual(configToArgv(config));
      expect(argv[0]).toBe(config.model);
    }
  });

  it('a spanning model runs tensor-parallel over Ray, and its header names the pools', () => {
    const files = byPath(emitVllm(referenceLikePlan()));
    const a = files.get('vllm/pool-a/llama-3.1-70b-instruct.yaml')!;
    expect(parse(a.content)).toMatchObject({ 'tensor-parallel-size': 2, 'distributed-executor-backend': 'ray', quantization: 'awq', port: 8001 });
    expect(header(a)).toContain('2 GPUs over pools pool-a (1x RTX 5090) + pool-b (1x RTX 5090)');
    expect(header(a)).toContain("The launch\n# script starts the cluster's head; on pool-b's host run sh vllm/pool-b/llama-3.1-70b-instruct.ray-worker.sh.");
    expect(parse(files.get('vllm/pool-a/llama-3.1-8b-instruct.yaml')!.content)).not.toHaveProperty('distributed-executor-backend');
    expect(parse(files.get('vllm/pool-a/llama-3.1-8b-instruct.yaml')!.content)).not.toHaveProperty('quantization');
  });

  it('the header names the source, the plan hash, the launch script and the GPUs it pins', () => {
    const plan = referenceLikePlan();
    const h = header(byPath(emitVllm(plan)).get('vllm/pool-c/llama-3.1-8b-instruct.yaml')!);
    expect(h).toMatch(/^# Generated by switchyard from policies\//);
    expect(h).toContain(plan.hash);
    expect(h).toContain(
      '#   sh vllm/pool-c/llama-3.1-8b-instruct.sh\n# It runs vllm serve --config vllm/pool-c/llama-3.1-8b-instruct.yaml with CUDA_VISIBLE_DEVICES=0',
    );
    expect(h).toContain(`# The same settings as arguments: vllm serve $(jq -r '.[]' vllm/pool-c/llama-3.1-8b-instruct.args.json).`);
    expect(h).toContain('# GPUs: pool-c GPU 0.');
  });

  it('never writes an API key; the header says which variable to export as VLLM_API_KEY', () => {
    const files = byPath(emitVllm(referenceLikePlan()));
    for (const { yaml, args } of pairs(referenceLikePlan())) {
      expect(Object.keys(parse(yaml.content))).not.toContain('api-key');
      expect(JSON.parse(args.content)).not.toContain('--api-key');
      expect(header(yaml)).toContain('VLLM_API_KEY environment variable');
    }
    expect(header(files.get('vllm/pool-a/llama-3.1-8b-instruct.yaml')!)).toContain('sends the key from VLLM_API_KEY: export VLLM_API_KEY');
    expect(header(files.get('vllm/pool-a/llama-3.1-70b-instruct.yaml')!)).toContain(
      'sends the key from environment variable POOL_AB_70B_KEY: export that value as VLLM_API_KEY',
    );
    expect(header(files.get('vllm/pool-b/llama-3.1-8b-instruct.yaml')!)).toContain(
      'sends the key from vault:secret/vllm#key: export that value as VLLM_API_KEY',
    );
    expect(header(files.get('vllm/pool-c/llama-3.1-8b-instruct.yaml')!)).toContain('Provider vllm-pool-c (http://pool-c.gpu.internal:8000/v1) sends no key');
  });

  it('flags a provider whose apiBase port is not the server port', () => {
    const plan = referenceLikePlan();
    plan.providers['vllm-pool-a']!.apiBase = 'http://pool-a.gpu.internal:9000/v1';
    expect(header(byPath(emitVllm(plan)).get('vllm/pool-a/llama-3.1-8b-instruct.yaml')!)).toContain("its port 9000 is not this server's port 8000");
  });

  it('names the variable a provider reads its base URL from', () => {
    const plan = referenceLikePlan();
    plan.providers['vllm-pool-c']!.apiBase = null;
    plan.providers['vllm-pool-c']!.apiBaseEnv = 'POOL_C_BASE';
    expect(header(byPath(emitVllm(plan)).get('vllm/pool-c/llama-3.1-8b-instruct.yaml')!)).toContain(
      'Provider vllm-pool-c (base URL from POOL_C_BASE) sends no key.',
    );
  });

  it('names the other engines on the same pools and says when a single GPU is over-committed', () => {
    const files = byPath(emitVllm(referenceLikePlan()));
    const h70 = header(files.get('vllm/pool-a/llama-3.1-70b-instruct.yaml')!);
    expect(h70).toContain('pool-a: pool-a/llama-3.1-8b-instruct (0.9); pool-b: pool-b/llama-3.1-8b-instruct (0.9)');
    expect(h70).toContain("cannot all run at once: pool-a's single GPU: 1.8; pool-b's single GPU: 1.8");
    expect(header(files.get('vllm/pool-b/llama-3.1-8b-instruct.yaml')!)).toContain('pool-b: pool-a/llama-3.1-70b-instruct (0.9)');
    expect(header(files.get('vllm/pool-c/llama-3.1-8b-instruct.yaml')!)).not.toContain('Other engines');
  });

  it('a model that does not fit gets no config; the others still do', () => {
    const plan = referenceLikePlan();
    plan.pools['pool-a']!.models['llama-3.1-70b-instruct']!.capacity = capacity({ fits: false, kvGbPerGpu: -3, kvTokens: 0 });
    const paths = emitVllm(plan).map((a) => a.path);
    expect(paths.filter((p) => p.includes('70b'))).toEqual([]);
    expect(paths).toContain('vllm/pool-a/llama-3.1-8b-instruct.yaml');
  });

  it('stays inside the budget when capacity figures contradict each other', () => {
    const plan = referenceLikePlan();
    const models = plan.pools['pool-a']!.models;
    // Says it fits, but the KV cache cannot hold one request of max-model-len.
    models['llama-3.1-70b-instruct']!.capacity = capacity({ kvTokens: 1_000 });
    // Batched tokens above the KV cache and more sequences than tokens.
    models['llama-3.1-8b-instruct']!.capacity = capacity({ kvTokens: 40_000, maxNumBatchedTokens: 50_000, maxNumSeqs: 60_000 });
    const files = byPath(emitVllm(plan));
    expect([...files.keys()].filter((p) => p.includes('70b'))).toEqual([]);
    expect(parse(files.get('vllm/pool-a/llama-3.1-8b-instruct.yaml')!.content)).toMatchObject({ 'max-num-batched-tokens': 40_000, 'max-num-seqs': 40_000 });
  });

  it('emits no config that asks for more than 98% of VRAM', () => {
    const plan = referenceLikePlan();
    plan.pools['pool-c']!.models['llama-3.1-8b-instruct']!.capacity = capacity({ gpuMemoryUtilization: 0.99 });
    expect(
      emitVllm(plan)
        .map((a) => a.path)
        .filter((p) => p.startsWith('vllm/pool-c/')),
    ).toEqual([]);
    plan.pools['pool-c']!.models['llama-3.1-8b-instruct']!.capacity = capacity({ gpuMemoryUtilization: 0.98 });
    expect(parse(byPath(emitVllm(plan)).get('vllm/pool-c/llama-3.1-8b-instruct.yaml')!.content)['gpu-memory-utilization']).toBe(0.98);
  });

  it('caps max-model-len at the pool context even if the plan did not', () => {
    const plan = referenceLikePlan();
    plan.pools['pool-c']!.models['llama-3.1-8b-instruct']!.maxModelLen = 131_072;
    expect(parse(byPath(emitVllm(plan)).get('vllm/pool-c/llama-3.1-8b-instruct.yaml')!.content)['max-model-len']).toBe(16_384);
  });

  it('uses port 8000 when the policy names none', () => {
    const plan = referenceLikePlan();
    plan.pools['pool-b']!.models['llama-3.1-8b-instruct']!.port = null;
    expect(parse(byPath(emitVllm(plan)).get('vllm/pool-b/llama-3.1-8b-instruct.yaml')!.content).port).toBe(8000);
  });

  it('a feature that must be off is written in its negative form, never as false', () => {
    expect(booleanFlag('enable-prefix-caching', true)).toEqual({ name: 'enable-prefix-caching', value: true });
    expect(booleanFlag('enable-prefix-caching', false)).toEqual({ name: 'no-enable-prefix-caching', value: true });
  });

  it('quotes strings PyYAML would read as booleans or numbers', () => {
    const plan = referenceLikePlan();
    const pool = plan.pools['pool-b']!;
    pool.host = 'on';
    const m = pool.models['llama-3.1-8b-instruct']!;
    pool.models = { '1.10': { ...m, id: 'pool-b/1.10', servedName: '1.10' } };
    const yaml = byPath(emitVllm(plan)).get('vllm/pool-b/1.10.yaml')!;
    expect(parse(yaml.content, { version: '1.1' })).toMatchObject({ host: 'on', 'served-model-name': ['1.10'] });
  });

  it('skips an engine whose served name argparse would read as a flag', () => {
    const plan = referenceLikePlan();
    const pool = plan.pools['pool-b']!;
    const m = pool.models['llama-3.1-8b-instruct']!;
    pool.models = { '-x': { ...m, id: 'pool-b/-x', servedName: '-x' } };
    expect(
      emitVllm(plan)
        .map((a) => a.path)
        .filter((p) => p.startsWith('vllm/pool-b/') && !p.endsWith('.ray-worker.sh')),
    ).toEqual([]);
  });

  it('is deterministic and pure', () => {
    const plan = referenceLikePlan();
    const before = JSON.stringify(plan);
    expect(emitVllm(plan)).toEqual(emitVllm(referenceLikePlan()));
    expect(JSON.stringify(plan)).toBe(before);
    expect(vllmEngines(plan).map((e) => e.path)).toEqual(
      emitVllm(plan)
        .filter((a) => a.path.endsWith('.yaml'))
        .map((a) => a.path),
    );
  });
});

describe('vLLM configs of the reference policy', () => {
  it('one per pool model, the 70B under pool-a over Ray, all within their pool context and capacity', async () => {
    const plan = compilePolicy(await referencePolicy()).plan!;
    const vllm = emitAll(plan).filter((a) => a.path.startsWith('vllm/'));
    expect(vllm.map((a) => a.path)).toEqual([
      'vllm/pool-a/llama-3.1-70b-instruct.args.json',
      'vllm/pool-a/llama-3.1-70b-instruct.sh',
      'vllm/pool-a/llama-3.1-70b-instruct.yaml',
      'vllm/pool-a/llama-3.1-8b-instruct.args.json',
      'vllm/pool-a/llama-3.1-8b-instruct.sh',
      'vllm/pool-a/llama-3.1-8b-instruct.yaml',
      'vllm/pool-b/llama-3.1-70b-instruct.ray-worker.sh',
      'vllm/pool-b/llama-3.1-8b-instruct.args.json',
      'vllm/pool-b/llama-3.1-8b-instruct.sh',
      'vllm/pool-b/llama-3.1-8b-instruct.yaml',
      'vllm/pool-c/llama-3.1-8b-instruct.args.json',
      'vllm/pool-c/llama-3.1-8b-instruct.sh',
      'vllm/pool-c/llama-3.1-8b-instruct.yaml',
    ]);
    for (const { yaml, args } of pairs(plan)) {
      const config = parse(yaml.content, { version: '1.1' });
      const [, poolId, file] = yaml.path.split('/');
      const pool = plan.pools[poolId!]!;
      const m = pool.models[file!.replace(/\.yaml$/, '')]!;
      expect(config['max-model-len']).toBeLessThanOrEqual(pool.maxContext);
      expect(config['max-num-batched-tokens']).toBe(Math.min(m.capacity.maxNumBatchedTokens, m.capacity.kvTokens));
      expect(config['gpu-memory-utilization']).toBe(m.capacity.gpuMemoryUtilization);
      expect(JSON.parse(args.content)).toEqual(configToArgv(config));
      expect(header(yaml)).toContain(plan.hash);
    }
    const a70 = parse(vllm.find((a) => a.path === 'vllm/pool-a/llama-3.1-70b-instruct.yaml')!.content);
    expect(a70).toMatchObject({ 'tensor-parallel-size': 2, 'distributed-executor-backend': 'ray', quantization: 'awq', port: 8001 });
    expect(parse(vllm.find((a) => a.path === 'vllm/pool-c/llama-3.1-8b-instruct.yaml')!.content)['max-model-len']).toBe(16_384);
  });
});
