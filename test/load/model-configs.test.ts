/**
 * Models the catalog does not know, declared by a policy through a
 * config.json in the repository: read with a size and time limit, inside the
 * policy's directory only, and turned into the figures the capacity planner
 * sizes the engine with; a mixture-of-experts or hybrid config is refused at
 * the line that names it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/load/index.ts';
import { MAX_CONFIG_BYTES } from '../../src/load/model-configs.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { codesAt, compileEdited } from '../fixtures/policies.ts';
import { fixture, lineOf } from './fixtures.ts';

/** A dense decoder the built-in catalog does not have (Qwen3-8B's published figures). */
const QWEN3_8B = {
  architectures: ['Qwen3ForCausalLM'],
  model_type: 'qwen3',
  hidden_size: 4096,
  intermediate_size: 12288,
  num_attention_heads: 32,
  num_hidden_layers: 36,
  num_key_value_heads: 8,
  head_dim: 128,
  vocab_size: 151936,
  max_position_embeddings: 40960,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  sliding_window: null,
  use_sliding_window: false,
};

const policyYaml = (models: string) => `name: open-catalog
providers:
  - id: local
    kind: vllm
    apiBase: http://gpu.internal:8000/v1
deployments:
  - id: qwen
    provider: local
    model: qwen3-8b
    pool: pool-a
    contextWindow: 32768
    pricing: { inputPer1M: 0.05, outputPer1M: 0.1 }
modelGroups:
  - name: local
    deployments: [qwen]
gpuPools:
  - id: pool-a
    gpu: { model: RTX 5090, vramGb: 32 }
    maxContext: 32768
    models:
      - model: Qwen/Qwen3-8B
        servedName: qwen3-8b
        expected: { promptTokens: 2000, completionTokens: 400 }
models:
${models}`;

const declared = (configFile: string) => `  - id: Qwen/Qwen3-8B\n    configFile: ${configFile}\n`;

async function load(files: Record<string, string>) {
  const dir = fixture(files);
  return { dir, result: await loadPolicy(join(dir, 'policy.yaml')) };
}

