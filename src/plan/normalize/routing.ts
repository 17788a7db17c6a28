/** Providers, deployments, model groups and router state: what the router needs to pick an upstream. */
import { durationMs } from '../../model/common.ts';
import type { CircuitBreaker } from '../../model/circuit-breaker.ts';
import type { Deployment } from '../../model/deployment.ts';
import type { ModelGroup } from '../../model/model-group.ts';
import { OPENAI_COMPATIBLE_SERVICES } from '../../model/closed-sets.ts';
import { isEnvRef, type Provider } from '../../model/provider.ts';
import type { RouterState } from '../../model/router-state.ts';
import { compareStrings, defaultMonthlyRequests } from '../defaults.ts';
import { recordOrigin } from '../origins.ts';
import { parseSecretRef } from '../secret-ref.ts';
import type { PlanBreaker, PlanDeployment, PlanGroup, PlanOrigins, PlanProvider, PlanRouterState, PlanTraffic } from '../types.ts';
import { sortedStrings } from './keyed.ts';

/** A literal value and the environment variable it comes from instead (one of them null). */
function literalOrEnv(v: string | undefined): [string | null, string | null] {
  if (v === undefined) return [null, null];
  return isEnvRef(v) ? [null, v.slice('env:'.length)] : [v, null];
}

const sortedRecord = <T>(r: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(r).sort((a, b) => compareStrings(a[0], b[0])));

export function normalizeProvider(p: Provider): PlanProvider {
  const [apiBase, apiBaseEnv] = literalOrEnv(p.apiBase);
  const [apiVersion, apiVersionEnv] = literalOrEnv(p.apiVersion);
  const service = p.kind === 'openai_compatible' && p.service ? OPENAI_COMPATIBLE_SERVICES[p.service] : null;
  return {
    id: p.id,
    kind: p.kind,
    // A service with a public endpoint needs none in the policy: the plan carries it, so the gateway and LiteLLM agree.
    apiBase: apiBase ?? (apiBaseEnv === null ? (service?.defaultBase ?? null) : null),
    apiBaseEnv,
    apiVersion,
    apiVersionEnv,
    region: p.region ?? null,
    apiKey: p.apiKey === undefined ? null : parseSecretRef(p.apiKey),
    openaiCompatible:
      service && p.service
        ? {
            service: p.service,
            litellmPrefix: service.litellmPrefix,
            pathPrefix: p.compat?.pathPrefix ?? service.pathPrefix,
            streamOptions: p.compat?.streamOptions ?? true,
            n: p.compat?.n ?? true,
            headers: sortedRecord(p.compat?.headers ?? {}),
          }
        : null,
    passthrough:
      p.kind === 'passthrough' && p.litellm
        ? {
            provider: p.litellm.provider,
            params: sortedRecord(p.litellm.params),
            secrets: Object.fromEntries(Object.entries(sortedRecord(p.litellm.secrets)).map(([k, v]) => [k, parseSecretRef(v)])),
          }
        : null,
  };
}

export function normalizeDeployment(d: Deployment, provider: PlanProvider): PlanDeployment {
  return {
    id: d.id,
    provider: d.provider,
    providerKind: provider.kind,
    model: d.model,
    ...(provider.kind === 'azure_openai' ? { baseModel: d.baseModel ?? d.model } : {}),
    contextWindow: d.contextWindow,
    rpm: d.rpm ?? null,
    tpm: d.tpm ?? null,
    pricing: { inputPer1M: d.pricing.inputPer1M, outputPer1M: d.pricing.outputPer1M },
    weight: d.weight,
    order: d.order ?? null,
    pool: d.pool ?? null,
    timeoutMs: d.timeout === undefined ? null : durationMs(d.timeout),
    tags: sortedStrings(d.tags),
  };
}

export function normalizeBreaker(b: CircuitBreaker): PlanBreaker {
  return {
    errorRateThreshold: b.errorRateThreshold,
    minRequests: b.minRequests,
    windowMs: durationMs(b.window),
    cooldownMs: durationMs(b.cooldown),
    halfOpenProbes: b.halfOpenProbes,
  };
}

function normalizeTraffic(t: NonNullable<ModelGroup['traffic']>): PlanTraffic {
  return {
    peakRpm: t.peakRpm,
    meanInputTokens: t.meanInputTokens,
    meanOutputTokens: t.meanOutputTokens,
    monthlyRequests: t.monthlyRequests ?? defaultMonthlyRequests(t.peakRpm),
  };
}

/**
 * Deployments in the order the plan lists them, each with its index in the
 * policy list: `ordered` groups in call order (order, then id; no order goes
 * last), all others by id because their order means nothing.
 */
function groupDeploymentOrder(g: ModelGroup, deployments: ReadonlyMap<string, PlanDeployment>): { id: string; at: number }[] {
  const refs = g.deployments.map((id, at) => ({ id, at }));
  const byId = (a: { id: string }, b: { id: string }) => compareStrings(a.id, b.id);
  if (g.strategy !== 'ordered') return refs.sort(byId);
  const rank = (id: string) => deployments.get(id)?.order ?? Number.POSITIVE_INFINITY;
  return refs.sort((a, b) => rank(a.id) - rank(b.id) || byId(a, b));
}

export function normalizeGroup(
  g: ModelGroup,
  i: number,
  defaultBreaker: PlanBreaker,
  deployments: ReadonlyMap<string, PlanDeployment>,
  origins: PlanOrigins,
): PlanGroup {
  const at = ['groups', g.name] as const;
  recordOrigin(origins, at, ['modelGroups', i]);
  // The default breaker comes from the policy root, so paths into it must lead there.
  recordOrigin(origins, [...at, 'circuitBreaker'], g.circuitBreaker ? ['modelGroups', i, 'circuitBreaker'] : ['circuitBreaker']);
  const ordered = groupDeploymentOrder(g, deployments);
  ordered.forEach((ref, k) => recordOrigin(origins, [...at, 'deployments', k], ['modelGroups', i, 'deployments', ref.at]));
  let maxContextWindow = 0;
  for (const ref of ordered) maxContextWindow = Math.max(maxContextWindow, deployments.get(ref.id)?.contextWindow ?? 0);
  return {
    name: g.name,
    description: g.description ?? null,
    workload: g.workload,
    strategy: g.strategy,
    deployments: ordered.map((ref) => ref.id),
    retries: {
      count: g.retries.count,
      backoff: {
        initialMs: durationMs(g.retries.backoff.initial),
        maxMs: durationMs(g.retries.backoff.max),
        multiplier: g.retries.backoff.multiplier,
      },
      retryOn: [...g.retries.retryOn].sort((a, b) => a - b),
    },
    timeouts: {
      requestMs: durationMs(g.timeouts.request),
      streamFirstTokenMs: g.timeouts.streamFirstToken === undefined ? null : durationMs(g.timeouts.streamFirstToken),
    },
    fallbacks: [...g.fallbacks],
    contextWindowFallbacks: [...g.contextWindowFallbacks],
    circuitBreaker: g.circuitBreaker ? normalizeBreaker(g.circuitBreaker) : { ...defaultBreaker },
    traffic: g.traffic ? normalizeTraffic(g.traffic) : null,
    maxContextWindow,
  };
}

export function normalizeRouterState(s: RouterState): PlanRouterState {
  if (s.kind === 'memory') return { kind: 'memory' };
  return { kind: 'redis', url: parseSecretRef(s.url), keyPrefix: s.keyPrefix, cluster: s.cluster };
}
