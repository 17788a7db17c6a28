import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { emitDocs } from '../../src/targets/docs.ts';
import { emitGrafana } from '../../src/targets/grafana.ts';
import { headingAnchors } from '../../src/targets/markdown.ts';
import { RULES_PATH, RULES_TEST_PATH } from '../../src/targets/paths.ts';
import { emitPrometheus } from '../../src/targets/prometheus.ts';
import { readinessCriteria } from '../../src/observability/readiness.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { basePolicy, compileInput } from '../fixtures/policies.ts';
import { promtool } from '../targets/prometheus-bin.ts';

describe('observability outputs on other plans', () => {
  it('are total and deterministic on arbitrary valid policies, and every runbook_url has its heading', () => {
    fc.assert(
      fc.property(arbitraryPolicy, (input) => {
        const plan = compilePolicy(Policy.parse(input)).plan;
        if (!plan) return; // plan compilation has its own properties
        const out = [...emitPrometheus(plan), ...emitGrafana(plan), ...emitDocs(plan)];
        expect([...emitPrometheus(plan), ...emitGrafana(plan), ...emitDocs(plan)]).toEqual(out);
        const rules = parse(out.find((a) => a.path === RULES_PATH)!.content) as {
          groups: { rules: { alert?: string; annotations?: { runbook_url: string } }[] }[];
        };
        const docs = new Map(out.map((a) => [a.path, a.content]));
        for (const r of rules.groups.flatMap((g) => g.rules).filter((r) => r.alert)) {
          const [file, anchor] = r.annotations!.runbook_url.split('#');
          expect(headingAnchors(docs.get(file!)!).map((h) => h.anchor)).toContain(anchor);
        }
        expect(readinessCriteria(plan).length).toBeGreaterThan(0);
      }),
      { numRuns: 25 },
    );
  });

  it('promtool accepts the rules and passes the generated tests of a small policy', () => {
    const plan = compileInput(basePolicy()).plan!;
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-prom-small-'));
    try {
      for (const a of emitPrometheus(plan)) writeFileSync(join(dir, a.path.split('/').pop()!), a.content);
      const check = promtool(['check', 'rules', join(dir, RULES_PATH.split('/').pop()!)]);
      expect(check.code, check.output).toBe(0);
      const test = promtool(['test', 'rules', join(dir, RULES_TEST_PATH.split('/').pop()!)]);
      expect(test.code, test.output).toBe(0);
      expect(test.output).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
