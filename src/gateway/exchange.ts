/**
 * One client request as it moves through the gateway: what the proxy flow
 * learned about it (tenant, group, body), and what the transport records
 * while calling providers (call start times, time spent upstream, whether
 * the first byte reached the client). It travels to the transport inside
 * the router's RouteRequest, and holds the generation (plan + router) the
 * request started with, so swapping the plan never changes a request midway.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RtGroup, RtTenant } from '../runtime/tables.ts';
import type { EndpointKind } from './endpoints.ts';
import type { Generation } from './generation.ts';

/** What a provider adapter may read of the exchange. */
export interface ExchangeView {
  readonly endpoint: EndpointKind;
  /** The parsed client body. */
  readonly body: Record<string, unknown>;
  /** The client body as received. */
  readonly raw: Buffer;
  readonly stream: boolean;
  /** The client asked for the usage chunk at the end of a stream. */
  readonly clientUsage: boolean;
  readonly estimatedInputTokens: number;
  readonly requestId: string;
}

/** An upstream call in flight, which a client disconnect aborts. */
export interface Abortable {
  cancel(): void;
}

/** Where a response keeps its exchange, for the server's 'close' listener. */
export const EXCHANGE = Symbol('switchyard.exchange');

export type WithExchange = ServerResponse & { [EXCHANGE]?: Exchange };

export class Exchange implements ExchangeView {
  endpoint: EndpointKind = 'chat';
  body: Record<string, unknown> = {};
  raw: Buffer = EMPTY;
  stream = false;
  clientUsage = false;
  estimatedInputTokens = 0;
  tenant: RtTenant | null = null;
  group: RtGroup | null = null;
  /** Epoch ms at which each upstream call started, in call order (attempt rows). */
  readonly callStarts: number[] = [];
  /** Time spent inside upstream calls, ms (what routing overhead excludes). */
  upstreamMs = 0;
  /** The first byte of the answer went to the client: from now on nothing can be retried. */
  committed = false;
  /** Calls refused by the gateway because the deployment's queue was full (no provider was called). */
  shed = 0;
  /** The client went away before the answer was complete. */
  cancelled = false;
  active: Abortable | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly gen: Generation,
    readonly requestId: string,
    /** Epoch ms. */
    readonly startedAt: number,
    /** performance.now() at arrival. */
    readonly t0: number,
  ) {
    (res as WithExchange)[EXCHANGE] = this;
  }

  /** The response closed (the server calls this from its one 'close' listener): before it finished, the client disconnected. */
  onClose(): void {
    if (this.res.writableFinished) return;
    this.cancelled = true;
    this.active?.cancel();
  }
}

const EMPTY = Buffer.alloc(0);
