/**
 * Model group names as clients send them (`openai/gpt-4o-mini`,
 * `qwen2.5:7b`, `claude@2024`, and names YAML 1.1 would read as something
 * else: `yes`, `1:30`, `0x1F`) survive every target: LiteLLM's YAML reads
 * them back as the same strings, the SQL views hold them (PGlite runs the
 * file), Prometheus accepts the rules and their unit tests (promtool), the
 * runbooks show them in code spans, plan.json keys them, and no artifact
 * path is derived from them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { Artifact, CompiledPlan } from '../../src/plan/types.ts';
import { emitAll } from '../../src/targets/index.ts';
import { ANALYTICS_SQL_PATH, LITELLM_CONFIG_PATH, PLAN_JSON_PATH, RULES_PATH, RULES_TEST_PATH } from '../../src/targets/paths.ts';
import { groupName } from '../fixtures/group-names.ts';
import { basePolicy } from '../fixtures/policies.ts';
import { pgliteEngine } from '../fixtures/sql-engine.ts';
import { promtool } from './prometheus-bin.ts';

const groupNames = fc.uniqueArray(groupName, { minLength: 2, maxLength: 12 });

/** basePolicy with its groups replaced by one group per name, each falling back to the next; an interactive latency SLO so the PromQL names groups. */
function policyWith(names: readonly string[]): CompiledPlan {
  const p = basePolicy();
  p.modelGroups = names.map((name, i) => ({
    name,
    deployments: [i % 2 === 0 ? 'openai-gpt-4o' : 'azure-gpt-4o'],
    fallbacks: i + 1 < names.length ? [names[i + 1]!] : [],
  }));
  p.deployments = p.deployments.filter((d) => d.id !== 'local-llama');
  p.gpuPools = [];
  p.tenants = [{ id: 'app', apiKeys: ['env:APP_KEY'], allowedGroups: [...names] }];
  p.slos = { targets: [{ id: 'latency', metric: 'interactive_latency_p95_ms', objective: [{ op: '<', value: 2000 }] }] };
  const r = compilePolicy(Policy.parse(p));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.plan!;
}

const byPath = (artifacts: Artifact[], path: string) => artifacts.find((a) => a.path === path)!.content;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('group names through every target', () => {
  it('LiteLLM YAML, plan.json, runbooks and artifact paths', () => {
    fc.assert(
      fc.property(groupNames, (names) => {
        const plan = policyWith(names);
        const artifacts = emitAll(plan);
        // YAML 1.1, as PyYAML reads it: every name comes back as the same string, as a model and as a fallback key.
        const cfg = parse(byPath(artifacts, LITELLM_CONFIG_PATH), { version: '1.1' }) as {
          model_list: { model_name: unknown }[];
          router_settings: { fallbacks: Record<string, unknown>[] };
        };
        expect([...new Set(cfg.model_list.map((m) => m.model_name))].sort()).toEqual([...names].sort());
        expect(cfg.router_settings.fallbacks.map((f) => Object.keys(f)[0])).toEqual(names.slice(0, -1).sort());
        for (const f of cfg.router_settings.fallbacks) {
          const [from, to] = Object.entries(f)[0]!;
          expect(to).toEqual([names[names.indexOf(from) + 1]]);
        }
        expect(Object.keys(JSON.parse(byPath(artifacts, PLAN_JSON_PATH)).groups).sort()).toEqual([...names].sort());
        const runbook = byPath(artifacts, 'docs/runbooks/router-outage.md');
        for (const name of names) expect(runbook).toContain(`| \`${name}\` |`);
        for (const a of artifacts) {
          expect(a.path).toMatch(/^[a-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/);
          expect(a.path.split('/')).not.toContain('..');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('SQL: the views hold every name exactly (PGlite runs the analytics file)', async () => {
    const db = await pgliteEngine();
    try {
      await fc.assert(
        fc.asyncProperty(groupNames, async (names) => {
          // The file replaces its views, so one database takes every run.
          await db.exec(byPath(emitAll(policyWith(names)), ANALYTICS_SQL_PATH));
          const rows = await db.rows('SELECT model_group, fallback_chain FROM switchyard.plan_groups ORDER BY model_group COLLATE "C"');
          expect(rows.map((r) => r.model_group)).toEqual([...names].sort());
          for (const r of rows) expect(String(r.fallback_chain).split(' > ')[0]).toBe(r.model_group);
        }),
        { numRuns: 8 },
      );
    } finally {
      await db.close();
    }
  }, 120_000);

  it('Prometheus: promtool accepts the rules and passes their unit tests', () => {
    fc.assert(
      fc.property(groupNames, (names) => {
        const artifacts = emitAll(policyWith(names));
        const rules = byPath(artifacts, RULES_PATH);
        expect(rules).toContain('requested_model=~');
        const dir = mkdtempSync(join(tmpdir(), 'switchyard-groups-'));
        dirs.push(dir);
        for (const a of artifacts.filter((x) => x.path.startsWith('prometheus/'))) {
          mkdirSync(dirname(join(dir, a.path)), { recursive: true });
          writeFileSync(join(dir, a.path), a.content);
        }
        const check = promtool(['check', 'rules', join(dir, RULES_PATH)]);
        expect(check.code, check.output).toBe(0);
        const test = promtool(['test', 'rules', join(dir, RULES_TEST_PATH)]);
        expect(test.code, test.output).toBe(0);
      }),
      { numRuns: 4 },
    );
  }, 120_000);
});
