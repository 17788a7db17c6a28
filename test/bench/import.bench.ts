/**
 * Speed of `switchyard import litellm` (the pure part: parse, map, validate,
 * compile, compare, render) on the reference policies' LiteLLM config with
 * their vLLM launch configs, and on a synthetic config of many deployments.
 * Prints medians; asserts nothing.
 */
import { importLitellm } from '../../src/import/litellm.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { emitLitellm } from '../../src/targets/litellm.ts';
import { emitVllm } from '../../src/targets/vllm.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { median } from './stats.ts';

function time(fn: () => void, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** `n` OpenAI deployments in n/4 groups, each group falling back to the next. */
function syntheticConfig(n: number): string {
  const lines = ['model_list:'];
  for (let i = 0; i < n; i++)
    lines.push(
      `  - model_name: group-${Math.floor(i / 4)}`,
      '    litellm_params:',
      `      model: openai/model-${i}`,
      '      api_key: os.environ/OPENAI_API_KEY',
      `      rpm: ${100 + i}`,
      '    model_info:',
      `      id: group-${Math.floor(i / 4)}/dep-${i}`,
      '      max_input_tokens: 128000',
      '      input_cost_per_token: 0.0000025',
      '      output_cost_per_token: 0.00001',
    );
  lines.push('router_settings:', '  routing_strategy: usage-based-routing-v2', '  fallbacks:');
  for (let g = 0; g < n / 4 - 1; g++) lines.push(`    - group-${g}: ["group-${g + 1}"]`);
  return `${lines.join('\n')}\n`;
}

export async function main(): Promise<void> {
  const plan = compilePolicy(await referencePolicy()).plan!;
  const config = emitLitellm(plan)[0]!.content;
  const vllm = emitVllm(plan)
    .filter((a) => a.path.endsWith('.yaml'))
    .map((a) => ({ pools: a.path.includes('70b') ? ['pool-a', 'pool-b'] : [a.path.split('/')[1]!], file: a.path, text: a.content }));
  const gpus = [
    { model: 'RTX 5090', vramGb: 32 },
    { pool: 'pool-c', model: 'RTX 3090', vramGb: 24 },
  ];
  const opts = { name: 'reference', file: 'config.yaml', vllm, gpus };
  importLitellm(config, opts);
  console.log(
    `reference config (${config.length.toLocaleString('en-US')} bytes, 9 entries, 4 vLLM configs): median ${time(() => importLitellm(config, opts), 30).toFixed(1)} ms per import`,
  );
  for (const n of [100, 1_000]) {
    const text = syntheticConfig(n);
    const r = importLitellm(text, { name: 'synthetic', file: 'config.yaml' });
    if (!r.files) throw new Error(`synthetic config of ${n} did not import: ${r.diagnostics[0]?.message}`);
    console.log(
      `synthetic config, ${n} deployments (${text.length.toLocaleString('en-US')} bytes): median ${time(() => importLitellm(text, { name: 'synthetic', file: 'config.yaml' }), n > 500 ? 5 : 15).toFixed(1)} ms per import`,
    );
  }
}
