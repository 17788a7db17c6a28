/**
 * Token usage out of an OpenAI-shaped response body without parsing it: the
 * `"usage"` object is read by key. Inside JSON strings every quote is
 * escaped, so `"prompt_tokens":` can only match a real key; the usage object
 * is the last one (OpenAI, Azure and vLLM put it at the end), hence the
 * search from the last `"usage"`.
 */
import type { Usage } from '../../runtime/types.ts';

const USAGE = '"usage"';

function intAfter(b: Buffer, key: string, from: number): number | null {
  const at = b.indexOf(key, from);
  if (at < 0) return null;
  let i = at + key.length;
  while (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09) i++;
  let n = 0;
  let digits = 0;
  for (let c = b[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = b[++i]) {
    n = n * 10 + (c - 0x30);
    digits++;
  }
  return digits > 0 ? n : null;
}

/** prompt / completion tokens of a chat, completion or embedding response (embeddings have no completion tokens); null without usage. */
export function usageOf(body: Buffer): Usage | null {
  const at = body.lastIndexOf(USAGE);
  if (at < 0) return null;
  const input = intAfter(body, '"prompt_tokens":', at);
  if (input === null) return null;
  return { inputTokens: input, outputTokens: intAfter(body, '"completion_tokens":', at) ?? 0 };
}

/** Usage from a parsed OpenAI usage object (stream chunks). */
export function usageFromObject(u: unknown): Usage | null {
  if (typeof u !== 'object' || u === null) return null;
  const o = u as { prompt_tokens?: unknown; completion_tokens?: unknown };
  if (typeof o.prompt_tokens !== 'number') return null;
  return { inputTokens: o.prompt_tokens, outputTokens: typeof o.completion_tokens === 'number' ? o.completion_tokens : 0 };
}
