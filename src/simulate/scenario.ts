/**
 * What a simulation runs under: the plan's own figures plus timed events
 * (outages, latency and error-rate changes, traffic multipliers, the shared
 * router state going away). Built-in scenarios are named
 * (`baseline`, `provider-down:<id>`, `pool-down:<id>`, `traffic:x2`,
 * `state-store-down`); files (scenario-file.ts) may say anything the types
 * below can.
 */
import type { CompiledPlan } from '../plan/types.ts';

/** What an event applies to: every deployment of a provider, one deployment, or every engine on a pool. */
export type Target = { provider: string } | { deployment: string } | { pool: string };

/**
 * How a target that is down answers: `error` with 503 at its usual latency
 * (what provider incidents mostly look like), `connection` refused at once
 * (a host whose server is gone), `timeout` never (the router's timeout ends
 * the attempt).
 */
export type OutageMode = 'error' | 'connection' | 'timeout';
export const OUTAGE_MODES: readonly OutageMode[] = ['error', 'connection', 'timeout'];

interface Window {
  /** From the start of the simulation, in ms. */
  fromMs: number;
  /** Exclusive; Infinity for "until the end". */
  toMs: number;
}

export type ScenarioEvent =
  | (Window & { kind: 'outage'; target: Target; mode: OutageMode })
  | (Window & { kind: 'latency'; target: Target; multiplier: number | null; p50Ms: number | null; p95Ms: number | null })
  | (Window & { kind: 'error-rate'; target: Target; rate: number })
  | (Window & { kind: 'traffic'; group: string | null; multiplier: number })
  | (Window & { kind: 'state-store-down' });

/** Hosted provider latency (time to first token) and error rate, replacing the defaults of its kind. */
export interface ProviderModelOverride {
  p50Ms?: number;
  p95Ms?: number;
  errorRate?: number;
}

export interface GpuOverride {
  memoryBandwidthGBs: number;
  denseFp16Tflops: number;
}

/** The family a scenario belongs to: the risk rules compare like with like (every provider-down is an N-1 case). */
export type ScenarioKind = 'baseline' | 'provider-down' | 'pool-down' | 'traffic' | 'state-store-down' | 'file';

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  /** The provider or pool a built-in takes down, else null. */
  target: string | null;
  description: string;
  events: ScenarioEvent[];
  /** A file may fix its own duration; otherwise the run's. */
  durationMs?: number;
  replicas?: number;
  /** Share of its rpm limit each tenant sends at peak (see traffic.ts). */
  tenantLoad?: number;
  providers?: Record<string, ProviderModelOverride>;
  gpus?: Record<string, GpuOverride>;
}

const ALL_TIME = { fromMs: 0, toMs: Infinity } as const;

export const BASELINE: Scenario = {
  name: 'baseline',
  kind: 'baseline',
  target: null,
  description: "the plan's own traffic at peak, every provider up",
  events: [],
};

export class ScenarioError extends Error {}

const sortedKeys = (o: Record<string, unknown>) => Object.keys(o).sort();

/** Providers in the order N-1 runs them (by id). */
const providerIds = (plan: CompiledPlan): string[] => sortedKeys(plan.providers);

/** Pools that carry at least one engine (by id). */
export const poolIds = (plan: CompiledPlan): string[] => sortedKeys(plan.pools).filter((id) => Object.keys(plan.pools[id]!.models).length > 0);

export const hasSharedState = (plan: CompiledPlan): boolean => plan.routerState.kind !== 'memory';

export function providerDown(id: string): Scenario {
  return {
    name: `provider-down:${id}`,
    kind: 'provider-down',
    target: id,
    description: `provider ${id} answers 503 for the whole run`,
    events: [{ kind: 'outage', target: { provider: id }, mode: 'error', ...ALL_TIME }],
  };
}

function poolDown(id: string): Scenario {
  return {
    name: `pool-down:${id}`,
    kind: 'pool-down',
    target: id,
    description: `every vLLM engine on pool ${id} refuses connections for the whole run`,
    events: [{ kind: 'outage', target: { pool: id }, mode: 'connection', ...ALL_TIME }],
  };
}

