/**
 * The gateway's HTTP core: Node's http server, a table from path to handler,
 * a request id for every answer, in-flight accounting and graceful shutdown.
 * Everything a request does lives in the handlers (proxy.ts, handlers/);
 * this file only dispatches.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestLog } from '../request-log/types.ts';
import { PHASE_NAMES } from '../runtime/breaker.ts';
import type { EndpointKind } from './endpoints.ts';
import { EXCHANGE, type WithExchange } from './exchange.ts';
import { internalError, methodNotAllowed, notFound, overloaded, shuttingDown } from './errors.ts';
import type { Generation } from './generation.ts';
import { healthz, readyz } from './handlers/health.ts';
import { metrics } from './handlers/metrics.ts';
import { models } from './handlers/models.ts';
import type { Logger } from './log.ts';
import { GatewayMetrics } from './metrics.ts';
import { proxy } from './proxy.ts';
import { sendError } from './respond.ts';
import type { GatewayState } from './state.ts';
import { storeHealth } from './store-health.ts';

type Handler = (state: GatewayState, req: IncomingMessage, res: ServerResponse, requestId: string) => void | Promise<void>;

const post =
  (kind: EndpointKind): Handler =>
  (s, req, res, id) =>
    proxy(s, req, res, id, kind);

const ROUTES: ReadonlyMap<string, { method: 'GET' | 'POST'; handle: Handler; whileDraining?: true }> = new Map([
  ['/v1/chat/completions', { method: 'POST', handle: post('chat') }],
  ['/v1/completions', { method: 'POST', handle: post('completions') }],
  ['/v1/embeddings', { method: 'POST', handle: post('embeddings') }],
  ['/v1/models', { method: 'GET', handle: models }],
  ['/healthz', { method: 'GET', handle: healthz, whileDraining: true }],
  ['/readyz', { method: 'GET', handle: readyz, whileDraining: true }],
  ['/metrics', { method: 'GET', handle: metrics, whileDraining: true }],
] as const);

export interface GatewayOptions {
  generation: Generation;
  requestLog: RequestLog;
  /** Largest request body; default 10 MiB. */
  maxBodyBytes?: number;
  /** Model requests handled at once (streams included); past it a new one is refused with 503 before its body is read. Default DEFAULT_MAX_IN_FLIGHT. */
  maxInFlight?: number;
  /** Calls to providers in flight and queued (upstream/slots.ts), for /readyz. */
  upstream?: () => { active: number; queued: number };
  log?: Logger;
}

export interface Gateway {
  readonly server: Server;
  readonly state: GatewayState;
  readonly metrics: GatewayMetrics;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Requests being answered (streams included), or still recording what they did. */
  inFlight(): number;
  /**
   * Graceful shutdown: stop accepting connections and requests, let the
   * requests in flight finish for up to `timeoutMs`, then close every
   * connection. Resolves with how many were still running at the deadline.
   */
  shutdown(timeoutMs: number): Promise<{ unfinished: number }>;
}

/** switchyard_canary_state's codes, from 1. */
const CANARY_STATES = ['running', 'rolled-back', 'promoted', 'aborted'] as const;

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Bounds the memory of requests waiting on slow providers (bodies, exchanges): with the 10 MiB body limit, a few GiB at worst. */
export const DEFAULT_MAX_IN_FLIGHT = 1_024;

export function createGateway(o: GatewayOptions): Gateway {
  const log: Logger = o.log ?? (() => {});
  const maxInFlight = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const health = storeHealth(() => state.gen.router.store);
  const state: GatewayState = {
    gen: o.generation,
    requestLog: o.requestLog,
    storeHealth: health,
    maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    draining: false,
    canary: null,
    onCanaryOutcome: () => {},
    upstream: o.upstream ?? (() => ({ active: 0, queued: 0 })),
    metrics: new GatewayMetrics({
      breakers: () => state.gen.tables.deployments.map((d) => [d.id, PHASE_NAMES.indexOf(state.gen.router.inspect(d.id).breaker)] as const),
      store: () => ({ kind: health.kind, up: health.up() }),
      requestLog: () => o.requestLog.stats(),
      canary: () => (state.canary === null ? null : { version: state.canary.version, state: CANARY_STATES.indexOf(state.canary.status) + 1 }),
      plan: () => ({ hash: state.gen.plan.hash, loadedAt: state.gen.loadedAt }),
    }),
  };

  /** Responses not yet closed. */
  let inFlight = 0;
  /**
   * Handlers not yet settled. A proxied request records its metrics and
   * request-log rows after the router returns, which for a stream is after
   * the response closed: a drain waits for both, so shutdown never closes
   * the request log under a request that is about to write to it.
   */
  let handling = 0;
  let onDrained: (() => void) | null = null;
  const drained = () => inFlight === 0 && handling === 0;
  /** The one 'close' listener of every response (shared, so a request adds no closure): in-flight accounting, and the exchange's disconnect check. */
  function onResponseClosed(this: WithExchange): void {
    inFlight--;
    this[EXCHANGE]?.onClose();
    if (onDrained !== null && drained()) onDrained();
  }
  function onHandled(): void {
    handling--;
    if (onDrained !== null && drained()) onDrained();
  }

  function failed(res: ServerResponse, requestId: string, e: unknown): void {
    log({ msg: 'internal error', requestId, error: e instanceof Error ? e.message : String(e) });
    if (!res.headersSent) sendError(res, requestId, internalError());
    else res.destroy();
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    inFlight++;
    res.once('close', onResponseClosed);
    const requestId = randomUUID();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = ROUTES.get(path);
    const method = req.method ?? 'GET';
    if (route === undefined) sendError(res, requestId, notFound(method, path));
    else if (method !== route.method && !(method === 'HEAD' && route.method === 'GET')) sendError(res, requestId, methodNotAllowed(method, path, route.method));
    else if (state.draining && route.whileDraining !== true) sendError(res, requestId, shuttingDown(), true);
    else if (route.method === 'POST' && handling >= maxInFlight) {
      // The body is not read: the connection closes after the answer, so a flood cannot queue bodies here.
      sendError(res, requestId, overloaded(), true);
      state.metrics.reject('', 'overloaded');
    } else dispatch(route.handle, req, res, requestId);
  }

  function dispatch(handle: Handler, req: IncomingMessage, res: ServerResponse, requestId: string): void {
    try {
      const p = handle(state, req, res, requestId);
      if (p === undefined) return;
      handling++;
      p.then(onHandled, (e: unknown) => {
        failed(res, requestId, e);
        onHandled();
      });
    } catch (e) {
      failed(res, requestId, e);
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, onRequest);
  // A client that stops reading cannot hold a socket forever: the router's own timeouts bound the upstream side.
  server.headersTimeout = 60_000;

  return {
    server,
    state,
    metrics: state.metrics,
    inFlight: () => Math.max(inFlight, handling),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    async shutdown(timeoutMs) {
      state.draining = true;
      server.close();
      server.closeIdleConnections();
      if (!drained()) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          onDrained = resolve;
          timer = setTimeout(resolve, timeoutMs);
        });
        clearTimeout(timer);
        onDrained = null;
      }
      const unfinished = Math.max(inFlight, handling);
      server.closeAllConnections();
      return { unfinished };
    },
  };
}
