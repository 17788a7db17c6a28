/**
 * The POST flow of /v1/chat/completions, /v1/completions and /v1/embeddings:
 * authenticate the tenant, read and check the body, check the model group
 * and the tenant's right to it, route (the transport calls providers and, for
 * streams, relays to the client), answer, then record metrics and the
 * request-log rows. Each step that refuses answers in OpenAI's error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RtTenant } from '../runtime/tables.ts';
import type { RouteResult, Usage } from '../runtime/types.ts';
import * as bodies from './body.ts';
import * as canaries from './canary.ts';
import type { CanaryOutcome } from './canary-judge.ts';
import * as endpoints from './endpoints.ts';
import type { EndpointKind } from './endpoints.ts';
import * as errors from './errors.ts';
import type { ApiError } from './errors.ts';
import * as exchanges from './exchange.ts';
import type { Exchange } from './exchange.ts';
import * as outcomes from './outcome.ts';
import * as records from './record.ts';
import * as responses from './respond.ts';
import type { Generation } from './generation.ts';
import type { GatewayState } from './state.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds what it calls once, at load (as src/runtime does).
const { ABORTED, readBody, TOO_LARGE } = bodies;
const { canaryBucket, inCanary } = canaries;
const { estimateInputTokens, maxOutputTokens, validateBody, wantsUsage } = endpoints;
const { forbiddenGroup, malformedJson, tooLarge, unauthorized, unknownModel } = errors;
const { Exchange: ExchangeClass } = exchanges;
const { fallbackSteps, requestRows, spendOf } = records;
const { lastDeployment, routeFailure } = outcomes;
const { sendError, sendJson } = responses;

/** Status recorded for a request whose client left before the answer was complete (nginx's convention). */
const CLIENT_CLOSED = 499;

/** Answers a refusal; null: a refused request is not the plan's to be judged on. */
function refuse(state: GatewayState, ex: Exchange, e: ApiError, close = false): null {
  sendError(ex.res, ex.requestId, e, close);
  if (e.rejected) state.metrics.reject(ex.tenant?.id ?? '', e.rejected);
  // A request that named a group of the plan is logged even when refused (403); earlier refusals have no group to log.
  if (ex.tenant !== null && ex.group !== null) record(state, ex, { ok: false, trace: [] }, e.status, null);
  return null;
}

export async function proxy(state: GatewayState, req: IncomingMessage, res: ServerResponse, requestId: string, kind: EndpointKind): Promise<void> {
  // The request holds the generation it arrived on to its end (its records included): a reload retires that generation's router only once it is free.
  const t0 = performance.now();
  let gen = state.gen;
  let tenant = gen.keys.authenticate(req.headers.authorization);
  let arm: 'stable' | 'canary' | null = null;
  const canary = state.canary;
  if (canary !== null && canary.status === 'running' && tenant !== null) {
    arm = inCanary(canaryBucket(tenant.id, requestId), canary.percent) ? 'canary' : 'stable';
    if (arm === 'canary') {
      gen = canary.gen;
      // The canary plan has tenant tables (and may have keys) of its own.
      tenant = gen.keys.authenticate(req.headers.authorization);
    }
  }
  gen.active++;
  let outcome: CanaryOutcome | null = null;
  let threw = true;
  try {
    outcome = await handle(state, gen, tenant, t0, req, res, requestId, kind);
    threw = false;
  } finally {
    gen.active--;
    // An internal error (answered 500 by the server) is the plan's failure too.
    if (threw) outcome = { failed: true, latencyMs: performance.now() - t0, interactive: false, fallback: 'none' };
    if (arm !== null && outcome !== null) state.onCanaryOutcome(arm, outcome);
  }
}

