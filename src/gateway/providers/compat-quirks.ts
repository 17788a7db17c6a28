/**
 * What the gateway's OpenAI adapter does differently for an
 * `openai_compatible` provider (Groq, OpenRouter, Ollama, llama.cpp's
 * server...), from the plan's `openaiCompatible` settings:
 * - path: the service's path prefix between the base URL and the OpenAI
 *   path (`/v1` for Ollama, whose base URL is its root, as LiteLLM gets it);
 * - headers: Bearer authentication when the provider has a key, plus the
 *   policy's extra headers (OpenRouter's HTTP-Referer, X-Title);
 * - body: `stream_options` never sent to a server that refuses it (the
 *   gateway then counts usage from the stream), `n` dropped when 1 and a
 *   request for more refused before any call, for a server without `n`.
 *
 * Pure functions over plan types, for the adapter to call; kept apart from
 * the adapters themselves (src/gateway/providers/ on the gateway branch) so
 * the quirks are tested on their own against a stand-in server.
 */
import type { PlanOpenAiCompatible, PlanProvider } from '../../plan/types.ts';

/** A request this provider cannot serve as asked: not the deployment's fault (the gateway's UnsupportedRequest). */
export class CompatRefusal extends Error {}

const settings = (p: PlanProvider): PlanOpenAiCompatible => {
  if (p.openaiCompatible === null) throw new Error(`provider ${p.id} is not openai_compatible`);
  return p.openaiCompatible;
};

/** Path and query on the origin: `<base path><prefix><OpenAI path>`, e.g. `/v1/chat/completions` under Ollama's root. */
export function compatPath(p: PlanProvider, basePath: string, upstreamPath: string): string {
  return `${basePath.replace(/\/+$/, '')}${settings(p).pathPrefix}${upstreamPath}`;
}

/** Headers of every call: JSON, the key as a Bearer token when there is one, and the policy's extra headers. */
export function compatHeaders(p: PlanProvider, key: string | null): Record<string, string> {
  return { 'content-type': 'application/json', ...settings(p).headers, ...(key === null ? {} : { authorization: `Bearer ${key}` }) };
}

/** Whether to ask the server for usage at the end of streams (`stream_options.include_usage`). */
export const compatStreamUsage = (p: PlanProvider): boolean => settings(p).streamOptions;

/**
 * The body to send, or null when the client's goes as it is (the adapter
 * then only splices in the deployment's model). Throws CompatRefusal for
 * `n` > 1 on a server without `n`.
 */
export function compatBody(p: PlanProvider, body: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
  const s = settings(p);
  let out: Record<string, unknown> | null = null;
  const drop = (key: string) => {
    out ??= { ...body };
    delete out[key];
  };
  if (!s.streamOptions && body.stream_options !== undefined) drop('stream_options');
  if (!s.n && body.n !== undefined && body.n !== null) {
    if (body.n !== 1) throw new CompatRefusal(`provider ${p.id} (${s.service}) cannot return several choices: send n = 1`);
    drop('n');
  }
  return out;
}
