import { describe, expect, it } from 'vitest';
import { goDuration, jsonReport, prettyReport, summary } from '../../../src/rego/tester/report.ts';
import { runTests } from '../../../src/rego/tester/runner.ts';
import { fromJSON } from '../../../src/rego/value.ts';

const mod = (file: string, source: string) => ({ file, source });

describe('the opa test runner', () => {
  it('runs each definition of a test on its own, naming repeats #01', () => {
    const run = runTests([mod('a_test.rego', 'package a_test\n\nimport rego.v1\n\ntest_x if true\n\ntest_x if false\n\ntest_y := 1\n')]);
    expect(run.results.map((r) => [r.name, r.fail])).toEqual([
      ['test_x', false],
      ['test_x#01', true],
      ['test_y', true],
    ]);
  });

  it('reports nested parameterised cases, including cases the body named but never finished', () => {
    const source = `package p_test

import rego.v1

cases := {"gpt": {"small": 1, "large": 9}, "claude": {"small": 2}}

test_limits[family][size] if {
	some family, sizes in cases
	some size, n in sizes
	n < 5
}
`;
    const [r] = runTests([mod('p_test.rego', source)]).results;
    expect(r!.fail).toBe(true);
    expect(r!.subResults).toEqual({
      claude: { name: 'claude', fail: false, sub_results: { small: { name: 'small', fail: false } } },
      gpt: { name: 'gpt', fail: true, sub_results: { large: { name: 'large', fail: true }, small: { name: 'small', fail: false } } },
    });
    expect(summary([r!])).toEqual({ pass: 2, fail: 1, skip: 0, error: 0 });
    const pretty = prettyReport({ moduleErrors: [], results: [r!] }, false);
    expect(pretty).toMatch(/^p_test\.rego:7:\ndata\.p_test\.test_limits: FAIL \(.+\)\n {2}gpt: FAIL\n {4}large: FAIL\n-{80}\nPASS: 2\/3\nFAIL: 1\/3\n$/);
    const json = JSON.parse(jsonReport({ moduleErrors: [], results: [r!] }));
    expect(json[0].sub_results.gpt).toEqual({ sub_results: { large: { name: 'large', fail: true }, small: { name: 'small' } }, name: 'gpt', fail: true });
  });

  it('reports a parameterised test per case when an every in the body fails one of them', () => {
    const source = `package e_test

import rego.v1

pools := {"small": [1, 2], "mixed": [1, 9], "empty": []}

test_all_small[name] if {
	some name, sizes in pools
	every n in sizes {
		n < 5
	}
}
`;
    const [r] = runTests([mod('e_test.rego', source)]).results;
    expect(r!.fail).toBe(true);
    expect(r!.subResults).toEqual({
      empty: { name: 'empty', fail: false },
      mixed: { name: 'mixed', fail: true },
      small: { name: 'small', fail: false },
    });
    expect(summary([r!])).toEqual({ pass: 2, fail: 1, skip: 0, error: 0 });
  });

  it('sets aside a module that does not compile with the rest, keeping the others', () => {
    const run = runTests(
      [
        mod('bad.rego', 'package bad\n\nimport rego.v1\n\np if undefined_fn(1)\n'),
        mod('ok_test.rego', 'package ok_test\n\nimport rego.v1\n\ntest_ok if data.cfg.on\n'),
      ],
      { data: fromJSON({ cfg: { on: true } }) },
    );
    expect(run.moduleErrors.map((e) => e.message)).toEqual(['bad.rego:5: rego_type_error: undefined function undefined_fn']);
    expect(run.results.map((r) => [r.name, r.fail])).toEqual([['test_ok', false]]);
  });

  it('filters on the full name and stops a test at its timeout', () => {
    const source =
      'package t_test\n\nimport rego.v1\n\ntest_slow if count([1 | some _ in numbers.range(1, 3000); some _ in numbers.range(1, 3000)]) > 0\n\ntest_quick if true\n';
    const only = runTests([mod('t.rego', source)], { filter: /quick$/ });
    expect(only.results.map((r) => r.name)).toEqual(['test_quick']);
    const slow = runTests([mod('t.rego', source)], { filter: /slow/, timeoutMs: 20 });
    expect(slow.results[0]!.error?.code).toBe('eval_cancel_error');
  });

  it("prints durations as Go's time.Duration does", () => {
    expect([0, 999, 1500, 1_234_567, 2_500_000_000, 61_000_000_000].map(goDuration)).toEqual(['0s', '999ns', '1.5µs', '1.234567ms', '2.5s', '1m1s']);
  });
});
