/**
 * A generation: one loaded plan with everything derived from it that serves
 * requests (the router over the state store, the tenant key table, each
 * deployment's upstream target, the /v1/models answers). A request takes the
 * current generation when it arrives and keeps it to the end, so a plan
 * reload swaps one reference and never changes a request midway.
 */
import { SwitchyardError } from '../errors.ts';
import { baselineDeployment } from '../plan/baseline.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { systemClock } from '../runtime/clock.ts';
import { createRouter, type Router } from '../runtime/router.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import type { RouterTables, RtDeployment } from '../runtime/tables.ts';
import type { Clock, Random, RouterEvents } from '../runtime/types.ts';
import { TenantKeys } from './auth.ts';
import { ADAPTERS } from './providers/index.ts';
import type { Target } from './providers/types.ts';
import type { ServingSecrets } from './secrets.ts';
import { createTransport } from './transport.ts';
import type { UpstreamPools } from './upstream/pools.ts';
import type { DeploymentSlots } from './upstream/slots.ts';

/** A plan the gateway cannot serve (a provider without a usable base URL, tenants sharing a key). */
export class GatewayConfigError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'gateway-config');
  }
}

export interface Generation {
  readonly plan: CompiledPlan;
  readonly router: Router;
  readonly tables: RouterTables;
  readonly keys: TenantKeys;
  readonly targets: ReadonlyMap<string, Target>;
  /** The /v1/models answer of each tenant, by tenant index. */
  readonly models: readonly string[];
  /** Provider id of each deployment, by deployment index. */
  readonly providerOf: readonly string[];
  /** The single-provider baseline the baseline-cost counter prices at. */
  readonly baseline: RtDeployment | null;
  /** Epoch ms. */
  readonly loadedAt: number;
  /** Requests holding this generation (a retired generation's router closes when it reaches 0). */
  active: number;
}

export interface GenerationOptions {
  plan: CompiledPlan;
  secrets: ServingSecrets;
  store: RouterStore;
  pools: UpstreamPools;
  slots: DeploymentSlots;
  /** Largest non-streamed provider answer read; default 64 MiB. */
  maxResponseBytes?: number;
  clock?: Clock;
  random?: Random;
  events?: RouterEvents;
}

function targetsOf(plan: CompiledPlan, secrets: ServingSecrets, pools: UpstreamPools): Map<string, Target> {
  const out = new Map<string, Target>();
  for (const d of Object.values(plan.deployments)) {
    const provider = plan.providers[d.provider];
    if (provider === undefined) throw new GatewayConfigError(`deployment ${d.id}: provider ${d.provider} is not in the plan`);
    // Pass-through deployments never get here: startGateway serves servablePlan's plan (runtime/servable.ts).
    if (provider.kind === 'passthrough')
      throw new GatewayConfigError(`deployment ${d.id}: provider ${provider.id} is pass-through, which only LiteLLM can call`);
    const adapter = ADAPTERS[provider.kind];
    const base = provider.apiBase ?? adapter.defaultBase;
    if (base === null) throw new GatewayConfigError(`provider ${provider.id} (${provider.kind}) has no apiBase: set one in the policy`);
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new GatewayConfigError(`provider ${provider.id}: apiBase is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GatewayConfigError(`provider ${provider.id}: apiBase must be http(s)`);
    if (url.username !== '' || url.password !== '') throw new GatewayConfigError(`provider ${provider.id}: apiBase must not carry credentials (use apiKey)`);
    out.set(d.id, {
      deployment: d,
      provider,
      adapter,
      origin: url.origin,
      pool: pools.get(url.origin),
      basePath: url.pathname.replace(/\/+$/, ''),
      headers: adapter.headers(secrets.providerKeys.get(provider.id) ?? null, provider),
      modelJson: JSON.stringify(d.model),
      streamUsage: adapter.streamUsage(provider),
    });
  }
  return out;
}

function modelsAnswers(tables: RouterTables, created: number): string[] {
  return tables.tenants.map((t) =>
    JSON.stringify({
      object: 'list',
      data: tables.groups.filter((g) => t.allowed[g.index] === 1).map((g) => ({ id: g.name, object: 'model', created, owned_by: 'switchyard' })),
    }),
  );
}

export function buildGeneration(o: GenerationOptions): Generation {
  const { plan } = o;
  const targets = targetsOf(plan, o.secrets, o.pools);
  const transport = createTransport(targets, plan.groups, { maxResponseBytes: o.maxResponseBytes ?? 64 * 1024 * 1024, slots: o.slots });
  const router = createRouter(plan, {
    store: o.store,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    transport,
    ...(o.events ? { events: o.events } : {}),
  });
  const tables = router.tables;
  let keys: TenantKeys;
  try {
    keys = new TenantKeys(tables.tenants.map((t) => ({ tenant: t, keys: o.secrets.tenantKeys.get(t.id) ?? [] })));
  } catch (e) {
    throw new GatewayConfigError((e as Error).message);
  }
  const loadedAt = Date.now();
  const baselineId = baselineDeployment(plan);
  return {
    plan,
    router,
    tables,
    keys,
    targets,
    models: modelsAnswers(tables, Math.floor(loadedAt / 1000)),
    providerOf: tables.deployments.map((d) => d.plan.provider),
    baseline: baselineId === null ? null : (tables.deploymentById.get(baselineId) ?? null),
    loadedAt,
    active: 0,
  };
}
