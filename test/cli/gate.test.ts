/**
 * `switchyard gate` against a real Prometheus server: Debian's prometheus
 * binary is spawned on loopback with the generated rules and a 1 s scrape
 * interval, scraping a small exporter this test serves (Switchyard gateway
 * metrics on /metrics, vLLM metrics on /vllm) with values chosen so that
 * some criteria pass, some fail and one has no data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGate } from '../../src/gate/evaluate.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { vllmEngineRefs } from '../../src/observability/promql.ts';
import { RULES_PATH } from '../../src/targets/paths.ts';
import { planJsonTarget } from '../../src/targets/plan-json.ts';
import { emitPrometheus } from '../../src/targets/prometheus.ts';
import { cli } from '../fixtures/cli.ts';
import { freePort } from '../fixtures/ports.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { prometheusBinary } from '../targets/prometheus-bin.ts';

const started = Date.now();
const elapsed = () => (Date.now() - started) / 1000;

function switchyardMetrics(): string {
  const t = elapsed();
  const req = (outcome: string, perSecond: number, deployment = 'openai-gpt-4o', provider = 'openai') =>
    `switchyard_requests_total{group="chat",deployment="${deployment}",provider="${provider}",outcome="${outcome}"} ${perSecond * t}`;
  const hist = (name: string, labels: string, buckets: [string, number][]) =>
    buckets.map(([le, perSecond]) => `${name}_bucket{${labels}${labels ? ',' : ''}le="${le}"} ${perSecond * t}`).join('\n');
  return [
    '# TYPE switchyard_requests_total counter',
    req('success', 995),
    req('error', 5),
    req('success', 200, 'azure-eastus-gpt-4o', 'azure-eastus'),
    '# TYPE switchyard_routing_overhead_seconds histogram',
    // p95 = 0.05 * 0.95 = 47.5 ms: inside < 150 ms
    hist('switchyard_routing_overhead_seconds', 'group="chat"', [
      ['0.05', 100],
      ['0.1', 100],
      ['+Inf', 100],
    ]),
    `switchyard_routing_overhead_seconds_count{group="chat"} ${100 * t}`,
    `switchyard_routing_overhead_seconds_sum{group="chat"} ${3 * t}`,
    '# TYPE switchyard_request_duration_seconds histogram',
    // p95 = 2 + 3 * 0.95 = 4.85 s: outside < 2 s
    hist('switchyard_request_duration_seconds', 'group="chat",workload="interactive"', [
      ['1', 0],
      ['2', 0],
      ['5', 100],
      ['+Inf', 100],
    ]),
    `switchyard_request_duration_seconds_count{group="chat",workload="interactive"} ${100 * t}`,
    `switchyard_request_duration_seconds_sum{group="chat",workload="interactive"} ${300 * t}`,
    '# TYPE switchyard_fallbacks_total counter',
    `switchyard_fallbacks_total{group="chat",from_group="chat",to_group="chat-azure",outcome="success"} ${99 * t}`,
    `switchyard_fallbacks_total{group="chat",from_group="chat",to_group="chat-azure",outcome="failure"} ${1 * t}`,
    '# TYPE switchyard_circuit_breaker_state gauge',
    'switchyard_circuit_breaker_state{deployment="openai-gpt-4o"} 0',
    'switchyard_circuit_breaker_state{deployment="azure-eastus-gpt-4o"} 0',
    '# TYPE switchyard_state_store_up gauge',
    'switchyard_state_store_up{store="redis"} 1',
    '# TYPE switchyard_batch_queue_oldest_pending_seconds gauge',
    'switchyard_batch_queue_oldest_pending_seconds{profile="document-extraction"} 120',
    '# TYPE switchyard_cost_usd_total counter',
    `switchyard_cost_usd_total{tenant="support",provider="openai",group="chat"} ${0.5 * t}`,
    '# TYPE switchyard_baseline_cost_usd_total counter',
    `switchyard_baseline_cost_usd_total{tenant="support",group="chat"} ${1 * t}`,
    '',
  ].join('\n');
}

function vllmMetrics(plan: CompiledPlan): string {
  const t = elapsed();
  const e = vllmEngineRefs(plan).find((x) => x.pool === 'pool-a')!;
  const l = `model_name="${e.model}",engine="0"`;
  return [
    '# TYPE vllm:num_requests_running gauge',
    // 30% of max-num-seqs: outside >= 65%
    `vllm:num_requests_running{${l}} ${0.3 * e.maxNumSeqs}`,
    '# TYPE vllm:prefix_cache_queries_total counter',
    `vllm:prefix_cache_queries_total{${l}} ${1000 * t}`,
    '# TYPE vllm:prefix_cache_hits_total counter',
    // hit rate 50%: outside >= 80%
    `vllm:prefix_cache_hits_total{${l}} ${500 * t}`,
    '',
  ].join('\n');
}

let plan: CompiledPlan;
let dir: string;
let exporter: Server;
let prometheus: ChildProcess | undefined;
let promUrl: string;
let promLog = '';

const EXPECTED: Record<string, string> = {
  'slo.error-rate': 'pass',
  'slo.fallback-success-rate': 'pass',
  'alert.circuit-breaker-open': 'pass',
  'alert.circuit-breaker-open.error-rate': 'pass',
  'alert.router-error-rate-high': 'pass',
  'alert.router-state-unavailable': 'pass',
  'alert.vllm-engine-down': 'pass',
  'slo.interactive-latency-p95': 'fail',
  'slo.kv-cache-hit-rate': 'fail',
  'slo.router-overhead-p95': 'pass',
  'slo.vllm-batch-utilization': 'fail',
  'alert.cost-anomaly': 'no-data',
  'slo.cost-reduction': 'pass',
  'alert.batch-queue-stuck': 'pass',
  'alerts.none-firing': 'pass',
};

beforeAll(async () => {
  plan = compilePolicy(await referencePolicy()).plan!;
  const binary = prometheusBinary('prometheus');
  dir = mkdtempSync(join(tmpdir(), 'switchyard-gate-'));
  writeFileSync(join(dir, 'plan.json'), planJsonTarget.emit(plan)[0]!.content);
  writeFileSync(join(dir, 'routing.rules.yml'), emitPrometheus(plan).find((a) => a.path === RULES_PATH)!.content);

  exporter = createServer((req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(req.url === '/vllm' ? vllmMetrics(plan) : switchyardMetrics());
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  const exporterAddr = `127.0.0.1:${(exporter.address() as { port: number }).port}`;

  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(join(dir, 'routing.rules.yml'))}]`,
      'scrape_configs:',
      `  - { job_name: switchyard, static_configs: [{ targets: ["${exporterAddr}"] }] }`,
      `  - { job_name: vllm, metrics_path: /vllm, static_configs: [{ targets: ["${exporterAddr}"], labels: { pool: pool-a } }] }`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', (d) => (promLog += d));
  prometheus.stderr!.on('data', (d) => (promLog += d));

  // Wait (bounded) until every criterion that should have data has it.
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${promLog}`);
    try {
      const results = await evaluateGate(plan, promUrl, { windowMs: 10_000 });
      const missing = results.filter((r) => r.status === 'no-data' && EXPECTED[r.id] !== 'no-data');
      if (missing.length === 0) break;
      if (Date.now() > deadline) throw new Error(`no data for ${missing.map((r) => r.id).join(', ')}\n${promLog}`);
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}, 60_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    const timer = setTimeout(() => prometheus!.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await new Promise((r) => exporter?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('switchyard gate against a real Prometheus', () => {
  it('prints pass / fail / no data per criterion with the measured value, and exits 1', async () => {
    const r = await cli('gate', '--prometheus', promUrl, '--window', '10s', '--plan', join(dir, 'plan.json'));
    if (process.env.SWITCHYARD_PRINT_GATE) console.log(r.stdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const status = (id: string) => {
      const line = r.stdout.split('\n').find((l) => l.split(/\s{2,}/).includes(id));
      expect(line, id).toBeDefined();
      return line!.trim().split(/\s{2,}/)[0];
    };
    const LABEL: Record<string, string> = { pass: 'PASS', fail: 'FAIL', 'no-data': 'NO DATA' };
    for (const [id, s] of Object.entries(EXPECTED)) expect(status(id), id).toBe(LABEL[s]);
    // 5 errors per second in 1200 requests per second
    expect(r.stdout).toMatch(/slo\.error-rate\s+0\.42%\s+\(<= 1% over 10s\)/);
    expect(r.stdout).toMatch(/slo\.kv-cache-hit-rate\s+50%/);
    expect(r.stdout).toMatch(/slo\.interactive-latency-p95\s+4850 ms/);
    expect(r.stdout).toMatch(/-> NOT READY/);
  });

  it('--json gives every criterion with status, value, threshold and PromQL', async () => {
    const r = await cli('gate', '--prometheus', promUrl, '--window', '10s', '--plan', join(dir, 'plan.json'), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ready: boolean; criteria: { id: string; status: string; value: number | null; promql: string; threshold: string }[] };
    expect(out.ready).toBe(false);
    expect(Object.fromEntries(out.criteria.map((c) => [c.id, c.status]))).toEqual(EXPECTED);
    const kv = out.criteria.find((c) => c.id === 'slo.kv-cache-hit-rate')!;
    expect(kv.value).toBeCloseTo(0.5, 2);
    expect(kv.threshold).toBe('>= 80%');
    expect(kv.promql).toContain('vllm:prefix_cache_hits_total[10s]');
  });

  it('exits 0 when every criterion passes (objectives the measurements meet)', async () => {
    const policy = await referencePolicy();
    const relaxed = structuredClone(policy);
    relaxed.slos.targets = relaxed.slos.targets.map((t) =>
      t.metric === 'interactive_latency_p95_ms'
        ? { ...t, objective: [{ op: '<', value: 10_000 }] }
        : t.metric === 'kv_cache_hit_rate'
          ? { ...t, objective: [{ op: '>=', value: 0.4 }] }
          : t.metric === 'vllm_batch_utilization'
            ? { ...t, objective: [{ op: '>=', value: 0.2 }] }
            : t,
    );
    relaxed.slos.alerts = relaxed.slos.alerts.filter((a) => a.kind !== 'cost_anomaly');
    const p = compilePolicy(relaxed).plan!;
    writeFileSync(join(dir, 'relaxed.json'), planJsonTarget.emit(p)[0]!.content);
    const r = await cli('gate', '--prometheus', promUrl, '--window', '10s', '--plan', join(dir, 'relaxed.json'));
    expect(r.stdout).toMatch(/-> READY/);
    expect(r.code).toBe(0);
  });

  it('exits 2 with one line when Prometheus cannot be reached', async () => {
    const port = await freePort();
    const r = await cli('gate', '--prometheus', `http://127.0.0.1:${port}`, '--plan', join(dir, 'plan.json'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^switchyard: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query \(ECONNREFUSED\)/);
  });

  it('rejects a bad --window as a usage error', async () => {
    const r = await cli('gate', '--prometheus', promUrl, '--window', 'soon', '--plan', join(dir, 'plan.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--window "soon" is not a duration/);
  });
});
