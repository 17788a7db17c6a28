/**
 * One scenario, simulated: the plan's traffic arrives in virtual time and is
 * routed by the real runtime router (createRouter, memory store) over the
 * simulated transport. With shared router state (routerState redis) the
 * replicas share one state, so one router stands for all of them; while the
 * state store is down, each of `replicas` routers routes on its own state
 * (its own limits, its own breakers), arrivals spread over them in turn.
 * With memory state there is no sharing: every replica is its own router.
 * Arrivals stop at the end of the window; requests in flight then are
 * followed to their end.
 */
import { baselineDeployment } from '../plan/baseline.ts';
import type { CompiledPlan, PlanPoolModel } from '../plan/types.ts';
import { createRouter, type Router } from '../runtime/router.ts';
import type { RouteRequest, RouteResult } from '../runtime/types.ts';
import { Collector, latencySummary, type Outcome } from './collect.ts';
import { Conditions } from './conditions.ts';
import { Engine, type ServiceModel } from './engine.ts';
import { EventLoop, TimedEvent } from './event-loop.ts';
import { HostedEndpoint } from './hosted.ts';
import { stream } from './random.ts';
import { type EngineReport, type ScenarioReport, ratio, round } from './report.ts';
import { engineHardware, rooflineParams, rooflineService } from './roofline.ts';
import { hasSharedState, type Scenario } from './scenario.ts';
import { evaluateSlos } from './slo.ts';
import { type Arrival, ArrivalStream, DEFAULT_TENANT_LOAD, tenantShares } from './traffic.ts';
import { type Endpoint, SimTransport } from './transport.ts';

/** Where virtual time starts: mid-month, so a run never crosses a tenant's budget period. */
const SIM_START = Date.UTC(2025, 0, 15, 12);
/** Router replicas when the plan shares state (the gateway behind a load balancer). */
const DEFAULT_REPLICAS = 3;
/**
 * Most requests one scenario may simulate (about an hour of CPU time). A
 * plan comes from a pull request: a peakRpm of a billion must not keep CI
 * busy for a week.
 */
const MAX_SIMULATED_REQUESTS = 20_000_000;

export class SimulationTooLargeError extends Error {}

export interface SimulateOptions {
  durationMs: number;
  seed: number;
  /** Router replicas; default DEFAULT_REPLICAS with shared state, 1 with memory state. */
  replicas?: number;
  /** Replaces the roofline service model of every engine (the queueing-theory tests use exponential service). */
  engineService?: (engineId: string, m: PlanPoolModel) => ServiceModel;
  /** Called once per request as it ends, with an id unique within the run (for the conservation property). */
  onRequestEnd?: (id: number, group: string, outcome: Outcome) => void;
}

function defaultReplicas(plan: CompiledPlan): number {
  return hasSharedState(plan) ? DEFAULT_REPLICAS : 1;
}

interface EngineEntry {
  engine: Engine;
  gpu: string;
  maxNumSeqs: number;
  kvTokens: number;
}

function buildEngines(plan: CompiledPlan, scenario: Scenario, opts: SimulateOptions, loop: EventLoop, start: number, end: number): Map<string, EngineEntry> {
  const engines = new Map<string, EngineEntry>();
  for (const poolId of Object.keys(plan.pools).sort()) {
    const pool = plan.pools[poolId]!;
    for (const served of Object.keys(pool.models).sort()) {
      const m = pool.models[served]!;
      const hw = engineHardware(plan, poolId, m, scenario.gpus);
      const service = opts.engineService ? opts.engineService(m.id, m) : rooflineService(rooflineParams(m, hw));
      const c = m.capacity;
      engines.set(m.id, {
        engine: new Engine(m.id, c.maxNumSeqs, c.kvTokens, service, loop, start, end),
        gpu: m.spansPools.length ? `${hw.gpu} (x${c.gpus}, ${[poolId, ...m.spansPools].join('+')})` : c.gpus > 1 ? `${hw.gpu} (x${c.gpus})` : hw.gpu,
        maxNumSeqs: c.maxNumSeqs,
        kvTokens: c.kvTokens,
      });
    }
  }
  return engines;
}

