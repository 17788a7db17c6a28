/**
 * A scenario file's content (already valid against
 * schemas/scenario.schema.json) as a Scenario for one plan. What the schema
 * cannot know is checked here and reported as Diagnostics with their path
 * in the file, which the CLI turns into file:line:col: ids the plan does
 * not have, windows that start after the run ends, a latency event on a
 * vLLM engine, a p95 below its p50.
 */
import { type Diagnostic, diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath, type Path } from '../diagnostics/path.ts';
import { closest } from '../diagnostics/suggest.ts';
import { assertNever } from '../model/closed-sets.ts';
import { durationMs, formatDuration } from '../model/duration.ts';
import type { CompiledPlan } from '../plan/types.ts';
import {
  type GpuOverride,
  hasSharedState,
  type OutageMode,
  type ProviderModelOverride,
  type Scenario,
  type ScenarioEvent,
  type Target,
  poolIds,
  targetDeployments,
} from './scenario.ts';

/** The file's shape, as the schema allows it. */
export interface ScenarioFile {
  name: string;
  description?: string;
  duration?: string;
  replicas?: number;
  tenantLoad?: number;
  providers?: Record<string, { p50?: string; p95?: string; errorRate?: number }>;
  gpus?: Record<string, GpuOverride>;
  events?: Array<
    { at?: string; for?: string } & (
      | { kind: 'outage'; target: Target; mode?: OutageMode }
      | { kind: 'latency'; target: Target; multiplier?: number; p50?: string; p95?: string }
      | { kind: 'error-rate'; target: Target; rate: number }
      | { kind: 'traffic'; group?: string; multiplier: number }
      | { kind: 'state-store-down' }
    )
  >;
}

export interface ScenarioFileCheck {
  scenario?: Scenario;
  diagnostics: Diagnostic[];
}

const q = JSON.stringify;

