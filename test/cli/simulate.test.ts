/**
 * switchyard simulate end to end, on the committed reference plan: formats,
 * default scenarios, scenario files (the example in policies/scenarios, and
 * broken ones reported at file:line:col), and every user mistake as a
 * one-line error with exit 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/read.ts';
import type { SimulationReport } from '../../src/simulate/report.ts';
import { cli } from '../fixtures/cli.ts';
import { mermaidBlocks, mermaidParser } from '../fixtures/mermaid.ts';
import { lineOf, REPO } from '../fixtures/workspace.ts';

const PLAN = join(REPO, 'generated/plan.json');
const EXAMPLE = join(REPO, 'policies/scenarios/openai-outage-at-peak.yaml');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-simulate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Requests per minute of every group of the committed plan at peak. */
const peakRpm = (): number => Object.values(parsePlan(readFileSync(PLAN, 'utf8')).groups).reduce((n, g) => n + (g.traffic?.peakRpm ?? 0), 0);

const sim = (...args: string[]) => cli('simulate', '--plan', PLAN, ...args);
const json = async (...args: string[]) => {
  const r = await sim(...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SimulationReport;
};

describe('switchyard simulate', () => {
  it('runs baseline and every provider down in turn by default', async () => {
    const r = await json('--duration', '20s');
    expect(r.scenarios.map((s) => s.name)).toEqual([
      'baseline',
      'provider-down:anthropic',
      'provider-down:azure-eastus',
      'provider-down:azure-swedencentral',
      'provider-down:openai',
      'provider-down:vllm-pool-a',
      'provider-down:vllm-pool-ab-70b',
      'provider-down:vllm-pool-b',
      'provider-down:vllm-pool-c',
    ]);
    expect(r).toMatchObject({ schemaVersion: 1, seed: 1, durationMs: 20_000, plan: { name: 'reference' } });
    expect(r.scenarios.every((s) => s.kind === (s.name === 'baseline' ? 'baseline' : 'provider-down'))).toBe(true);
    // --help names that default in words.
    const help = await cli('simulate', '--help');
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('or a .yaml/.json scenario file (default: baseline and n-1)');
    expect(help.stdout).not.toContain('[]');
  });

  it('prints a table per scenario, the SLOs and a summary', async () => {
    const r = await sim('-s', 'baseline', '-s', 'traffic:x2', '--duration', '30s');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^switchyard simulate {2}plan reference \([0-9a-f]{12}\), 30s at peak, seed 1\n/);
    expect(r.stdout).toContain("baseline — the plan's own traffic at peak, every provider up (30s, 3 router replicas, state shared)");
    expect(r.stdout).toMatch(/\n {2}group +requests +success +fallback +fb success +p50 ms +p95 ms +p99 ms +429s +trips +cost\/month\n/);
    expect(r.stdout).toMatch(/\n {2}chat +[0-9,]+ +[0-9.]+% /);
    expect(r.stdout).toMatch(/\n {4}(pass|FAIL) {2}error-rate +[0-9.]+% \(objective <= 0\.01\)\n/);
    expect(r.stdout).toMatch(/\n {4}n\/a {3}router-overhead-p95 +not simulated/);
    expect(r.stdout).toMatch(/\nSummary\n {2}scenario +requests/);
    expect(r.stdout).toMatch(/\n {2}traffic:x2 +[0-9,]+ /);
  });

  it('writes a markdown section whose xychart Mermaid accepts', async () => {
    const r = await sim('-s', 'baseline', '-s', 'provider-down:openai', '--duration', '20s', '--format', 'markdown');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!-- switchyard-simulate -->\n### Switchyard simulation: reference\n')).toBe(true);
    expect(r.stdout).toContain('| `provider-down:openai` |');
    const charts = mermaidBlocks(r.stdout);
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatch(/^xychart-beta\n {4}title "Success per scenario \(%\)"\n {4}x-axis \["baseline", "provider-down:openai"\]/);
    await (await mermaidParser())(charts[0]!);
  }, 60_000);

  it('exits 1 with --fail-on-slo when a scenario misses an SLO (the reference plan misses its error rate with OpenAI down), 0 when none does', async () => {
    const r = await sim('-s', 'baseline', '-s', 'provider-down:openai', '--duration', '3m', '--fail-on-slo', '--json');
    const report = JSON.parse(r.stdout) as SimulationReport;
    const errorRate = (i: number) => report.scenarios[i]!.slos.find((s) => s.id === 'error-rate')!;
    expect(errorRate(0).status).toBe('pass');
    expect(errorRate(1).status).toBe('fail');
    expect(r.code).toBe(1);
    const ok = await sim('-s', 'baseline', '--duration', '3m', '--fail-on-slo');
    expect(ok.stdout).not.toContain('FAIL');
    expect(ok.code).toBe(0);
  });

  it('runs the example scenario file with its own duration and timed events', async () => {
    const r = await json('-s', EXAMPLE, '--duration', '20s');
    const s = r.scenarios[0]!;
    expect(s).toMatchObject({ name: 'openai-outage-at-peak', kind: 'file', durationMs: 3_600_000 });
    // OpenAI is down for half the hour: it served some requests, and lost others.
    const d = s.deployments['openai-gpt-4o']!;
    expect(d.served).toBeGreaterThan(0);
    expect(d.errors).toBeGreaterThan(0);
  }, 120_000);

  it('reports a scenario file that does not hold at file:line:col, schema and plan problems alike, and exits 2', async () => {
    const file = join(dir, 'broken.yaml');
    const text = [
      'name: broken',
      'events:',
      '  - kind: outage',
      '    target: { provider: opena }',
      '  - kind: latency',
      '    target: { deployment: vllm-c-llama-8b }',
      '    multiplier: 2',
      '  - kind: traffic',
      '    multiplier: 2',
      '    at: 2h',
      '',
    ].join('\n');
    writeFileSync(file, text);
    const r = await sim('-s', file, '--duration', '1h');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // At the key whose value is wrong (where the YAML source map puts a property).
    expect(r.stderr).toContain(`broken.yaml:${lineOf(text, 'opena')}:15 error scenario-unknown-id: unknown provider "opena" in plan reference`);
    expect(r.stderr).toContain('did you mean "openai"?');
    expect(r.stderr).toContain(`broken.yaml:${lineOf(text, 'vllm-c-llama-8b')}:5 error scenario-vllm-latency`);
    expect(r.stderr).toContain(`broken.yaml:${lineOf(text, 'at: 2h')}:5 error scenario-event-after-end: event starts at 2h, at or after the end of the 1h run`);

    const schemaBroken = join(dir, 'schema.yaml');
    const text2 = ['name: Has Spaces', 'events:', '  - kind: outage', '    target: { provider: openai }', '    mode: sideways', ''].join('\n');
    writeFileSync(schemaBroken, text2);
    const r2 = await sim('-s', schemaBroken);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/schema\.yaml:1:1 error invalid-format: `name` does not match the pattern/);
    expect(r2.stderr).toMatch(
      new RegExp(`schema\\.yaml:${lineOf(text2, 'sideways')}:5 error invalid-enum-value: \`mode\` must be one of "error", "connection", "timeout"`),
    );

    const syntax = join(dir, 'syntax.json');
    writeFileSync(syntax, '{"name": "x", "events": [}');
    const r3 = await sim('-s', syntax);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/syntax\.json:1:\d+ error syntax-error/);
  });

  it('refuses a scenario file larger than 1 MiB without reading it all', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `name: big\ndescription: ${'x'.repeat(1024 * 1024)}\n`);
    const r = await sim('-s', big);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error scenario-unreadable: Scenario \S*big\.yaml is 1048600 bytes, more than the 1048576 bytes allowed\./);
  });

  it('one-line errors for unknown scenarios, bad flags and a missing plan', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['-s', 'provider-down:opena'], /^switchyard: unknown provider "opena" in provider-down:opena; providers: anthropic, /],
      [['-s', 'volcano'], /^switchyard: unknown scenario "volcano"; built-ins: baseline, /],
      [['--duration', '1 hour'], /^switchyard: --duration must be a duration such as 30m, 1h or 90s, got "1 hour"\n$/],
      [['--duration', '2d'], /^switchyard: --duration must be longer than 0 and at most 24h, got 2d\n$/],
      [['--seed', '-1'], /^switchyard: --seed must be a whole number/],
      [['--format', 'html'], /^switchyard: unknown --format "html"; use pretty, json, markdown\n$/],
      [['-s', join(REPO, 'no-such-scenario.yaml')], /error scenario-unreadable: Scenario .*no-such-scenario\.yaml does not exist\./],
      // Refused before anything runs: a day at a hundred times the plan's peak traffic is hundreds of millions of requests.
      [
        ['-s', 'traffic:x100', '--duration', '24h'],
        new RegExp(
          `^switchyard: scenario traffic:x100 would simulate about ${(peakRpm() * 100 * 24 * 60).toLocaleString('en-US')} requests, more than 20,000,000: simulate a shorter window\\n$`,
        ),
      ],
    ];
    for (const [args, message] of cases) {
      const r = await sim(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await cli('simulate', '--plan', join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^switchyard: cannot read plan .*nope\.json: it does not exist \(run switchyard compile first, or pass --plan\)\n$/);
  });
});
