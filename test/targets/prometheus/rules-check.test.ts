/**
 * A policy whose generated Prometheus rules Prometheus would refuse is a
 * compile error. The in-process check (for machines without promtool) is
 * held to the real promtool here: every broken file it refuses, promtool
 * refuses too, and the files Switchyard generates pass both. Through the
 * CLI, a rules file promtool rejects ends compile with exit 1, nothing
 * written, and the output says which check ran.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPrometheusRules } from '../../../src/cli/prometheus-check.ts';
import { emitAll } from '../../../src/targets/index.ts';
import { RULES_PATH } from '../../../src/targets/paths.ts';
import { promqlProblems, rulesFileProblems, templateProblems } from '../../../src/targets/prometheus/rules-check.ts';
import { cli } from '../../fixtures/cli.ts';
import { basePolicy, compileEdited, referencePolicy } from '../../fixtures/policies.ts';
import { compilePolicy } from '../../../src/plan/compile.ts';
import { prometheusBinary, promtool } from '../prometheus-bin.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-rules-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A rules file of one group holding `rule` (YAML lines, indented under `rules:`). */
const oneRule = (rule: string) => `groups:\n  - name: g\n    rules:\n${rule.replace(/^/gm, '      ')}\n`;

const BROKEN: Array<[string, string]> = [
  ['an unterminated label string (a value that swallowed its closing quote)', oneRule('- record: x:y\n  expr: up{job="a}')],
  ['an unknown Go escape in a label string (a regex dot not escaped twice)', oneRule('- record: x:y\n  expr: up{job=~"chat\\.v2"}')],
  ['a bracket a value closed early', oneRule('- record: x:y\n  expr: sum(rate(up[5m])))')],
  ['a bracket never closed', oneRule('- record: x:y\n  expr: sum(rate(up[5m])')],
  ['a range that is not a duration (a window of 1.5m)', oneRule('- record: x:y\n  expr: rate(up[1.5m])')],
  ['an alert delay that is not a duration', oneRule('- alert: A\n  expr: up == 0\n  for: 10 minutes')],
  ['a record name that is not a metric name', oneRule('- record: "x y"\n  expr: up')],
  ['a label name with a dash', oneRule('- alert: A\n  expr: up == 0\n  labels:\n    team-name: x')],
  ['a rule with both alert and record', oneRule('- alert: A\n  record: x:y\n  expr: up')],
  ['an empty expression', oneRule('- record: x:y\n  expr: ""')],
  ['a YAML key a newline planted', 'groups:\n  - name: g\n    rules:\n      - record: x:y\n        expr: up\n        expr: down\n'],
  ['two groups of one name', `${oneRule('- record: x:y\n  expr: up')}  - name: g\n    rules: []\n`],
  ['an unterminated template action', oneRule('- alert: A\n  expr: up == 0\n  annotations:\n    summary: "{{ $labels.job "')],
];

describe('the in-process check refuses what promtool refuses', () => {
  it.each(BROKEN)('%s', (_attack, text) => {
    expect(rulesFileProblems(text).length).toBeGreaterThan(0);
    const file = join(dir, 'broken.rules.yml');
    writeFileSync(file, text);
    const r = promtool(['check', 'rules', file]);
    expect(r.code, r.output).not.toBe(0);
  });

  it('the files Switchyard generates pass both, for the reference and the base policy', async () => {
    const plans = [compilePolicy(await referencePolicy()).plan!, compileEdited(() => {}).plan!];
    for (const plan of plans) {
      const text = emitAll(plan).find((a) => a.path === RULES_PATH)!.content;
      expect(rulesFileProblems(text)).toEqual([]);
      const file = join(dir, 'ok.rules.yml');
      writeFileSync(file, text);
      expect(promtool(['check', 'rules', file]).code).toBe(0);
    }
  });
});

describe('what only the in-process check sees: a template action a policy string planted', () => {
  it.each([
    ['the alert value', 'error rate {{ $value }}'],
    ['a field of the alert', '{{ .Labels }}'],
    ['a function call', '{{ printf "%s" "x" }}'],
    ['an unclosed action', 'x {{ y'],
  ])('%s', (_what, text) => {
    expect(templateProblems(text)).toEqual([expect.stringMatching(/^template action ".*" is not one Switchyard writes$/)]);
  });

  it('the actions Switchyard writes, and text after the {{ escape, are accepted', () => {
    expect(templateProblems('engine {{ $labels.instance }} down; literal {{ "{{" }} x }} y')).toEqual([]);
  });

  it('PromQL strings with every Go escape Switchyard writes lex', () => {
    expect(promqlProblems('up{a="q\\"\\\\\\x1b", b=~"chat\\\\.v2|x"} # comment with "quote\nor vector(0)')).toEqual([]);
    expect(promqlProblems('rate(x[1h:5m]) and y[5m:]')).toEqual([]);
  });
});

describe('compile runs the check before writing', () => {
  it('promtool rejecting the rules is one error naming the generated file, exit-1 material, and says promtool decided', async () => {
    const broken = [{ path: RULES_PATH, content: oneRule('- record: x:y\n  expr: sum(rate(up[5m]) by (job)))'), mediaType: 'application/yaml' }];
    const withPromtool = await checkPrometheusRules(broken, prometheusBinary('promtool'));
    expect(withPromtool.checker).toBe('promtool');
    const codes = withPromtool.diagnostics.map((d) => `${d.severity} ${d.code}`);
    expect(codes).toContain('error prometheus-rules-rejected');
    const fromPromtool = withPromtool.diagnostics.find((d) => d.message.startsWith('promtool check rules rejects'))!;
    expect(fromPromtool.message).toMatch(/^promtool check rules rejects the generated prometheus\/routing\.rules\.yml: .*prometheus\/routing\.rules\.yml/);
    expect(fromPromtool.message).not.toContain(tmpdir());
    // without promtool, the in-process check still refuses it, and says so
    const alone = await checkPrometheusRules(broken, join(dir, 'no-such-promtool'));
    expect(alone.checker).toBe('in-process');
    expect(alone.diagnostics.map((d) => d.message)).toEqual([
      'The generated prometheus/routing.rules.yml would not load in Prometheus: group g, rule 1: ")" at offset 26 closes nothing.',
    ]);
  });

  it('compile says which check ran: promtool when found, the in-process one with --no-promtool or a missing binary', async () => {
    const p = join(dir, 'p');
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'policy.json'), JSON.stringify(basePolicy()));
    const out = join(dir, 'out');
    const found = await cli('compile', '-p', p, '--out', out, '--promtool', prometheusBinary('promtool'));
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/; rules checked by promtool\)\n$/);
    const json = JSON.parse((await cli('compile', '-p', p, '--out', out, '--check', '--json', '--promtool', join(dir, 'missing'))).stdout);
    expect(json.prometheusCheck).toBe('in-process');
    const off = await cli('compile', '-p', p, '--out', out, '--check', '--no-promtool');
    expect(off.stdout).toMatch(/; rules checked in-process \(no promtool\)\)\n$/);
  });
});