export function scenarioFromFile(file: ScenarioFile, plan: CompiledPlan, runDurationMs: number): ScenarioFileCheck {
  const diagnostics: Diagnostic[] = [];
  const err = (path: Path, code: string, message: string, hint?: string) =>
    diagnostics.push(diagnostic('error', code, message, formatPath(path), hint ? { hint } : {}));
  const known = (path: Path, what: string, id: string, ids: readonly string[]): boolean => {
    if (ids.includes(id)) return true;
    const near = closest(id, ids);
    err(
      path,
      'scenario-unknown-id',
      `unknown ${what} ${q(id)} in plan ${plan.name}`,
      near ? `did you mean ${q(near)}?` : `${what}s: ${ids.join(', ') || '(none)'}`,
    );
    return false;
  };
  const durationOfRun = file.duration !== undefined ? durationMs(file.duration) : runDurationMs;
  if (durationOfRun <= 0) err(['duration'], 'scenario-empty-window', 'duration must be longer than 0');

  const checkTarget = (path: Path, t: Target): boolean => {
    if ('provider' in t) return known([...path, 'provider'], 'provider', t.provider, Object.keys(plan.providers).sort());
    if ('deployment' in t) return known([...path, 'deployment'], 'deployment', t.deployment, Object.keys(plan.deployments).sort());
    return known([...path, 'pool'], 'pool', t.pool, poolIds(plan));
  };

  const providers: Record<string, ProviderModelOverride> = {};
  for (const [id, p] of Object.entries(file.providers ?? {})) {
    if (!known(['providers', id], 'provider', id, Object.keys(plan.providers).sort())) continue;
    if (plan.providers[id]!.kind === 'vllm') {
      err(['providers', id], 'scenario-vllm-latency', `provider ${q(id)} is a vLLM server: its latency comes from its engine's GPU model, not from figures`);
      continue;
    }
    const o: ProviderModelOverride = {};
    if (p.p50 !== undefined) o.p50Ms = durationMs(p.p50);
    if (p.p95 !== undefined) o.p95Ms = durationMs(p.p95);
    if (p.errorRate !== undefined) o.errorRate = p.errorRate;
    if (o.p50Ms !== undefined && o.p95Ms !== undefined && o.p95Ms < o.p50Ms)
      err(['providers', id, 'p95'], 'scenario-p95-below-p50', `p95 ${p.p95} is below p50 ${p.p50}`);
    providers[id] = o;
  }

  const events: ScenarioEvent[] = [];
  (file.events ?? []).forEach((e, i) => {
    const path: Path = ['events', i];
    const fromMs = e.at === undefined ? 0 : durationMs(e.at);
    const toMs = e.for === undefined ? Infinity : fromMs + durationMs(e.for);
    if (fromMs >= durationOfRun)
      err([...path, 'at'], 'scenario-event-after-end', `event starts at ${e.at}, at or after the end of the ${formatDuration(durationOfRun)} run`);
    if (e.for !== undefined && toMs === fromMs) err([...path, 'for'], 'scenario-empty-window', 'for must be longer than 0');
    const w = { fromMs, toMs };
    switch (e.kind) {
      case 'outage':
        if (checkTarget([...path, 'target'], e.target)) events.push({ kind: 'outage', target: e.target, mode: e.mode ?? 'error', ...w });
        return;
      case 'error-rate':
        if (checkTarget([...path, 'target'], e.target)) events.push({ kind: 'error-rate', target: e.target, rate: e.rate, ...w });
        return;
      case 'latency': {
        if (!checkTarget([...path, 'target'], e.target)) return;
        if (e.multiplier === undefined && e.p50 === undefined)
          return void err(
            path,
            'scenario-latency-empty',
            'a latency event needs multiplier or p50 (and p95)',
            'e.g. multiplier: 3, or p50: 800ms with p95: 2s',
          );
        const hosted = targetDeployments(plan, e.target).filter((id) => plan.deployments[id]!.providerKind !== 'vllm');
        if (hosted.length === 0)
          return void err(
            [...path, 'target'],
            'scenario-vllm-latency',
            "latency events apply to hosted providers; a vLLM engine's latency comes from its GPU model",
          );
        const p50 = e.p50 === undefined ? null : durationMs(e.p50);
        const p95 = e.p95 === undefined ? null : durationMs(e.p95);
        if (p95 !== null && p50 === null) return void err([...path, 'p95'], 'scenario-latency-empty', 'p95 needs p50');
        if (p50 !== null && p95 !== null && p95 < p50) return void err([...path, 'p95'], 'scenario-p95-below-p50', `p95 ${e.p95} is below p50 ${e.p50}`);
        events.push({ kind: 'latency', target: e.target, multiplier: e.multiplier ?? null, p50Ms: p50, p95Ms: p95, ...w });
        return;
      }
      case 'traffic':
        if (e.group !== undefined && !known([...path, 'group'], 'model group', e.group, Object.keys(plan.groups).sort())) return;
        events.push({ kind: 'traffic', group: e.group ?? null, multiplier: e.multiplier, ...w });
        return;
      case 'state-store-down':
        if (!hasSharedState(plan))
          return void err(
            path,
            'scenario-no-shared-state',
            `plan ${plan.name} keeps router state in memory (routerState.kind memory): there is no shared store to lose`,
          );
        events.push({ kind: 'state-store-down', ...w });
        return;
      default:
        // a new event kind must be read here, not dropped from the scenario without a word
        assertNever(e);
    }
  });

  if (diagnostics.length) return { diagnostics };
  const scenario: Scenario = {
    name: file.name,
    kind: 'file',
    target: null,
    description: file.description ?? `${events.length} event${events.length === 1 ? '' : 's'} from a scenario file`,
    events,
  };
  if (file.duration !== undefined) scenario.durationMs = durationOfRun;
  if (file.replicas !== undefined) scenario.replicas = file.replicas;
  if (file.tenantLoad !== undefined) scenario.tenantLoad = file.tenantLoad;
  if (Object.keys(providers).length) scenario.providers = providers;
  if (file.gpus !== undefined) scenario.gpus = file.gpus;
  return { scenario, diagnostics };
}