describe('models declared by a config.json in the repository', () => {
  it('plans an engine for a model the built-in catalog does not know', async () => {
    const { result } = await load({
      'policy.yaml': policyYaml(declared('models/qwen3-8b/config.json')),
      'models/qwen3-8b/config.json': JSON.stringify(QWEN3_8B),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.policy!.models[0]!.architecture).toMatchObject({
      layers: 36,
      kvHeads: 8,
      headDim: 128,
      hiddenSize: 4096,
      vocabSize: 151_936,
      dtype: 'bfloat16',
    });
    const compiled = compilePolicy(result.policy!);
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const cap = compiled.plan!.pools['pool-a']!.models['qwen3-8b']!.capacity;
    // 2 x 36 layers x 8 KV heads x 128 x 2 bytes: the KV cache is sized with the declared architecture.
    expect(cap.kvBytesPerTokenPerGpu).toBe(147_456);
    expect(cap.fits).toBe(true);
    expect(cap.weightsGbPerGpu).toBeGreaterThan(16);
    expect(cap.weightsGbPerGpu).toBeLessThan(17);
  });

  it('the same model declared inline gives the same plan', async () => {
    const inline = `  - id: Qwen/Qwen3-8B
    architecture: { layers: 36, attentionHeads: 32, kvHeads: 8, headDim: 128, hiddenSize: 4096, intermediateSize: 12288, vocabSize: 151936, maxPositionEmbeddings: 40960, dtype: bfloat16 }
`;
    const a = await load({ 'policy.yaml': policyYaml(inline) });
    const b = await load({ 'policy.yaml': policyYaml(declared('config.json')), 'config.json': JSON.stringify(QWEN3_8B) });
    expect(a.result.diagnostics).toEqual([]);
    const capA = compilePolicy(a.result.policy!).plan!.pools['pool-a']!.models['qwen3-8b']!.capacity;
    const capB = compilePolicy(b.result.policy!).plan!.pools['pool-a']!.models['qwen3-8b']!.capacity;
    expect(capA).toEqual(capB);
  });

  it('refuses a mixture-of-experts config at the line of its configFile, saying the estimate does not apply', async () => {
    const text = policyYaml(declared('moe.json'));
    const { dir, result } = await load({ 'policy.yaml': text, 'moe.json': JSON.stringify({ ...QWEN3_8B, num_experts: 128, moe_intermediate_size: 768 }) });
    expect(result.policy).toBeUndefined();
    const [d] = result.diagnostics;
    expect(d).toMatchObject({ code: 'model-not-dense', path: 'models[0].configFile', severity: 'error' });
    expect(d!.message).toContain('is a mixture-of-experts model (num_experts: 128 in config.json): the capacity estimate covers dense decoders');
    expect(d!.source).toMatchObject({ file: expect.stringContaining(join(dir, 'policy.yaml').split('/').pop()!), line: lineOf(text, 'configFile: moe.json') });
  });

  it.each([
    ['experts: 8', 'experts', 'a mixture-of-experts model (experts: 8)'],
    ['slidingWindow: 4096', 'slidingWindow', 'a sliding-window model (slidingWindow: 4096)'],
    ['kvLoraRank: 512', 'kvLoraRank', 'a multi-head latent attention model (kvLoraRank: 512)'],
    ['stateSize: 128', 'stateSize', 'a hybrid model (stateSize: 128)'],
  ])('refuses an inline architecture with %s at its line, saying the estimate does not apply', async (field, key, what) => {
    const inline = `  - id: Qwen/Qwen3-8B
    architecture: { layers: 36, attentionHeads: 32, kvHeads: 8, headDim: 128, hiddenSize: 4096, intermediateSize: 12288, vocabSize: 151936, maxPositionEmbeddings: 40960, dtype: bfloat16, ${field} }
`;
    const text = policyYaml(inline);
    const { result } = await load({ 'policy.yaml': text });
    expect(result.policy).toBeUndefined();
    expect(result.diagnostics).toHaveLength(1);
    const [d] = result.diagnostics;
    expect(d).toMatchObject({ severity: 'error', path: `models[0].architecture.${key}` });
    expect(d!.message).toContain(`${what}`);
    expect(d!.message).toContain('the capacity estimate covers dense decoders with full attention in every layer only');
    expect(d!.source).toMatchObject({ line: lineOf(text, 'architecture:') });
  });

  it('accepts an inline dense architecture that states one expert and a window as long as its context', async () => {
    const inline = `  - id: Qwen/Qwen3-8B
    architecture: { layers: 36, attentionHeads: 32, kvHeads: 8, headDim: 128, hiddenSize: 4096, intermediateSize: 12288, vocabSize: 151936, maxPositionEmbeddings: 40960, dtype: bfloat16, experts: 1, slidingWindow: 40960 }
`;
    const { result } = await load({ 'policy.yaml': policyYaml(inline) });
    expect(result.diagnostics).toEqual([]);
  });

  it('reads only inside the policy directory: a symlink out of it, a missing file and a directory are errors', async () => {
    const outside = fixture({ 'config.json': JSON.stringify(QWEN3_8B) });
    const dir = fixture({ 'policy.yaml': policyYaml(declared('link.json')) });
    symlinkSync(join(outside, 'config.json'), join(dir, 'link.json'));
    const escaped = await loadPolicy(join(dir, 'policy.yaml'));
    expect(escaped.diagnostics.map((d) => [d.code, d.message.split(': ').pop()])).toEqual([
      ['model-config-unreadable', "it leads outside the policy's directory"],
    ]);

    const missing = await load({ 'policy.yaml': policyYaml(declared('nope.json')) });
    expect(missing.result.diagnostics[0]!.message).toContain('cannot be used: no such file');

    const asDir = fixture({ 'policy.yaml': policyYaml(declared('cfg.json')) });
    mkdirSync(join(asDir, 'cfg.json'));
    expect((await loadPolicy(join(asDir, 'policy.yaml'))).diagnostics[0]!.message).toContain('it is not a regular file');
  });

  it('refuses a file over the size limit without reading it into memory, and a FIFO without blocking', async () => {
    const big = await load({ 'policy.yaml': policyYaml(declared('big.json')), 'big.json': ' '.repeat(MAX_CONFIG_BYTES + 1) });
    expect(big.result.diagnostics[0]!.message).toContain(`it is ${MAX_CONFIG_BYTES + 1} bytes, over the ${MAX_CONFIG_BYTES}-byte limit`);
    const dir = fixture({ 'policy.yaml': policyYaml(declared('fifo.json')) });
    const made = spawnSync('mkfifo', [join(dir, 'fifo.json')]);
    if (made.status !== 0) return; // no mkfifo on this system: the regular-file check above still runs
    const fifo = await loadPolicy(join(dir, 'policy.yaml'));
    expect(fifo.diagnostics[0]!.message).toContain('it is not a regular file');
  });

  it('rejects a path that climbs out or is absolute before any read, in the schema', async () => {
    for (const bad of ['../config.json', '/etc/passwd.json', 'a/../../b.json', 'config.yaml']) {
      const { result } = await load({ 'policy.yaml': policyYaml(declared(bad)) });
      expect(result.diagnostics.map((d) => d.path)).toEqual(['models[0].configFile']);
    }
  });

  it('refuses a quantization that contradicts the config.json, and invalid JSON', async () => {
    const awq = { ...QWEN3_8B, torch_dtype: 'float16', quantization_config: { quant_method: 'awq', bits: 4 } };
    const wrong = await load({ 'policy.yaml': policyYaml(`${declared('c.json')}    quantization: gptq\n`), 'c.json': JSON.stringify(awq) });
    expect(wrong.result.diagnostics.map((d) => `${d.code} @ ${d.path}`)).toEqual(['model-quantization-mismatch @ models[0].quantization']);
    const read = await load({ 'policy.yaml': policyYaml(declared('c.json')), 'c.json': JSON.stringify(awq) });
    expect(read.result.policy!.models[0]!.quantization).toBe('awq');
    const broken = await load({ 'policy.yaml': policyYaml(declared('c.json')), 'c.json': '{ "hidden_size": ' });
    expect(broken.result.diagnostics[0]!.code).toBe('model-config-invalid');
  });

  it('a policy compiled without the loader cannot use an unread configFile', () => {
    const r = compileEdited((p) => void (p.models = [{ id: 'Qwen/Qwen3-8B', configFile: 'c.json' }]));
    expect(codesAt(r.diagnostics)).toEqual(['model-config-not-read @ models[0].configFile']);
  });
});
