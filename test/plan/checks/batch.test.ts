import { describe } from 'vitest';
import { checkCases } from './cases.ts';

describe('batch profiles', () => {
  checkCases([
    {
      name: 'a provider without an OpenAI-compatible Batch API',
      edit: (p) => void (p.batchProfiles[0]!.provider = 'vllm-a'),
      expected: 'batch-provider-unsupported @ batchProfiles[0].provider',
      mentions: ['"extraction"', '"vllm-a"'],
    },
  ]);
});
