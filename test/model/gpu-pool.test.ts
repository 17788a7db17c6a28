import { expect, it } from 'vitest';
import { PoolModel } from '../../src/model/gpu-pool.ts';

const model = (servedName: string) =>
  PoolModel.safeParse({ model: 'meta-llama/Llama-3.1-8B-Instruct', servedName, expected: { promptTokens: 1, completionTokens: 1 } });

it('rejects a served name vLLM would read as a flag', () => {
  expect(model('llama-3.1-8b').success).toBe(true);
  const bad = model('-llama');
  expect(bad.success).toBe(false);
  expect(bad.error!.issues[0]!.message).toMatch(/leading - as a flag/);
});
