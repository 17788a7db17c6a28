/**
 * A provider adapter turns a client's OpenAI-shaped request into the HTTP
 * request one kind of provider expects, and its answer back into what an
 * OpenAI client expects. One adapter per provider kind (one file each); the
 * transport does the HTTP, the adapters only shape bytes.
 */
import type { Dispatcher } from 'undici';
import type { PlanDeployment, PlanProvider, ProviderKind } from '../../plan/types.ts';
import type { Usage } from '../../runtime/types.ts';
import type { EndpointKind } from '../endpoints.ts';
import type { ExchangeView } from '../exchange.ts';

/** One deployment as an upstream, resolved when the plan is loaded. */
export interface Target {
  deployment: PlanDeployment;
  provider: PlanProvider;
  adapter: ProviderAdapter;
  /** `scheme://host[:port]` of the provider's base URL. */
  origin: string;
  /** The keep-alive pool of that origin. */
  pool: Dispatcher;
  /** The base URL's path, without a trailing slash (e.g. `/v1`). */
  basePath: string;
  /** Sent with every call: content type and the provider's authentication (the resolved key lives only here). */
  headers: Record<string, string>;
  /** The deployment's model as a JSON string, ready to splice into a body. */
  modelJson: string;
  /** The upstream sends usage at the end of a stream when asked (`stream_options.include_usage`). */
  streamUsage: boolean;
}

export interface UpstreamRequest {
  /** Path and query on the origin. */
  path: string;
  body: Buffer | string;
}

export interface Decoded {
  /** What the client receives. */
  body: Buffer | string;
  usage: Usage;
}

/** Why a stream did not end as it should: an error event from upstream, or an early end. */
export interface StreamFailure {
  /** The HTTP status routing reads the failure as (5xx: the deployment's fault). */
  status: number;
  message: string;
  /** The relay already sent the client an error event for it. */
  reported: boolean;
}

/** Relays one upstream stream to the client, event by event. */
export interface StreamRelay {
  /** Client bytes for one upstream chunk (null when there is nothing to send yet). */
  push(chunk: Buffer): Buffer | string | null;
  /** The upstream body ended: last client bytes, and a failure when the stream did not end properly. */
  end(): { tail: Buffer | string | null; failure: StreamFailure | null };
  /** Set once the upstream reported an error inside the stream. */
  readonly failure: StreamFailure | null;
  usage(): Usage;
}

/** A request the adapter cannot express for its provider (e.g. embeddings on Anthropic): not the deployment's fault. */
export class UnsupportedRequest extends Error {}

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  /** Base URL when the plan gives none; null when one is required. */
  readonly defaultBase: string | null;
  supports(endpoint: EndpointKind): boolean;
  /** Static headers of every call; `key` is the resolved provider key (null when the plan sets none). */
  headers(key: string | null, provider: PlanProvider): Record<string, string>;
  /** Whether the provider sends usage at the end of a stream when asked. */
  streamUsage(provider: PlanProvider): boolean;
  /** The upstream request for one call; throws UnsupportedRequest. */
  request(ex: ExchangeView, target: Target): UpstreamRequest;
  /** A successful non-streamed answer, decoded; null when it is not what the provider promises (counted as a failure). */
  decode(ex: ExchangeView, body: Buffer): Decoded | null;
  relay(ex: ExchangeView, target: Target): StreamRelay;
  /** The status routing should see for an upstream error status (Anthropic's 529 "overloaded" is a 503). */
  routingStatus(status: number): number;
}
