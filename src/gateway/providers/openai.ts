/**
 * OpenAI (api.openai.com and OpenAI-compatible services): `Authorization:
 * Bearer <key>`, endpoints under the base URL (`https://api.openai.com/v1`
 * by default), usage at the end of streams when asked.
 */
import { openAiCompatible, openAiPath } from './openai-compatible.ts';

export const openAiAdapter = openAiCompatible({
  kind: 'openai',
  defaultBase: 'https://api.openai.com/v1',
  auth: (key): Record<string, string> => (key === null ? {} : { authorization: `Bearer ${key}` }),
  path: openAiPath,
  streamUsage: () => true,
});
