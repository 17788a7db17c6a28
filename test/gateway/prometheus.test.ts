/**
 * The gateway feeds what generated/prometheus and the readiness gate read,
 * tested end to end: a real Prometheus (Debian's binary, 1 s scrapes and
 * rule evaluation, the committed generated/prometheus/routing.rules.yml)
 * scrapes a gateway (Redis state store) under generated load. Healthy
 * traffic (half chat, half chat-mini, some requests too long for the local
 * models that take the context-window fallback) passes `switchyard gate`;
 * then the OpenAI provider fails and Redis goes away, and the gate fails.
 *
 * Then every recording rule and alert of routing.rules.yml that reads a
 * `switchyard_*` metric must return data:
 * - recording rules as Prometheus itself recorded them (queried by name);
 *   `switchyard:cost_usd_per_hour:baseline_1w_ago` reads a week ago, so its
 *   expression is evaluated with the offset shortened to 20s;
 * - alert expressions with every comparison made a `bool` comparison, so the
 *   series they read are checked whatever the thresholds; and the alerts the
 *   failure causes (breaker open, error rates, fallback success, state store
 *   down) must hold as written. Alerts with a long `for:` are evaluated, not
 *   waited for.
 * The one alert left out is SwitchyardBatchQueueStuck: the batch runner, not
 * the gateway, exports switchyard_batch_queue_oldest_pending_seconds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createLogger } from '../../src/gateway/log.ts';
import { resolveServingSecrets } from '../../src/gateway/secrets.ts';
import { type RunningGateway, startGateway } from '../../src/gateway/start.ts';
import { memoryRequestLog } from '../../src/request-log/memory.ts';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
import { createSecretResolver } from '../../src/secrets/resolve.ts';
import { planJsonTarget } from '../../src/targets/plan-json.ts';
import { cli } from '../fixtures/cli.ts';
import { freePort } from '../fixtures/ports.ts';
import { type RedisServer, redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { REPO } from '../fixtures/workspace.ts';
import { prometheusBinary } from '../targets/prometheus-bin.ts';
import { ALL_SECRETS, compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS } from './harness.ts';

const RULES = join(REPO, 'generated/prometheus/routing.rules.yml');
/** Alerts whose metric another component exports. */
const NOT_THE_GATEWAYS: Record<string, string> = { SwitchyardBatchQueueStuck: 'switchyard_batch_queue_oldest_pending_seconds comes from the batch runner' };

let dir: string;
let standIns: Record<string, StandIn>;
let vault: VaultStandIn;
let redis: RedisServer;
let gateway: RunningGateway;
let prometheus: ChildProcess;
let promUrl: string;
let promLog = '';
let gatePlan: string;
let gatewayUrl: string;
let loading = true;
let load: Promise<void>;
const logLines: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${promUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: promql }),
  });
  const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
}

/** Requests at about 20 a second until stopped: half chat, half chat-mini, one in ten too long for the local models. */
async function generateLoad(url: string): Promise<void> {
  const long = 'x'.repeat(140_000);
  const send = (tenant: string, model: string, content: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TENANT_KEYS[tenant]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    })
      .then((r) => r.text())
      .catch(() => '');
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; loading; i++) {
    const p =
      i % 10 === 9
        ? send('document-pipeline', 'chat-local', long)
        : i % 2 === 0
          ? send('support-assistant', 'chat', 'What colour is a ripe banana?')
          : send('document-pipeline', 'chat-mini', 'What colour is a ripe banana?');
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    await sleep(50);
  }
  await Promise.all(inFlight);
}

