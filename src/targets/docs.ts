/**
 * Operator docs from handlebars templates (templates/): the readiness gate
 * (`docs/readiness-gate.md`) and the runbooks (`docs/runbooks/*.md`). Every
 * threshold, alert name, fallback chain and PromQL expression comes from the
 * plan through the same modules the Prometheus rules and the gate use; the
 * runbooks' alert headings are the anchors of the alerts' runbook_url.
 *
 * Templates are read once, when this module loads, so emitting stays pure.
 */
import { assertNever } from '../model/closed-sets.ts';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { compareStrings } from '../plan/defaults.ts';
import { batchSavings } from '../plan/batch-savings.ts';
import { BATCH_GROUP_PREFIX, type Artifact, type CompiledPlan } from '../plan/types.ts';
import { mdText } from './markdown.ts';
import { METRICS, metricTable, VLLM_JOB } from '../observability/metrics.ts';
import { ALERT_RATE_WINDOW_MS, COST_BASELINE_OFFSET, num, promDuration } from '../observability/promql.ts';
import { alertRules, RUNBOOKS, type AlertRule } from '../observability/rules.ts';
import { CATEGORY_TITLES, criterionWindow, readinessCriteria, thresholdText, type Category } from '../observability/readiness.ts';
import { BATCH_PROFILES_PATH, DASHBOARD_PATH, DASHBOARD_UID, LITELLM_CONFIG_PATH, litellmDeploymentId, READINESS_DOC_PATH, RULES_PATH } from './paths.ts';
import type { Target } from './target.ts';

const hbs = Handlebars.create();
const load = (rel: string) => hbs.compile(readFileSync(new URL(`../../templates/${rel}`, import.meta.url), 'utf8'), { noEscape: true, strict: true });

const TEMPLATES = {
  readiness: load('readiness-gate.md.hbs'),
  routerOutage: load('runbooks/router-outage.md.hbs'),
  batchFailure: load('runbooks/batch-failure.md.hbs'),
};

export const DOC_PATHS = { readiness: READINESS_DOC_PATH, routerOutage: RUNBOOKS.routerOutage, batchFailure: RUNBOOKS.batchFailure } as const;

const code = (s: string) => `\`${s}\``;

/** Model group chains as a runbook prints them: `chat` -> `chat-azure` -> ... */
function groupsView(plan: CompiledPlan) {
  return Object.keys(plan.groups)
    .sort(compareStrings)
    .map((name) => {
      const g = plan.groups[name]!;
      const deployments = g.deployments.map((id) => {
        const d = plan.deployments[id];
        return d ? `${code(id)} (${mdText(d.provider)}, ${mdText(d.model)})` : code(id);
      });
      return {
        name,
        workload: g.workload,
        deployments: deployments.join(', '),
        chain: [name, ...g.fallbacks].map(code).join(' → '),
        hasFallbacks: g.fallbacks.length > 0,
        contextFallbacks: g.contextWindowFallbacks.length ? g.contextWindowFallbacks.map(code).join(', ') : '—',
        breaker: `opens above ${num(g.circuitBreaker.errorRateThreshold * 100)}% errors over ${promDuration(g.circuitBreaker.windowMs)} (min ${g.circuitBreaker.minRequests} requests), cooldown ${promDuration(g.circuitBreaker.cooldownMs)}`,
        retries: `${g.retries.count} on ${g.retries.retryOn.join(', ')}`,
        timeout: promDuration(g.timeouts.requestMs),
        firstDeployment: g.deployments[0] ?? null,
      };
    });
}

