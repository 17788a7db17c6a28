/**
 * Anthropic Messages API (`POST {base}/v1/messages`, `x-api-key`,
 * `anthropic-version`): chat completions only, translated both ways
 * (anthropic-translate.ts, anthropic-stream.ts). HTTP 529 "overloaded" is
 * read as a 503, so routing retries it like one.
 */
import { AnthropicRelay } from './anthropic-stream.ts';
import { ANTHROPIC_VERSION, toChatCompletion, toMessagesRequest } from './anthropic-translate.ts';
import { type ProviderAdapter, UnsupportedRequest } from './types.ts';

export const anthropicAdapter: ProviderAdapter = {
  kind: 'anthropic',
  defaultBase: 'https://api.anthropic.com',
  supports: (endpoint) => endpoint === 'chat',
  headers: (key) => ({ 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...(key === null ? {} : { 'x-api-key': key }) }),
  // Usage is always in message_start / message_delta.
  streamUsage: () => true,
  request(ex, target) {
    if (ex.endpoint !== 'chat') throw new UnsupportedRequest(`Anthropic serves chat completions only, not ${ex.endpoint}`);
    return { path: `${target.basePath}/v1/messages`, body: JSON.stringify(toMessagesRequest(ex.body, target.deployment.model, ex.stream)) };
  },
  decode(_ex, body) {
    let msg: unknown;
    try {
      msg = JSON.parse(body.toString('utf8'));
    } catch {
      return null;
    }
    const out = toChatCompletion(msg, Math.floor(Date.now() / 1000));
    return out && { body: JSON.stringify(out.completion), usage: out.usage };
  },
  relay: (ex) => new AnthropicRelay(ex.clientUsage, Math.floor(Date.now() / 1000)),
  routingStatus: (status) => (status === 529 ? 503 : status),
};
