/** The adapter of each provider kind the gateway serves (pass-through providers are LiteLLM's only: runtime/servable.ts). */
import type { ServedProviderKind } from '../../model/closed-sets.ts';
import { anthropicAdapter } from './anthropic.ts';
import { azureAdapter } from './azure.ts';
import { openAiAdapter } from './openai.ts';
import { openAiCompatibleServiceAdapter } from './openai-compatible-service.ts';
import type { ProviderAdapter } from './types.ts';
import { vllmAdapter } from './vllm.ts';

export const ADAPTERS: Record<ServedProviderKind, ProviderAdapter> = {
  openai: openAiAdapter,
  azure_openai: azureAdapter,
  anthropic: anthropicAdapter,
  vllm: vllmAdapter,
  openai_compatible: openAiCompatibleServiceAdapter,
};
