/**
 * LiteLLM's provider prefix (`model: <prefix>/<name>`) -> our provider kind:
 * the one place the importer decides what a deployment runs on, built from
 * the closed sets the emitter uses too (src/model/closed-sets.ts), so the
 * two cannot drift apart (test/import/provider-prefix.test.ts checks every
 * kind both ways).
 *
 * - openai, azure, anthropic, hosted_vllm: our four first-party kinds;
 * - an OpenAI-compatible service's prefix (groq, ollama_chat, openrouter...):
 *   `openai_compatible` with that service;
 * - a provider only LiteLLM reaches (bedrock, vertex_ai, gemini...):
 *   `passthrough`, its parameters carried for LiteLLM;
 * - anything else is no LiteLLM provider we know: an error at the line.
 *
 * Prefixes from LiteLLM's provider list (`LITELLM_CHAT_PROVIDERS`,
 * litellm/constants.py, BerriAI/litellm).
 */
import { LITELLM_PASSTHROUGH_PROVIDERS, type OpenAiCompatibleService, type ProviderKind, serviceOfLitellmPrefix } from '../model/closed-sets.ts';

type FirstParty = Exclude<ProviderKind, 'openai_compatible' | 'passthrough'>;

const FIRST_PARTY: Readonly<Record<string, FirstParty>> = { openai: 'openai', azure: 'azure_openai', anthropic: 'anthropic', hosted_vllm: 'vllm' };
const PASSTHROUGH: ReadonlySet<string> = new Set(LITELLM_PASSTHROUGH_PROVIDERS);

/**
 * A model written without a prefix: LiteLLM infers the provider from the
 * model name through its cost map. Only the unambiguous families are
 * inferred here; anything else must be written with its prefix.
 */
const UNPREFIXED: ReadonlyArray<readonly [RegExp, FirstParty]> = [
  [/^(gpt-|chatgpt-|o[1-9](-|$)|text-embedding-|davinci|babbage)/, 'openai'],
  [/^claude-/, 'anthropic'],
];

export type ModelRef =
  | { kind: FirstParty; prefix: string; model: string; inferred: boolean }
  | { kind: 'openai_compatible'; service: OpenAiCompatibleService; prefix: string; model: string; inferred: false }
  | { kind: 'passthrough'; prefix: string; model: string; inferred: false }
  | { kind: null; prefix: string | null; model: string; reason: string };

/** `azure/gpt-4o` -> azure_openai + `gpt-4o`; the rest after the first `/` is the upstream model name (`hosted_vllm/meta-llama/...`). */
export function parseModelRef(text: string): ModelRef {
  const slash = text.indexOf('/');
  const prefix = slash > 0 ? text.slice(0, slash) : null;
  const model = slash > 0 ? text.slice(slash + 1) : text;
  if (prefix !== null) {
    if (Object.hasOwn(FIRST_PARTY, prefix)) return { kind: FIRST_PARTY[prefix]!, prefix, model, inferred: false };
    const service = serviceOfLitellmPrefix(prefix);
    if (service !== null) return { kind: 'openai_compatible', service, prefix, model, inferred: false };
    if (PASSTHROUGH.has(prefix)) return { kind: 'passthrough', prefix, model, inferred: false };
    return { kind: null, prefix, model: text, reason: `the LiteLLM provider "${prefix}", which Switchyard does not know` };
  }
  for (const [re, kind] of UNPREFIXED) if (re.test(text)) return { kind, prefix: kind, model: text, inferred: true };
  return { kind: null, prefix, model: text, reason: 'a model without a provider prefix that Switchyard cannot attribute' };
}