const MAX_TRAFFIC_MULTIPLIER = 100;

/**
 * A built-in scenario by name. Unknown names, and ids the plan does not
 * have, are ScenarioErrors listing what there is.
 */
export function builtinScenario(name: string, plan: CompiledPlan): Scenario {
  if (name === 'baseline') return BASELINE;
  const [family, arg] = name.includes(':') ? [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)] : [name, ''];
  switch (family) {
    case 'provider-down': {
      if (!plan.providers[arg]) throw new ScenarioError(`unknown provider "${arg}" in ${name}; providers: ${providerIds(plan).join(', ') || '(none)'}`);
      return providerDown(arg);
    }
    case 'pool-down': {
      if (!poolIds(plan).includes(arg)) throw new ScenarioError(`unknown pool "${arg}" in ${name}; pools: ${poolIds(plan).join(', ') || '(none)'}`);
      return poolDown(arg);
    }
    case 'traffic': {
      const m = /^x([0-9]+(?:\.[0-9]+)?)$/.exec(arg);
      const multiplier = m ? Number(m[1]) : NaN;
      if (!(multiplier > 0 && multiplier <= MAX_TRAFFIC_MULTIPLIER))
        throw new ScenarioError(`traffic scenario must be traffic:x<multiplier> with a multiplier above 0 and at most ${MAX_TRAFFIC_MULTIPLIER}, got ${name}`);
      return {
        name: `traffic:x${multiplier}`,
        kind: 'traffic',
        target: null,
        description: `every group's traffic times ${multiplier}`,
        events: [{ kind: 'traffic', group: null, multiplier, ...ALL_TIME }],
      };
    }
    case 'state-store-down': {
      if (arg !== '') break;
      if (!hasSharedState(plan))
        throw new ScenarioError('state-store-down: this plan keeps router state in memory (routerState.kind memory): there is no shared store to lose');
      return {
        name,
        kind: 'state-store-down',
        target: null,
        description: 'the shared router state is unreachable: every replica routes on its own state (limits and breakers per replica)',
        events: [{ kind: 'state-store-down', ...ALL_TIME }],
      };
    }
  }
  throw new ScenarioError(
    `unknown scenario "${name}"; built-ins: baseline, provider-down:<provider>, pool-down:<pool>, traffic:x<multiplier>, state-store-down, n-1 (every provider-down), all (every built-in); or a .yaml/.json scenario file`,
  );
}

/** N-1: every provider down, one at a time. */
const nMinusOne = (plan: CompiledPlan): Scenario[] => providerIds(plan).map(providerDown);

/** Every built-in that applies to the plan, in a fixed order. */
export function allBuiltins(plan: CompiledPlan): Scenario[] {
  return [
    BASELINE,
    ...nMinusOne(plan),
    ...poolIds(plan).map(poolDown),
    builtinScenario('traffic:x2', plan),
    ...(hasSharedState(plan) ? [builtinScenario('state-store-down', plan)] : []),
  ];
}

/** Expands the shorthands `n-1` and `all`; any other name is one built-in. */
export function builtinScenarios(name: string, plan: CompiledPlan): Scenario[] {
  if (name === 'n-1') return nMinusOne(plan);
  if (name === 'all') return allBuiltins(plan);
  return [builtinScenario(name, plan)];
}

/** Deployment ids an event target covers (a pool covers the engines that run on it, spanning ones included). */
export function targetDeployments(plan: CompiledPlan, target: Target): string[] {
  const ids = Object.keys(plan.deployments).sort();
  if ('deployment' in target) return ids.filter((id) => id === target.deployment);
  if ('provider' in target) return ids.filter((id) => plan.deployments[id]!.provider === target.provider);
  return ids.filter((id) => {
    const d = plan.deployments[id]!;
    if (d.pool === null) return false;
    const m = plan.pools[d.pool]?.models[d.model];
    return d.pool === target.pool || (m?.spansPools.includes(target.pool) ?? false);
  });
}