/** Steps per alert kind: what to look at and what to do, naming the plan's own groups and commands. */
function alertSteps(plan: CompiledPlan, r: AlertRule): string[] {
  const groups = groupsView(plan);
  const primary = groups.find((g) => g.workload === 'interactive' && g.hasFallbacks) ?? groups[0];
  const explain = primary?.firstDeployment ? `switchyard explain -m ${primary.name} --down ${primary.firstDeployment}` : 'switchyard explain -m <group>';
  const gate = 'switchyard gate --prometheus "$PROMETHEUS_URL"';
  if (r.source.kind !== 'alert')
    return [
      `Open the dashboard panel for ${code(r.reads)} and find the group, deployment or pool behind it.`,
      `Run ${code(gate)} for the full picture, and ${code(explain)} to check the routes.`,
      'If a policy change preceded the breach, roll back (see Rollback).',
    ];
  const kind = r.source.alert.kind;
  switch (kind) {
    case 'router_error_rate':
      return [
        `Find where the errors come from: ${code(`topk(5, sum by (group, deployment) (rate(${METRICS.requests.name}{outcome="error"}[5m])))`)}.`,
        `If one provider fails, its breaker should open and traffic take the fallback chain: check ${code(`${METRICS.breakerState.name}`)} and run ${code(explain)} to see the route requests take without it.`,
        `If every provider fails at once, suspect the router itself or its configuration: run ${code('switchyard compile --check')} to confirm the deployed generated/ matches policies/, and roll back (see Rollback) if a configuration change preceded the alert.`,
        `Confirm recovery with ${code(gate)}.`,
      ];
    case 'circuit_breaker_open':
      return [
        `Identify the deployment from the alert label ${code('deployment')} and its provider status page.`,
        `Run ${code(explain)} (replace the deployment) to see which fallback takes its traffic, and check that fallback has the capacity (its rpm/tpm limits in plan.json).`,
        "The breaker half-opens after its cooldown and closes again after successful probes; if it keeps re-opening, lower that deployment's weight or remove it from its group in policies/routing.ts, then `switchyard compile` and deploy.",
      ];
    case 'router_state_unavailable':
      return [
        `Check the ${plan.routerState.kind} state store from the router host (for Redis: ${code('redis-cli -u "$SWITCHYARD_REDIS_URL" ping')}, and ${code('CLUSTER INFO')} when clustered).`,
        'While it is unavailable each router keeps its own breaker and usage state: breakers trip per instance and rate limits are enforced per instance, so the effective limits are higher than planned.',
        'Fail over to the Redis replica (cluster disaster recovery) or restore the primary; routers reconnect on their own.',
      ];
    case 'vllm_engine_down':
      return [
        `Check the engine process on the pool host (labels ${code('pool')}, ${code('instance')}); it is started by generated/vllm/<pool>/<model>.sh, which pins its GPUs and runs ${code('vllm serve --config')} on the .yaml beside it (an engine spanning pools also needs each ${code('.ray-worker.sh')} running on the other pools' hosts).`,
        'Behind the LiteLLM proxy an engine that refuses connections is never cooled down: take its entries out of rotation by hand (see "Behind the LiteLLM proxy" below).',
        'An engine that does not start usually runs out of GPU memory: compare the capacity figures in plan.json (`pools.<pool>.models.<model>.capacity`) with `nvidia-smi`.',
        `Meanwhile traffic for its groups takes the fallback chain; run ${code(`switchyard explain -m ${groups.find((g) => g.workload === 'cost_sensitive')?.name ?? '<group>'}`)} to see where it goes.`,
      ];
    case 'cost_anomaly':
      return [
        `Find the tenant and group behind the spend: ${code(`topk(5, sum by (tenant, group, provider) (rate(${METRICS.cost.name}[1h])))`)}.`,
        `A fallback storm moves cost-sensitive traffic to hosted providers: check ${code('switchyard:fallback_success_rate')} and the vLLM engines.`,
        'If one tenant is responsible, lower its rpm/tpm or monthly budget in policies/tenants.ts, `switchyard compile`, deploy.',
      ];
    case 'batch_queue_stuck':
      return [
        `Look at the profile's queue: ${code(`${METRICS.batchQueuePending.name}{profile="<profile>"}`)}, then ${code('switchyard batch status --dir <prepared dir>')} for each batch's status and request counts.`,
        'Check the provider Batch API status and quota (a file over the provider limit is rejected at submission). A batch stuck in validating or in_progress past its window ends expired: collect what finished, then resubmit the rest with `switchyard batch retry-failed`.',
        `If the exporter itself stopped (${code('switchyard batch watch --metrics-port')}), the gauges freeze at their last values: restart it; it resumes from the journal.`,
      ];
    default:
      return assertNever(kind);
  }
}

function alertView(plan: CompiledPlan, r: AlertRule) {
  const from = r.source.kind === 'alert' ? `slos.alerts.${r.source.alert.id}` : `slos.targets.${r.source.target.id}`;
  return {
    name: r.alert,
    anchor: r.runbook.anchor,
    severity: r.severity,
    // Prometheus fills these in from the alert's labels; the runbook names the label.
    summary: r.summary
      .replace(/\{\{ \$labels\.([A-Za-z_][A-Za-z0-9_]*) \}\}/g, '<$1>')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;'),
    threshold: r.thresholdText,
    forText: r.forMs > 0 ? promDuration(r.forMs) : 'immediately',
    expr: r.expr,
    from,
    litellm: r.litellmFallback,
    steps: alertSteps(plan, r),
  };
}

function common(plan: CompiledPlan) {
  return {
    plan: { name: plan.name, hash: plan.hash },
    rulesPath: `generated/${RULES_PATH}`,
    dashboardPath: `generated/${DASHBOARD_PATH}`,
    dashboardUid: DASHBOARD_UID,
    vllmJob: VLLM_JOB,
    rateWindow: promDuration(ALERT_RATE_WINDOW_MS),
    baselineOffset: COST_BASELINE_OFFSET,
  };
}