/** Requests the plan's traffic brings over the window, traffic multipliers included. */
function expectedRequests(plan: CompiledPlan, conditions: Conditions, durationMs: number): number {
  let n = 0;
  for (const [name, g] of Object.entries(plan.groups))
    if (g.traffic) n += (g.traffic.peakRpm * conditions.multiplierRange(name, durationMs).mean * durationMs) / 60_000;
  return n;
}

/**
 * A group's arrivals as one event object, scheduled again for the next
 * arrival each time it fires (a group has one arrival pending at a time), so
 * an arrival costs no event or closure of its own.
 */
class GroupArrivals extends TimedEvent {
  private arrival: Arrival | null = null;
  constructor(
    private readonly source: ArrivalStream,
    private readonly loop: EventLoop,
    private readonly send: (a: Arrival) => void,
  ) {
    super();
  }
  /** Schedules the next arrival, if the window has one. */
  next(): void {
    this.arrival = this.source.next();
    if (this.arrival !== null) this.loop.schedule(this, this.arrival.t);
  }
  fire(): void {
    // The request goes out (and schedules what it causes) before the next arrival is drawn, as the event order requires.
    this.send(this.arrival!);
    this.next();
  }
}

export async function simulateScenario(plan: CompiledPlan, scenario: Scenario, opts: SimulateOptions): Promise<ScenarioReport> {
  const durationMs = scenario.durationMs ?? opts.durationMs;
  const replicaCount = Math.max(1, Math.floor(scenario.replicas ?? opts.replicas ?? defaultReplicas(plan)));
  const seed = opts.seed;
  const start = SIM_START;
  const end = start + durationMs;
  const loop = new EventLoop(start);
  const conditions = new Conditions(plan, scenario);
  const expected = expectedRequests(plan, conditions, durationMs);
  if (expected > MAX_SIMULATED_REQUESTS)
    throw new SimulationTooLargeError(
      `scenario ${scenario.name} would simulate about ${Math.round(expected).toLocaleString('en-US')} requests, more than ${MAX_SIMULATED_REQUESTS.toLocaleString('en-US')}: simulate a shorter window`,
    );

  const engines = buildEngines(plan, scenario, opts, loop, start, end);
  const endpoints = new Map<string, Endpoint>();
  for (const id of Object.keys(plan.deployments).sort()) {
    const d = plan.deployments[id]!;
    const m = d.pool === null ? undefined : plan.pools[d.pool]?.models[d.model];
    if (d.providerKind === 'vllm' && m !== undefined)
      endpoints.set(id, { kind: 'engine', engine: engines.get(m.id)!.engine, random: stream(seed, `engine-errors:${id}`) });
    else if (d.providerKind !== 'vllm')
      endpoints.set(id, { kind: 'hosted', hosted: new HostedEndpoint(d, scenario.providers?.[d.provider], stream(seed, `hosted:${id}`)) });
  }
  const transport = new SimTransport(loop, endpoints, conditions, start);

  const baseline = baselineDeployment(plan);
  const collector = new Collector(plan, baseline);
  const events = {
    emit(event: string, payload?: unknown) {
      const p = payload as { deployment?: string; to?: string } | undefined;
      if (event === 'breaker' && p?.to === 'open' && p.deployment) collector.breakerOpened(p.deployment);
    },
  };
  const router = (name: string): Router => createRouter(plan, { clock: loop, random: stream(seed, name), transport, events });
  const shared = hasSharedState(plan) ? router('router:shared') : null;
  const local: Router[] = shared === null || conditions.usesStoreOutage ? Array.from({ length: replicaCount }, (_, i) => router(`router:${i}`)) : [];
  let turn = 0;
  const pickRouter = (t: number): Router => (shared !== null && !conditions.storeDownAt(t) ? shared : local[turn++ % local.length]!);

  let nextId = 0;
  let failure: unknown = null;
  const shares = tenantShares(plan, scenario.tenantLoad ?? DEFAULT_TENANT_LOAD);
  const meanMultiplier = new Map<string, number>();
  for (const name of Object.keys(plan.groups).sort()) {
    const g = plan.groups[name]!;
    if (g.traffic === null) continue;
    const range = conditions.multiplierRange(name, durationMs);
    meanMultiplier.set(name, range.mean);
    const source = new ArrivalStream(
      name,
      g.traffic.peakRpm,
      g.traffic.meanInputTokens,
      g.traffic.meanOutputTokens,
      shares[name] ?? {},
      (t) => conditions.multiplier(name, t),
      range.max,
      start,
      end,
      stream(seed, `arrivals:${name}`),
    );
    new GroupArrivals(source, loop, (a) => {
      const request: RouteRequest =
        a.tenant === undefined
          ? { group: name, estimatedInputTokens: a.inputTokens, maxOutputTokens: a.outputTokens }
          : { group: name, tenant: a.tenant, estimatedInputTokens: a.inputTokens, maxOutputTokens: a.outputTokens };
      const id = nextId++;
      const began = loop.now();
      loop.unpark();
      pickRouter(began - start)
        .route(request)
        .then(
          (r: RouteResult) => {
            const outcome = collector.record(name, r, loop.now() - began);
            opts.onRequestEnd?.(id, name, outcome);
            loop.park();
          },
          (e: unknown) => {
            failure ??= e;
            loop.park();
          },
        );
    }).next();
  }

  await loop.run();
  if (failure !== null) throw failure;
  for (const e of engines.values()) e.engine.close();

  // The window's requests stand for traffic at the plan's monthly volume (times the scenario's traffic multiplier).
  const monthlyScale = (group: string, requests: number): number => {
    const g = plan.groups[group]!;
    if (g.traffic === null || requests === 0) return 0;
    return (g.traffic.monthlyRequests * (meanMultiplier.get(group) ?? 1)) / requests;
  };
  const { totals, groups } = collector.groupReports(monthlyScale);
  const engineReports: Record<string, EngineReport> = {};
  let utilSum = 0;
  for (const [id, e] of engines) {
    const f = e.engine.figures;
    const utilization = durationMs > 0 ? f.runningArea / (durationMs * e.maxNumSeqs) : 0;
    utilSum += utilization;
    const waits = f.waits.sorted();
    const summary = latencySummary(waits);
    engineReports[id] = {
      gpu: e.gpu,
      maxNumSeqs: e.maxNumSeqs,
      kvTokens: e.kvTokens,
      utilization: round(utilization, 4),
      queueWaitMs: summary === null ? null : { mean: summary.mean, p95: summary.p95, max: round(waits[waits.length - 1]!, 1) },
      maxQueue: f.maxQueue,
      started: f.started,
      abortedWaiting: f.abortedWaiting,
      abortedRunning: f.abortedRunning,
      refused: f.refused,
    };
  }
  const spend = collector.spend;
  const reduction = spend.baselineUsd > 0 ? round(1 - spend.usd / spend.baselineUsd, 4) : null;
  const interactive = Object.keys(plan.groups)
    .sort()
    .filter((g) => plan.groups[g]!.workload === 'interactive');
  const interactiveLatency = latencySummary(collector.latenciesOf(interactive));
  const failed = totals.errors + totals.shed;
  const slos = evaluateSlos(plan, {
    errorRate: ratio(failed, totals.requests),
    fallbackSuccessRate: totals.fallbackSuccessRate,
    neededFallback: collector.neededFallback,
    interactiveP95Ms: interactiveLatency?.p95 ?? null,
    batchUtilization: engines.size > 0 ? round(utilSum / engines.size, 4) : null,
    costReduction: reduction,
  });

  return {
    name: scenario.name,
    kind: scenario.kind,
    target: scenario.target,
    description: scenario.description,
    durationMs,
    replicas: replicaCount,
    sharedState: shared !== null && local.length === 0,
    totals,
    groups,
    deployments: collector.deploymentReports(),
    engines: engineReports,
    breakerTrips: collector.breakerTrips,
    cost: {
      baselineDeployment: baseline,
      monthlyUsd: totals.monthlyCostUsd,
      baselineMonthlyUsd: totals.baselineMonthlyCostUsd,
      reductionVsBaseline: totals.baselineMonthlyCostUsd > 0 ? round(1 - totals.monthlyCostUsd / totals.baselineMonthlyCostUsd, 4) : null,
    },
    slos,
    events: loop.events,
  };
}
