/**
 * What OpenAI, Azure OpenAI and vLLM share: the client's body goes upstream
 * as received with only `model` set to the deployment's model (and, for
 * streams, `stream_options.include_usage` asked for so spend comes from the
 * provider's counts); answers come back byte for byte. Streams are relayed
 * event by event: the usage chunk the gateway asked for is read and, when
 * the client did not ask for it, left out.
 */
import type { PlanProvider } from '../../plan/types.ts';
import type { Usage } from '../../runtime/types.ts';
import { type EndpointKind, UPSTREAM_PATH } from '../endpoints.ts';
import type { ExchangeView } from '../exchange.ts';
import { scanTopLevelMember, withTopLevelMember } from '../json-members.ts';
import { parseEvent, SseSplitter } from '../upstream/sse.ts';
import type { Decoded, ProviderAdapter, StreamFailure, StreamRelay, Target, UpstreamRequest } from './types.ts';
import { usageFromObject, usageOf } from './usage.ts';

const INCLUDE_USAGE = '"stream_options":{"include_usage":true}';

/** The body sent upstream: the client's, with the deployment's model (and the usage request for streams). */
export function upstreamBody(ex: ExchangeView, target: Target): Buffer | string {
  const askUsage = ex.stream && target.streamUsage && !ex.clientUsage;
  const so = ex.body.stream_options;
  if (askUsage && so !== undefined && so !== null) {
    // The client sent stream_options without include_usage: merge (rare, so the simple way).
    return JSON.stringify({ ...ex.body, model: target.deployment.model, stream_options: { ...(so as object), include_usage: true } });
  }
  const spliced = withTopLevelMember(ex.raw, 'model', target.modelJson, askUsage ? INCLUDE_USAGE : '');
  if (spliced !== null) return spliced;
  return JSON.stringify({ ...ex.body, model: target.deployment.model, ...(askUsage ? { stream_options: { include_usage: true } } : {}) });
}

function decodeOpenAi(ex: ExchangeView, body: Buffer): Decoded | null {
  // A 200 whose body is not a JSON object (cut short, garbled) or carries an error envelope is the provider's failure, not an answer:
  // the structural scan costs one pass over the bytes, no parse.
  const error = scanTopLevelMember(body, 'error');
  if (error === undefined) return null;
  if (error !== null && body.toString('latin1', error.valueStart, error.valueEnd) !== 'null') return null;
  const usage = usageOf(body);
  // Without usage (some servers omit it) the estimate stands in for input; output is unknown.
  return { body, usage: usage ?? { inputTokens: ex.estimatedInputTokens, outputTokens: 0 } };
}

/** Fragments carrying text or tool-call arguments: one token each, when the upstream sends no usage (older Azure API versions, servers that ignore stream_options). */
const FRAGMENT = /"(?:content|arguments|text)":"(?!")/;

export class OpenAiRelay implements StreamRelay {
  private readonly splitter = new SseSplitter();
  private counted: Usage | null = null;
  private fragments = 0;
  private done = false;
  failure: StreamFailure | null = null;

  constructor(
    /** Leave the usage chunk out: the gateway asked for it, the client did not. */
    private readonly strip: boolean,
    private readonly estimatedInputTokens: number,
  ) {}

  push(chunk: Buffer): Buffer | null {
    const { buffer, ends } = this.splitter.push(chunk);
    if (ends.length === 0) return null;
    let parts: Buffer[] | null = null;
    let keepFrom = 0;
    let start = 0;
    for (const end of ends) {
      if (this.inspect(buffer.subarray(start, end))) {
        (parts ??= []).push(buffer.subarray(keepFrom, start));
        keepFrom = end;
      }
      start = end;
    }
    if (parts === null) return buffer.subarray(0, start);
    parts.push(buffer.subarray(keepFrom, start));
    return Buffer.concat(parts);
  }

  /** Reads one event; true when it must not reach the client. */
  private inspect(event: Buffer): boolean {
    if (event.includes('[DONE]')) {
      this.done = true;
      return false;
    }
    if (event.includes('"usage":{')) {
      const chunk = this.json(event);
      const usage = usageFromObject(chunk?.usage);
      if (usage) this.counted = usage;
      return this.strip && Array.isArray(chunk?.choices) && chunk.choices.length === 0;
    }
    if (event.includes('"error"')) {
      const chunk = this.json(event);
      if (chunk && typeof chunk.error === 'object' && chunk.error !== null) {
        const e = chunk.error as { code?: unknown; message?: unknown };
        const status = typeof e.code === 'number' && e.code >= 400 && e.code <= 599 ? e.code : 500;
        this.failure = { status, message: typeof e.message === 'string' ? e.message : 'error event', reported: true };
      }
      return false;
    }
    if (this.counted === null && FRAGMENT.test(event.toString('utf8'))) this.fragments++;
    return false;
  }

  private json(event: Buffer): { usage?: unknown; choices?: unknown[]; error?: unknown } | null {
    try {
      const v = JSON.parse(parseEvent(event.toString('utf8')).data) as unknown;
      return typeof v === 'object' && v !== null ? (v as { usage?: unknown; choices?: unknown[] }) : null;
    } catch {
      return null;
    }
  }

  end(): { tail: null; failure: StreamFailure | null } {
    if (this.failure) return { tail: null, failure: this.failure };
    if (!this.done) return { tail: null, failure: { status: 502, message: 'the upstream stream ended before data: [DONE]', reported: false } };
    return { tail: null, failure: null };
  }

  usage(): Usage {
    return this.counted ?? { inputTokens: this.estimatedInputTokens, outputTokens: this.fragments };
  }
}

export interface OpenAiCompatibleOptions {
  kind: 'openai' | 'azure_openai' | 'vllm' | 'openai_compatible';
  defaultBase: string | null;
  /** Authentication headers for a resolved key (null: the plan sets no key). */
  auth(key: string | null): Record<string, string>;
  /** Path and query of an endpoint on the target (basePath included). */
  path(endpoint: EndpointKind, target: Target): string;
  streamUsage(provider: PlanProvider): boolean;
}

export function openAiCompatible(o: OpenAiCompatibleOptions): ProviderAdapter {
  return {
    kind: o.kind,
    defaultBase: o.defaultBase,
    supports: () => true,
    headers: (key) => ({ 'content-type': 'application/json', ...o.auth(key) }),
    streamUsage: o.streamUsage,
    request: (ex, target): UpstreamRequest => ({ path: o.path(ex.endpoint, target), body: upstreamBody(ex, target) }),
    decode: decodeOpenAi,
    relay: (ex, target) => new OpenAiRelay(target.streamUsage && !ex.clientUsage, ex.estimatedInputTokens),
    routingStatus: (status) => status,
  };
}

/** `<basePath>/chat/completions` and the like: OpenAI's and vLLM's layout. */
export const openAiPath = (endpoint: EndpointKind, target: Target): string => `${target.basePath}${UPSTREAM_PATH[endpoint]}`;
