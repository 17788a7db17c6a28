/**
 * Any OpenAI-compatible server (`openai_compatible`: Groq, OpenRouter,
 * Ollama, llama.cpp's server...): OpenAI's adapter, with the provider's
 * quirks from the plan (compat-quirks.ts): its path prefix, its extra
 * headers, no `stream_options` or `n` where the server refuses them. A
 * request for several choices from a server without `n` is unsupported
 * there (the router tries the group's other deployments), never sent.
 */
import { UPSTREAM_PATH } from '../endpoints.ts';
import type { ExchangeView } from '../exchange.ts';
import { CompatRefusal, compatBody, compatHeaders, compatPath, compatStreamUsage } from './compat-quirks.ts';
import { openAiCompatible, upstreamBody } from './openai-compatible.ts';
import { type ProviderAdapter, type Target, UnsupportedRequest, type UpstreamRequest } from './types.ts';

const shared = openAiCompatible({
  kind: 'openai_compatible',
  defaultBase: null,
  auth: (key): Record<string, string> => (key === null ? {} : { authorization: `Bearer ${key}` }),
  path: (endpoint, t) => compatPath(t.provider, t.basePath, UPSTREAM_PATH[endpoint]),
  streamUsage: compatStreamUsage,
});

/** The client's exchange with the body this server accepts (the same exchange when nothing changes). */
function shaped(ex: ExchangeView, target: Target): ExchangeView {
  let body: Record<string, unknown> | null;
  try {
    body = compatBody(target.provider, ex.body);
  } catch (e) {
    if (e instanceof CompatRefusal) throw new UnsupportedRequest(e.message);
    throw e;
  }
  if (body === null) return ex;
  return {
    endpoint: ex.endpoint,
    body,
    raw: Buffer.from(JSON.stringify(body)),
    stream: ex.stream,
    clientUsage: ex.clientUsage,
    estimatedInputTokens: ex.estimatedInputTokens,
    requestId: ex.requestId,
  };
}

export const openAiCompatibleServiceAdapter: ProviderAdapter = {
  ...shared,
  headers: (key, provider) => compatHeaders(provider, key),
  request: (ex, target): UpstreamRequest => ({
    path: compatPath(target.provider, target.basePath, UPSTREAM_PATH[ex.endpoint]),
    body: upstreamBody(shaped(ex, target), target),
  }),
};