function readinessView(plan: CompiledPlan) {
  const criteria = readinessCriteria(plan);
  const categories = (Object.keys(CATEGORY_TITLES) as Category[])
    .map((cat) => ({
      title: CATEGORY_TITLES[cat],
      criteria: criteria
        .filter((c) => c.category === cat)
        .map((c) => {
          const window = criterionWindow(c, null);
          return {
            id: c.id,
            description: c.description,
            threshold: thresholdText(c),
            window: window ?? 'instant',
            promql: c.promql(window ?? '5m'),
            from: c.from,
            alert: c.alert,
          };
        }),
    }))
    .filter((c) => c.criteria.length > 0);
  return { ...common(plan), categories, count: criteria.length };
}

function routerOutageView(plan: CompiledPlan) {
  const alerts = alertRules(plan).filter((r) => r.runbook.file === RUNBOOKS.routerOutage);
  return {
    ...common(plan),
    groups: groupsView(plan),
    routerState:
      plan.routerState.kind === 'redis'
        ? `Redis${plan.routerState.cluster ? ' cluster' : ''} (${plan.routerState.url.ref}, key prefix ${plan.routerState.keyPrefix})`
        : 'in memory (per router instance)',
    critical: alerts.filter((r) => r.source.kind === 'alert').map((r) => alertView(plan, r)),
    slo: alerts.filter((r) => r.source.kind === 'slo').map((r) => alertView(plan, r)),
    metrics: metricTable().map((m) => ({ ...m, labels: m.labels.join(', ') || '—' })),
    litellm: { config: `generated/${LITELLM_CONFIG_PATH}`, selfHosted: selfHostedEntries(plan) },
  };
}

/**
 * The LiteLLM model_list entries that point at our own vLLM servers: the
 * ones a refused connection takes down without LiteLLM ever cooling them
 * down (_is_cooldown_required ignores APIConnectionError,
 * litellm/router_utils/cooldown_handlers.py).
 */
function selfHostedEntries(plan: CompiledPlan): string[] {
  return Object.keys(plan.groups)
    .sort(compareStrings)
    .flatMap((name) =>
      plan.groups[name]!.deployments.filter((id) => plan.deployments[id]?.providerKind === 'vllm').map((id) => {
        const d = plan.deployments[id]!;
        return `${code(litellmDeploymentId(name, id))} (${d.pool === null ? 'vLLM' : `pool ${code(d.pool)}`}, ${plan.providers[d.provider]?.apiBase ?? d.provider})`;
      }),
    );
}

const usd = (n: number) => `$${num(n)}`;

function batchFailureView(plan: CompiledPlan) {
  const profiles = Object.keys(plan.batchProfiles)
    .sort(compareStrings)
    .map((id) => {
      const p = plan.batchProfiles[id]!;
      const r = p.redaction;
      const savings = batchSavings(p);
      const sync = p.pricing.synchronous;
      return {
        id,
        provider: mdText(p.provider),
        model: mdText(p.model),
        endpoint: p.endpoint,
        window: `${p.completionWindowHours}h`,
        sla: `${p.slaHours}h`,
        maxRequests: p.maxRequestsPerFile,
        maxMb: num(p.maxFileBytes / 1_000_000),
        tenant: p.tenant === null ? `${code(`${BATCH_GROUP_PREFIX}${id}`)} (no tenant)` : code(p.tenant),
        batchPrice: `${usd(p.pricing.batch.inputPer1M)} / ${usd(p.pricing.batch.outputPer1M)}`,
        syncPrice: sync ? `${usd(sync.inputPer1M)} / ${usd(sync.outputPer1M)} (${code(p.pricing.deployment ?? '')})` : '—',
        savings: savings === null ? '—' : `${num(savings * 100)}%`,
        dataClasses: p.dataClasses.join(', ') || '—',
        redaction: r.enabled ? [...r.detectors, ...r.rules.map((x) => x.name)].map(code).join(', ') || 'enabled, nothing to detect' : 'off',
        reidentify: r.enabled ? (r.reidentify ? 'restored on collect' : 'stay redacted') : '—',
        redacts: r.enabled && r.detectors.length + r.rules.length > 0,
      };
    });
  return {
    ...common(plan),
    profilesPath: `generated/${BATCH_PROFILES_PATH}`,
    metrics: {
      pending: METRICS.batchQueuePending.name,
      oldest: METRICS.batchQueueOldestPending.name,
      requests: METRICS.batchRequests.name,
      jobs: METRICS.batchJobs.name,
    },
    profiles,
    alerts: alertRules(plan)
      .filter((r) => r.runbook.file === RUNBOOKS.batchFailure)
      .map((r) => alertView(plan, r)),
  };
}

export function emitDocs(plan: CompiledPlan): Artifact[] {
  return [
    { path: DOC_PATHS.readiness, content: TEMPLATES.readiness(readinessView(plan)), mediaType: 'text/markdown' },
    { path: DOC_PATHS.routerOutage, content: TEMPLATES.routerOutage(routerOutageView(plan)), mediaType: 'text/markdown' },
    { path: DOC_PATHS.batchFailure, content: TEMPLATES.batchFailure(batchFailureView(plan)), mediaType: 'text/markdown' },
  ];
}

export const docsTarget: Target = { id: 'docs', emit: emitDocs };
