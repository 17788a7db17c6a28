/**
 * GET /healthz: the process answers. GET /readyz: it should get traffic:
 * a plan is loaded and the gateway is not shutting down. A shared state
 * store that does not answer leaves it ready but "degraded": the router
 * keeps routing on its local view (the runtime's documented fallback), and
 * taking every replica out of a load balancer because Redis is down would
 * turn a degraded service into none.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../respond.ts';
import type { GatewayState } from '../state.ts';

export function healthz(_state: GatewayState, _req: IncomingMessage, res: ServerResponse, requestId: string): void {
  sendJson(res, 200, requestId, '{"status":"ok"}');
}

export function readyz(state: GatewayState, _req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const { plan } = state.gen;
  const storeUp = state.storeHealth.up();
  const status = state.draining ? 'draining' : storeUp ? 'ready' : 'degraded';
  const store = { kind: state.storeHealth.kind, up: storeUp, syncs: state.storeHealth.syncs() };
  const c = state.canary;
  const canary =
    c === null
      ? {}
      : { canary: { version: c.version, hash: c.gen.plan.hash, percent: c.percent, status: c.status, reason: c.reason, window: c.judge.snapshot() } };
  const body = JSON.stringify({ status, plan: { name: plan.name, hash: plan.hash }, store, upstream: state.upstream(), ...canary });
  sendJson(res, state.draining ? 503 : 200, requestId, body);
}