const missing = redisServerMissing();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-prom-'));
  standIns = await startStandIns();
  vault = await startVaultWithKeys();
  redis = await startRedisServer();
  const policy = await standInPolicy((id) => standIns[id]!.base);
  // The document pipeline sends the long requests: give it the room the load needs.
  policy.tenants.find((t) => t.id === 'document-pipeline')!.tpm = 100_000_000;
  const plan = compileOrThrow(policy);
  const secrets = await resolveServingSecrets(plan, createSecretResolver({ env: { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token } }));
  gateway = await startGateway({
    plan,
    store: await createRedisStore({ url: redis.url, keyPrefix: plan.routerState.kind === 'redis' ? plan.routerState.keyPrefix : 'switchyard:' }),
    secrets,
    requestLog: memoryRequestLog(),
    log: createLogger((s) => logLines.push(s), ALL_SECRETS),
  });
  const addr = await gateway.listen(0, '127.0.0.1');
  gatewayUrl = `http://127.0.0.1:${addr.port}`;

  // The gate's plan: the reference objectives the gateway feeds (vLLM's, the batch runner's and the week-old cost baseline are not its to feed).
  const scoped = structuredClone(policy);
  scoped.slos!.targets = scoped.slos!.targets!.filter((t) => !['kv_cache_hit_rate', 'vllm_batch_utilization'].includes(t.metric));
  scoped.slos!.alerts = scoped.slos!.alerts!.filter((a) => !['vllm_engine_down', 'batch_queue_stuck', 'cost_anomaly'].includes(a.kind));
  gatePlan = join(dir, 'gate-plan.json');
  writeFileSync(gatePlan, planJsonTarget.emit(compileOrThrow(scoped))[0]!.content);

  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(RULES)}]`,
      'scrape_configs:',
      `  - { job_name: switchyard, static_configs: [{ targets: ["127.0.0.1:${addr.port}"] }] }`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    prometheusBinary('prometheus'),
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', (d) => (promLog += d));
  prometheus.stderr!.on('data', (d) => (promLog += d));
  load = generateLoad(`http://127.0.0.1:${addr.port}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${promLog}`);
    const up = await query('up{job="switchyard"} == 1').catch(() => []);
    if (up.length === 1) break;
    if (Date.now() > deadline) throw new Error(`prometheus does not scrape the gateway: ${promLog}`);
    await sleep(500);
  }
}, 90_000);

