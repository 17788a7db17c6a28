/**
 * LiteLLM's provider prefix (`model: <prefix>/<name>`) -> our provider kind:
 * the one table the importer consults, so a new kind (an OpenAI-compatible
 * or pass-through kind) maps here and nowhere else. The emitter's inverse is
 * PROVIDER_PREFIX in src/targets/litellm.ts; test/import/provider-prefix.test.ts
 * checks that the two agree.
 *
 * Prefixes from LiteLLM's provider list (`LlmProviders` in
 * litellm/types/utils.py, BerriAI/litellm; docs/my-website/docs/providers/).
 */
import type { ProviderKind } from '../model/closed-sets.ts';

export type PrefixMapping =
  | { kind: ProviderKind }
  /** LiteLLM knows the provider; Switchyard has no kind for it yet. */
  | { kind: null; reason: string };

const OPENAI_COMPATIBLE = 'an OpenAI-compatible server that Switchyard has no provider kind for yet';
const PASS_THROUGH = 'a provider Switchyard has no provider kind (and the gateway no adapter) for yet';

export const LITELLM_PREFIXES: Readonly<Record<string, PrefixMapping>> = {
  openai: { kind: 'openai' },
  azure: { kind: 'azure_openai' },
  anthropic: { kind: 'anthropic' },
  hosted_vllm: { kind: 'vllm' },
  // Served over OpenAI's chat/completions, but under their own LiteLLM prefix and parameters.
  ollama: { kind: null, reason: OPENAI_COMPATIBLE },
  ollama_chat: { kind: null, reason: OPENAI_COMPATIBLE },
  groq: { kind: null, reason: OPENAI_COMPATIBLE },
  openrouter: { kind: null, reason: OPENAI_COMPATIBLE },
  fireworks_ai: { kind: null, reason: OPENAI_COMPATIBLE },
  together_ai: { kind: null, reason: OPENAI_COMPATIBLE },
  deepseek: { kind: null, reason: OPENAI_COMPATIBLE },
  mistral: { kind: null, reason: OPENAI_COMPATIBLE },
  lm_studio: { kind: null, reason: OPENAI_COMPATIBLE },
  llamafile: { kind: null, reason: OPENAI_COMPATIBLE },
  xai: { kind: null, reason: OPENAI_COMPATIBLE },
  perplexity: { kind: null, reason: OPENAI_COMPATIBLE },
  // Their own APIs and credentials (regions, projects, service accounts).
  bedrock: { kind: null, reason: PASS_THROUGH },
  vertex_ai: { kind: null, reason: PASS_THROUGH },
  gemini: { kind: null, reason: PASS_THROUGH },
  azure_ai: { kind: null, reason: PASS_THROUGH },
  cohere: { kind: null, reason: PASS_THROUGH },
  huggingface: { kind: null, reason: PASS_THROUGH },
  sagemaker: { kind: null, reason: PASS_THROUGH },
  watsonx: { kind: null, reason: PASS_THROUGH },
};

/**
 * A model written without a prefix: LiteLLM infers the provider from the
 * model name through its cost map. Only the unambiguous families are
 * inferred here; anything else must be written with its prefix.
 */
const UNPREFIXED: ReadonlyArray<readonly [RegExp, ProviderKind]> = [
  [/^(gpt-|chatgpt-|o[1-9](-|$)|text-embedding-|davinci|babbage)/, 'openai'],
  [/^claude-/, 'anthropic'],
];

export type ModelRef =
  | { kind: ProviderKind; prefix: string; model: string; inferred: boolean }
  | { kind: null; prefix: string | null; model: string; reason: string };

/** `azure/gpt-4o` -> azure_openai + `gpt-4o`; the rest after the first `/` is the upstream model name (`hosted_vllm/meta-llama/...`). */
export function parseModelRef(text: string): ModelRef {
  const slash = text.indexOf('/');
  const prefix = slash > 0 ? text.slice(0, slash) : null;
  if (prefix !== null && Object.hasOwn(LITELLM_PREFIXES, prefix)) {
    const m = LITELLM_PREFIXES[prefix]!;
    const model = text.slice(slash + 1);
    return m.kind === null ? { kind: null, prefix, model, reason: m.reason } : { kind: m.kind, prefix, model, inferred: false };
  }
  if (prefix === null)
    for (const [re, kind] of UNPREFIXED) if (re.test(text)) return { kind, prefix: kind === 'openai' ? 'openai' : 'anthropic', model: text, inferred: true };
  return {
    kind: null,
    prefix,
    model: text,
    reason:
      prefix === null
        ? 'a model without a provider prefix that Switchyard cannot attribute'
        : `the LiteLLM provider "${prefix}", which Switchyard has no provider kind for`,
  };
}
