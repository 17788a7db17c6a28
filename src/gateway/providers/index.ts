/** The adapter of each provider kind the plan knows. */
import type { ProviderKind } from '../../plan/types.ts';
import { anthropicAdapter } from './anthropic.ts';
import { azureAdapter } from './azure.ts';
import { openAiAdapter } from './openai.ts';
import type { ProviderAdapter } from './types.ts';
import { vllmAdapter } from './vllm.ts';

export const ADAPTERS: Record<ProviderKind, ProviderAdapter> = {
  openai: openAiAdapter,
  azure_openai: azureAdapter,
  anthropic: anthropicAdapter,
  vllm: vllmAdapter,
};
