/**
 * vLLM's OpenAI-compatible server: the base URL is the engine's `/v1`; the
 * key is optional (`--api-key` on the engine); usage at the end of streams
 * when asked. Its streams differ from OpenAI's in ways a byte-for-byte relay
 * need not care about (finish_reason arrives with the last token, no
 * `"usage": null` on intermediate chunks).
 */
import { openAiCompatible, openAiPath } from './openai-compatible.ts';

export const vllmAdapter = openAiCompatible({
  kind: 'vllm',
  defaultBase: null,
  auth: (key): Record<string, string> => (key === null ? {} : { authorization: `Bearer ${key}` }),
  path: openAiPath,
  streamUsage: () => true,
});