/** Serves one request; returns what the canary judge reads of it, null when the router was not asked (or the client gave up). */
async function handle(
  state: GatewayState,
  gen: Generation,
  /** The caller as `gen`'s keys authenticate it (null: no or unknown key). */
  tenant: RtTenant | null,
  /** performance.now() at arrival. */
  t0: number,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  kind: EndpointKind,
): Promise<CanaryOutcome | null> {
  const ex = new ExchangeClass(req, res, gen, requestId, Date.now(), t0);
  // The body is not read for a caller without a key: the connection closes after the answer.
  if (tenant === null) return refuse(state, ex, unauthorized(req.headers.authorization !== undefined), true);
  ex.tenant = tenant;
  const raw = await readBody(req, state.maxBodyBytes);
  if (raw === ABORTED) return null;
  if (raw === TOO_LARGE) return refuse(state, ex, tooLarge(state.maxBodyBytes), true);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return refuse(state, ex, malformedJson());
  }
  const bad = validateBody(kind, body);
  if (bad !== null) return refuse(state, ex, bad);
  const b = body as Record<string, unknown>;
  const model = b.model as string;
  const group = gen.tables.groupByName.get(model);
  if (group === undefined) return refuse(state, ex, unknownModel(model));
  ex.group = group;
  if (tenant.allowed[group.index] === 0) return refuse(state, ex, forbiddenGroup(model, tenant.id));

  ex.endpoint = kind;
  ex.body = b;
  ex.raw = raw;
  ex.stream = b.stream === true;
  ex.clientUsage = ex.stream && wantsUsage(b);
  ex.estimatedInputTokens = estimateInputTokens(raw.length);
  const result = await gen.router.route({
    group: group.name,
    tenant: tenant.id,
    estimatedInputTokens: ex.estimatedInputTokens,
    maxOutputTokens: maxOutputTokens(kind, b),
    call: ex,
  });
  return finish(state, ex, result);
}

function finish(state: GatewayState, ex: Exchange, result: RouteResult): CanaryOutcome | null {
  const group = ex.group!;
  const tenant = ex.tenant!;
  let status: number;
  let usage: Usage | null = null;
  if (result.ok) {
    const response = result.response!;
    usage = response.usage;
    status = 200;
    if (!ex.stream) sendJson(ex.res, 200, ex.requestId, response.body as Buffer | string, ['x-switchyard-deployment', result.deployment!]);
  } else if (ex.cancelled) {
    status = CLIENT_CLOSED;
  } else if (ex.committed) {
    // The stream had begun (200 sent) and broke: the transport ended it with an error event.
    status = 200;
  } else {
    const e = routeFailure(result, group.name, tenant.id, Date.now(), ex.shed);
    status = e.status;
    sendError(ex.res, ex.requestId, e);
    if (e.rejected) {
      state.metrics.reject(tenant.id, e.rejected);
      record(state, ex, result, status, null);
      return null;
    }
  }
  const gen = ex.gen;
  const m = state.metrics;
  const last = lastDeployment(result);
  const deploymentId = result.deployment ?? last?.deployment ?? '';
  const d = deploymentId === '' ? undefined : gen.tables.deploymentById.get(deploymentId);
  const provider = d === undefined ? '' : gen.providerOf[d.index]!;
  if (!ex.cancelled) m.request(group.name, deploymentId, provider, result.ok ? 'success' : 'error');
  if (ex.committed && !result.ok && !ex.cancelled) m.streamError(group.name, deploymentId, provider);
  const totalMs = performance.now() - ex.t0;
  m.duration(group.name, group.plan.workload, totalMs / 1000);
  let backoff = 0;
  for (const a of result.trace) backoff += a.backoffMs;
  m.overhead(group.name, Math.max(0, totalMs - ex.upstreamMs - backoff) / 1000);
  const steps = fallbackSteps(result.trace, result.group);
  for (const s of steps) m.fallback(group.name, s.from, s.to, s.success ? 'success' : 'failure');
  let spend = 0;
  if (usage !== null && d !== undefined) {
    spend = spendOf(d, usage);
    m.spend(tenant.id, provider, group.name, spend, gen.baseline === null ? null : spendOf(gen.baseline, usage));
  }
  record(state, ex, result, status, usage, spend);
  // As switchyard_requests_total counts it (a request the client gave up on is not the plan's failure), for the canary judge.
  if (ex.cancelled) return null;
  return {
    failed: !result.ok,
    latencyMs: totalMs,
    interactive: group.plan.workload === 'interactive',
    fallback: result.ok && result.group === group.name ? 'none' : result.ok ? 'served' : 'failed',
  };
}

function record(state: GatewayState, ex: Exchange, result: RouteResult, statusCode: number, usage: Usage | null, spend = 0): void {
  const gen = ex.gen;
  const rows = requestRows({
    requestId: ex.requestId,
    tenant: ex.tenant!.id,
    requestedGroup: ex.group!.name,
    result,
    callStarts: ex.callStarts,
    startTime: ex.startedAt,
    endTime: Date.now(),
    statusCode,
    usage,
    spend,
    providerOf: (id) => gen.plan.deployments[id]?.provider ?? null,
  });
  state.requestLog.record(rows.request, rows.attempts);
}
