/**
 * Bounds: numbers, durations, thresholds and patterns a policy cannot
 * mean are refused at their line with the range in words ("must be at most
 * 1024"), never a nonsense message or a generated file with Infinity in it;
 * and whatever compiles gives Prometheus files promtool accepts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasErrors } from '../../src/diagnostics/diagnostic.ts';
import { validatePolicy } from '../../src/load/validate.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { emitAll } from '../../src/targets/index.ts';
import { RULES_PATH, RULES_TEST_PATH } from '../../src/targets/paths.ts';
import { targetDiagnostics } from '../../src/targets/index.ts';
import { rulesFileProblems } from '../../src/targets/prometheus/rules-check.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { cli } from '../fixtures/cli.ts';
import { basePolicy, type BasePolicyInput } from '../fixtures/policies.ts';
import { promtool } from '../targets/prometheus-bin.ts';

const CASES: Array<[string, (p: BasePolicyInput) => void, string, string]> = [
  ['a zero SLO window', (p) => void (p.slos!.targets![0]!.window = '0s'), 'slos.targets[0].window', '`window` must be longer than zero, e.g. 500ms or 30s.'],
  ['a breaker window of a year', (p) => void (p.circuitBreaker = { window: '365d' }), 'circuitBreaker.window', '`window` must be at most 30d.'],
  [
    'an alert delay past what Prometheus parses',
    (p) => void (p.slos!.alerts![0]!.for = '99999999999999999999d'),
    'slos.alerts[0].for',
    '`for` must be at most 30d.',
  ],
  ['1e300 GB of VRAM', (p) => void (p.gpuPools[0]!.gpu.vramGb = 1e300), 'gpuPools[0].gpu.vramGb', '`vramGb` must be at most 1024.'],
  [
    'a context window of a trillion tokens',
    (p) => void (p.deployments[0]!.contextWindow = 1e12),
    'deployments[0].contextWindow',
    '`contextWindow` must be at most 10000000.',
  ],
  ['a negative weight', (p) => void (p.deployments[0]!.weight = -1), 'deployments[0].weight', '`weight` must be at least 0.'],
  ['a NaN weight', (p) => void (p.deployments[0]!.weight = Number.NaN), 'deployments[0].weight', '`weight` must be a finite number, not NaN.'],
  [
    'an infinite price',
    (p) => void (p.deployments[0]!.pricing.inputPer1M = Number.POSITIVE_INFINITY),
    'deployments[0].pricing.inputPer1M',
    '`inputPer1M` must be a finite number.',
  ],
  [
    'an error-rate objective of 5',
    (p) => void (p.slos!.targets![0]!.objective = [{ op: '<=', value: 5 }]),
    'slos.targets[0].objective[0].value',
    '`value` must be at most 1: error_rate is a fraction (0.95 is 95%).',
  ],
  [
    'a negative latency objective',
    (p) => void (p.slos!.targets = [{ id: 'lat', metric: 'interactive_latency_p95_ms', objective: [{ op: '<', value: -1 }] }]),
    'slos.targets[0].objective[0].value',
    '`value` must be at least 0: interactive_latency_p95_ms is milliseconds.',
  ],
  [
    'an error-rate alert threshold above 1',
    (p) => void (p.slos!.alerts![0]!.threshold = 2),
    'slos.alerts[0].threshold',
    '`threshold` must be at most 1: the router_error_rate threshold is a fraction (0.95 is 95%).',
  ],
  [
    'a threshold on an up/down alert',
    (p) => void (p.slos!.alerts = [{ id: 'down', kind: 'vllm_engine_down', threshold: 0.5, for: '5m' }]),
    'slos.alerts[0].threshold',
    '`threshold` is not used by vllm_engine_down alerts, which fire on an up/down signal; remove it.',
  ],
  [
    'a zero GPU memory utilization',
    (p) => void (p.gpuPools[0]!.models[0]!.gpuMemoryUtilization = 0),
    'gpuPools[0].models[0].gpuMemoryUtilization',
    '`gpuMemoryUtilization` must be greater than 0.',
  ],
  [
    'a completion window of 0h',
    (p) => void (p.batchProfiles[0]!.completionWindow = '0h'),
    'batchProfiles[0].completionWindow',
    '`completionWindow` must be from 1h to 720h.',
  ],
  // OpenAI's Batch API takes at most 50,000 requests and 200 MB per input file: a profile may only ask for less.
  [
    'a batch file of more requests than OpenAI takes',
    (p) => void (p.batchProfiles[0]!.maxRequestsPerFile = 50_001),
    'batchProfiles[0].maxRequestsPerFile',
    '`maxRequestsPerFile` must be at most 50000.',
  ],
  [
    'a batch file larger than OpenAI takes',
    (p) => void (p.batchProfiles[0]!.maxFileSizeMb = 201),
    'batchProfiles[0].maxFileSizeMb',
    '`maxFileSizeMb` must be at most 200.',
  ],
  [
    'a redaction pattern that does not compile',
    (p) => void (p.batchProfiles[0]!.redaction.rules![0]!.pattern = '[a-'),
    'batchProfiles[0].redaction.rules[0].pattern',
    '`pattern` is not a valid regular expression: Unterminated character class.',
  ],
];

describe('values out of range are refused at their path, in words', () => {
  it.each(CASES)('%s', (_name, edit, path, message) => {
    const p = basePolicy();
    edit(p);
    const v = validatePolicy(p);
    expect(v.policy).toBeUndefined();
    expect(v.diagnostics.filter((d) => d.path === path).map((d) => d.message)).toEqual([message]);
  });

  it('YAML .nan, .inf and 1e309 (too large for a number) are one clear error each, through the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bounds-'));
    try {
      const yaml = [
        'name: y',
        'gpuPools:',
        '  - id: p',
        '    gpu: { model: A100, vramGb: 1e309 }',
        '    maxContext: .inf',
        '    models: [{ model: m/x, expected: { promptTokens: 1, completionTokens: .nan } }]',
      ].join('\n');
      mkdirSync(join(dir, 'p'));
      writeFileSync(join(dir, 'p', 'policy.yaml'), `${yaml}\n`);
      const r = await cli('validate', '-p', join(dir, 'p'), '--json');
      expect(r.code).toBe(1);
      const ds = JSON.parse(r.stdout).diagnostics as { path: string; message: string }[];
      expect(ds.map((d) => `${d.path}: ${d.message}`).sort()).toEqual([
        'gpuPools[0].gpu.vramGb: `vramGb` must be a finite number.',
        'gpuPools[0].maxContext: `maxContext` must be a finite number.',
        'gpuPools[0].models[0].expected.completionTokens: `completionTokens` must be a finite number, not NaN.',
      ]);
      expect(r.stdout).not.toMatch(/a number, not a number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('whatever compiles gives Prometheus files promtool accepts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-promtool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let runs = 0;
  /** Writes the rules and their promtool tests of one policy to a directory of their own, and returns it. */
  function keep(files: Map<string, string>): string {
    const run = join(dir, `run-${runs++}`);
    mkdirSync(run);
    writeFileSync(join(run, 'routing.rules.yml'), files.get(RULES_PATH)!);
    writeFileSync(join(run, 'routing.rules.test.yml'), files.get(RULES_TEST_PATH)!);
    return run;
  }

  /** promtool check rules on every kept rules file in one call, and promtool test rules on the first `tests` of them (about a second each). */
  function promtoolAccepts(runDirs: readonly string[], tests = runDirs.length): void {
    const check = promtool(['check', 'rules', ...runDirs.map((d) => join(d, 'routing.rules.yml'))]);
    expect(check.code, check.output).toBe(0);
    const test = promtool(['test', 'rules', ...runDirs.slice(0, tests).map((d) => join(d, 'routing.rules.test.yml'))]);
    expect(test.code, test.output).toBe(0);
  }

  it('a model group named with a dot (a valid id) is escaped for RE2 inside a PromQL string', () => {
    const p = basePolicy();
    p.modelGroups[0]!.name = 'chat.v2';
    p.tenants[0]!.allowedGroups = ['chat.v2'];
    p.tenants[1]!.allowedGroups = ['local', 'chat.v2'];
    p.modelGroups[2]!.contextWindowFallbacks = ['chat.v2'];
    p.slos!.targets!.push({ id: 'latency', metric: 'interactive_latency_p95_ms', objective: [{ op: '<', value: 2000 }] });
    const plan = compilePolicy(validatePolicy(p).policy!).plan!;
    const files = new Map(emitAll(plan).map((a) => [a.path, a.content]));
    expect(files.get(RULES_PATH)).toContain('requested_model=~"chat-azure|chat\\\\.v2"');
    promtoolAccepts([keep(files)]);
  });

  it('ids that give one alert name (the SLO target x and the alert slo-x) are a compile error, not two indistinguishable alerts', async () => {
    const p = basePolicy();
    p.slos!.targets![0]!.id = 'x';
    p.slos!.alerts!.push({ id: 'slo-x', kind: 'router_error_rate', threshold: 0.05, for: '5m' });
    const plan = compilePolicy(validatePolicy(p).policy!).plan!;
    expect(targetDiagnostics(plan).filter((d) => d.severity === 'error')).toEqual([
      expect.objectContaining({
        code: 'prometheus-alert-name-clash',
        path: 'slos.targets.x',
        message: 'slos.targets.x and slos.alerts.slo-x both become the Prometheus alert SwitchyardSloX; rename one of them',
      }),
    ]);
    const dirs = mkdtempSync(join(tmpdir(), 'switchyard-clash-'));
    try {
      mkdirSync(join(dirs, 'p'));
      writeFileSync(join(dirs, 'p', 'policy.json'), JSON.stringify(p));
      const r = await cli('compile', '-p', join(dirs, 'p'), '--out', join(dirs, 'out'));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/policy\.json:\d+:\d+ error prometheus-alert-name-clash: /);
    } finally {
      rmSync(dirs, { recursive: true, force: true });
    }
  });

  it('for arbitrary policies with random ids, windows and thresholds: compiles to rules promtool accepts, or is refused', () => {
    const id = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/);
    const window = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom('ms', 's', 'm', 'h', 'd')).map(([n, u]) => `${n}${u}`),
      fc.tuple(fc.integer({ min: 1, max: 90 }), fc.constantFrom('m', 'h')).map(([n, u]) => `${n}${u}`),
    );
    const value = fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(0, 1, 150, 1e300, -0));
    const metric = fc.constantFrom(
      'error_rate',
      'router_overhead_p95_ms',
      'kv_cache_hit_rate',
      'cost_reduction_vs_baseline',
      'interactive_latency_p95_ms',
    ) as fc.Arbitrary<'error_rate' | 'router_overhead_p95_ms' | 'kv_cache_hit_rate' | 'cost_reduction_vs_baseline' | 'interactive_latency_p95_ms'>;
    const kept: { dir: string; spanMs: number }[] = [];
    fc.assert(
      fc.property(
        arbitraryPolicy,
        fc.array(fc.record({ id, metric, value, window }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.record({ id, threshold: value, for: window }), { maxLength: 2 }),
        (policy, targets, alerts) => {
          const p = structuredClone(policy);
          p.slos = {
            targets: targets.map((t) => ({ id: t.id, metric: t.metric, objective: [{ op: '<=', value: t.value }], window: t.window })),
            alerts: alerts.map((a) => ({ id: a.id, kind: 'router_error_rate', threshold: a.threshold, for: a.for })),
          };
          const v = validatePolicy(p);
          if (!v.policy) return void expect(hasErrors(v.diagnostics)).toBe(true);
          const c = compilePolicy(v.policy);
          if (!c.plan) return void expect(hasErrors(c.diagnostics)).toBe(true);
          if (hasErrors(targetDiagnostics(c.plan))) return;
          const files = new Map(emitAll(c.plan).map((a) => [a.path, a.content]));
          expect(rulesFileProblems(files.get(RULES_PATH)!)).toEqual([]);
          const spans = [...Object.values(c.plan.slos.targets).map((t) => t.windowMs), ...Object.values(c.plan.slos.alerts).map((a) => a.forMs)];
          kept.push({ dir: keep(files), spanMs: Math.max(0, ...spans) });
        },
      ),
      { numRuns: 30 },
    );
    expect(kept.length).toBeGreaterThan(0);
    // promtool test rules replays every window at each evaluation (windows here reach 90h, minutes of CPU):
    // all files are checked, the two with the shortest windows tested
    promtoolAccepts(
      [...kept].sort((a, b) => a.spanMs - b.spanMs).map((k) => k.dir),
      2,
    );
  }, 300_000);
});