afterAll(async () => {
  loading = false;
  await load?.catch(() => {});
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await gateway?.close(2_000);
  await redis?.dispose();
  await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  await vault?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
const rules: Rule[] = (parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const records = new Map(rules.filter((r) => r.record).map((r) => [r.record!, r.expr]));

/** Reads a `switchyard_*` metric, itself or through a recording rule that does. */
function readsSwitchyard(expr: string): boolean {
  if (/\bswitchyard_[a-z_]+/.test(expr)) return true;
  return [...records].some(([name, e]) => expr.includes(name) && e !== expr && readsSwitchyard(e));
}

/** `a > 0.01` -> `a > bool 0.01`: the comparison keeps every series, so the result says whether the data is there. */
const asBool = (expr: string) => expr.replace(/(\s)(==|!=|>=|<=|>|<)(\s)/g, '$1$2 bool$3');

describe.skipIf(missing !== null)('the gateway feeds the generated rules and the readiness gate (real Prometheus)', () => {
  it('healthy traffic: switchyard gate passes', async () => {
    await sleep(25_000);
    const r = await cli('gate', '--prometheus', promUrl, '--window', '20s', '--plan', gatePlan);
    if (r.code !== 0) console.log(r.stdout, r.stderr);
    expect(r.stdout).toMatch(/-> READY/);
    expect(r.code).toBe(0);
    // The cost reduction the gate judged: chat at the baseline price, chat-mini at 6% of it, about 47% overall.
    const reduction = Number((await query('switchyard:cost_reduction_vs_baseline:30m'))[0]!.value[1]);
    expect(reduction).toBeGreaterThan(0.4);
    expect(reduction).toBeLessThan(0.6);
  }, 60_000);

  it('one provider failing (and the state store gone): switchyard gate fails on the criteria the failure breaks', async () => {
    standIns.openai!.fault = { status: 503 };
    await redis.stop();
    await sleep(25_000);
    // Still serving (on local state), but the shared store is reported down.
    const ready = (await (await fetch(`${gatewayUrl}/readyz`)).json()) as { status: string; store: unknown };
    expect(ready).toMatchObject({ status: 'degraded', store: { kind: 'redis', up: false } });
    const r = await cli('gate', '--prometheus', promUrl, '--window', '20s', '--plan', gatePlan, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ready: boolean; criteria: { id: string; status: string; value: number | null }[] };
    const status = Object.fromEntries(out.criteria.map((c) => [c.id, c.status]));
    expect(out.ready).toBe(false);
    expect(status).toMatchObject({
      'slo.error-rate': 'fail',
      'slo.fallback-success-rate': 'fail',
      'alert.router-error-rate-high': 'fail',
      'alert.circuit-breaker-open': 'fail',
      'alert.router-state-unavailable': 'fail',
      'slo.interactive-latency-p95': 'pass',
      'slo.router-overhead-p95': 'pass',
    });
  }, 60_000);

  it('every recording rule reading switchyard_* metrics has data, as Prometheus recorded it', async () => {
    const ours = [...records].filter(([, expr]) => readsSwitchyard(expr)).map(([name]) => name);
    expect(ours).toEqual([
      'switchyard:error_ratio:rate5m',
      'switchyard:deployment_error_ratio:rate5m',
      'switchyard:cost_usd_per_hour:rate5m',
      'switchyard:cost_usd_per_hour:baseline_1w_ago',
      'switchyard:cost_reduction_vs_baseline:30m',
      'switchyard:error_rate:30m',
      'switchyard:fallback_success_rate:30m',
      'switchyard:interactive_latency_p95_ms:30m',
      'switchyard:router_overhead_p95_ms:30m',
    ]);
    const empty: string[] = [];
    for (const name of ours) {
      const expr = name === 'switchyard:cost_usd_per_hour:baseline_1w_ago' ? records.get(name)!.replace(/offset 1w/g, 'offset 20s') : name;
      if ((await query(expr)).length === 0) empty.push(name);
    }
    expect(empty).toEqual([]);
    // Values, not just presence: chat-mini (half the load) failing shows in the error ratio, and the breakers of the failing deployments are open.
    expect(Number((await query('switchyard:error_ratio:rate5m'))[0]!.value[1])).toBeGreaterThan(0.05);
    expect(Number((await query('max(switchyard_circuit_breaker_state{deployment=~"openai-gpt-4o|openai-gpt-4o-mini"})'))[0]!.value[1])).toBe(1);
    expect(Number((await query('switchyard:interactive_latency_p95_ms:30m'))[0]!.value[1])).toBeLessThan(2_000);
  });

  it('every alert reading switchyard_* metrics evaluates over data; those the failure causes hold', async () => {
    const alerts = rules.filter((r) => r.alert && readsSwitchyard(r.expr));
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'SwitchyardBatchQueueStuck',
      'SwitchyardCircuitBreakerOpen',
      'SwitchyardCostAnomaly',
      'SwitchyardRouterErrorRateHigh',
      'SwitchyardRouterStateUnavailable',
      'SwitchyardSloCostReduction',
      'SwitchyardSloErrorRate',
      'SwitchyardSloFallbackSuccessRate',
      'SwitchyardSloInteractiveLatencyP95',
      'SwitchyardSloRouterOverheadP95',
    ]);
    const empty: string[] = [];
    for (const a of alerts) {
      if (NOT_THE_GATEWAYS[a.alert!]) continue;
      const expr = asBool(
        a.expr.replace(
          /switchyard:cost_usd_per_hour:baseline_1w_ago/g,
          `(${records.get('switchyard:cost_usd_per_hour:baseline_1w_ago')!.replace(/offset 1w/g, 'offset 20s')})`,
        ),
      );
      if ((await query(expr)).length === 0) empty.push(a.alert!);
    }
    expect(empty).toEqual([]);
    const holding: string[] = [];
    for (const name of [
      'SwitchyardCircuitBreakerOpen',
      'SwitchyardRouterErrorRateHigh',
      'SwitchyardRouterStateUnavailable',
      'SwitchyardSloErrorRate',
      'SwitchyardSloFallbackSuccessRate',
    ])
      if ((await query(rules.find((r) => r.alert === name)!.expr)).length > 0) holding.push(name);
    expect(holding).toEqual([
      'SwitchyardCircuitBreakerOpen',
      'SwitchyardRouterErrorRateHigh',
      'SwitchyardRouterStateUnavailable',
      'SwitchyardSloErrorRate',
      'SwitchyardSloFallbackSuccessRate',
    ]);
    // Prometheus itself has them pending or firing (no `for` on the SLO alerts: firing at once).
    const active = await query('ALERTS');
    const state = Object.fromEntries(active.map((s) => [s.metric.alertname, s.metric.alertstate]));
    expect(state.SwitchyardSloErrorRate).toBe('firing');
    expect(state.SwitchyardRouterErrorRateHigh).toMatch(/^(pending|firing)$/);
    expect(state.SwitchyardRouterStateUnavailable).toMatch(/^(pending|firing)$/);
    expect(state.SwitchyardCircuitBreakerOpen).toMatch(/^(pending|firing)$/);
  });

  it('the state store outage was logged, without secrets', () => {
    expect(logLines.some((l) => l.includes('"msg":"router degraded"'))).toBe(true);
    for (const s of ALL_SECRETS) expect(logLines.join('')).not.toContain(s);
  });
});
