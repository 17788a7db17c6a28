import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compilePolicy } from '../../src/plan/compile.ts';
import { DOC_PATHS, emitDocs } from '../../src/targets/docs.ts';
import { githubAnchor, headingAnchors } from '../../src/targets/markdown.ts';
import { readinessCriteria, thresholdText } from '../../src/observability/readiness.ts';
import { RULES_PATH } from '../../src/targets/paths.ts';
import { emitPrometheus } from '../../src/targets/prometheus.ts';
import { emitAll } from '../../src/targets/index.ts';
import { emitLitellm } from '../../src/targets/litellm.ts';
import { referencePolicy } from '../fixtures/policies.ts';

const reference = async () => compilePolicy(await referencePolicy()).plan!;

describe('docs', () => {
  it('GitHub anchors', () => {
    expect(githubAnchor('SwitchyardRouterErrorRateHigh')).toBe('switchyardroutererrorratehigh');
    expect(githubAnchor('First steps')).toBe('first-steps');
    expect(githubAnchor('`slo.error-rate`')).toBe('sloerror-rate');
    expect(headingAnchors('# A\n```\n# not a heading\n```\n## A\n').map((h) => h.anchor)).toEqual(['a', 'a-1']);
  });

  it('every alert runbook_url points at a heading of the generated runbook', async () => {
    const plan = await reference();
    const docs = new Map(emitDocs(plan).map((a) => [a.path, a.content]));
    const rules = parse(emitPrometheus(plan).find((a) => a.path === RULES_PATH)!.content) as {
      groups: { rules: { alert?: string; annotations?: { runbook_url: string } }[] }[];
    };
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      const [file, anchor] = a.annotations!.runbook_url.split('#');
      const doc = docs.get(file!);
      expect(doc, `${a.alert}: ${file}`).toBeDefined();
      const anchors = headingAnchors(doc!).map((h) => h.anchor);
      expect(anchors, `${a.alert} -> #${anchor}`).toContain(anchor);
      expect(headingAnchors(doc!).find((h) => h.anchor === anchor)!.text).toBe(a.alert);
    }
  });

  it('the runbooks name the fallback chains, alerts, thresholds and commands from the plan', async () => {
    const plan = await reference();
    const docs = new Map(emitDocs(plan).map((a) => [a.path, a.content]));
    const outage = docs.get(DOC_PATHS.routerOutage)!;
    for (const g of Object.values(plan.groups)) expect(outage).toContain([g.name, ...g.fallbacks].map((x) => `\`${x}\``).join(' → '));
    for (const cmd of ['switchyard explain -m', 'switchyard compile --check', 'switchyard gate --prometheus', 'git revert']) expect(outage).toContain(cmd);
    expect(outage).toContain('Fires when > 1% for 10m');
    const batch = docs.get(DOC_PATHS.batchFailure)!;
    for (const id of Object.keys(plan.batchProfiles)) expect(batch).toContain(`\`${id}\``);
    expect(batch).toContain('### SwitchyardBatchQueueStuck');
    expect(batch).toContain('oldest pending > 2h');
    expect(outage).not.toMatch(/\{\{|\}\}/);
    expect(batch).not.toMatch(/\{\{|\}\}/);
  });

  it('the router-outage runbook lists, behind the LiteLLM proxy, exactly the LiteLLM entries served by our vLLM engines (LiteLLM never cools them down on a refused connection)', async () => {
    const plan = await reference();
    const outage = emitDocs(plan).find((a) => a.path === DOC_PATHS.routerOutage)!.content;
    expect(headingAnchors(outage).map((h) => h.text)).toContain('Behind the LiteLLM proxy');
    const section = outage.slice(outage.indexOf('## Behind the LiteLLM proxy'), outage.indexOf('\n## ', outage.indexOf('## Behind the LiteLLM proxy') + 1));
    // _is_cooldown_required (litellm/router_utils/cooldown_handlers.py) returns False for an APIConnectionError.
    expect(section).toContain('`_is_cooldown_required` of `litellm/router_utils/cooldown_handlers.py`');
    const listed = [...section.matchAll(/^- `([^`]+)` \(pool `([^`]+)`, (\S+)\)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    const litellm = parse(emitLitellm(plan)[0]!.content) as { model_list: { litellm_params: { api_base: string }; model_info: { id: string } }[] };
    const vllmEntries = litellm.model_list
      .flatMap((e) => {
        const d = plan.deployments[e.model_info.id.slice(e.model_info.id.indexOf('/') + 1)]!;
        return d.providerKind === 'vllm' ? [`${e.model_info.id} ${d.pool} ${e.litellm_params.api_base}`] : [];
      })
      .sort();
    expect(vllmEntries).toHaveLength(4);
    expect(listed.sort()).toEqual(vllmEntries);
  });

  it('the readiness gate doc lists each criterion with its threshold and PromQL', async () => {
    const plan = await reference();
    const gate = emitDocs(plan).find((a) => a.path === DOC_PATHS.readiness)!.content;
    const criteria = readinessCriteria(plan);
    expect(criteria.length).toBeGreaterThan(10);
    for (const c of criteria) {
      expect(gate).toContain(`### \`${c.id}\``);
      expect(gate).toContain(thresholdText(c));
      expect(gate).toContain(c.promql(c.defaultWindowMs === null ? '5m' : `${c.defaultWindowMs / 60_000}m`));
    }
    for (const title of ['Router health', 'Performance', 'Cost control', 'SLA compliance']) expect(gate).toContain(`## ${title}`);
  });

  it('thresholds in the docs follow the plan', async () => {
    const plan = structuredClone(await reference());
    plan.slos.alerts['router-error-rate-high']!.threshold = 0.03;
    plan.slos.targets['kv-cache-hit-rate']!.objective = [{ op: '>=', value: 0.7 }];
    const docs = new Map(emitDocs(plan).map((a) => [a.path, a.content]));
    expect(docs.get(DOC_PATHS.routerOutage)).toContain('Fires when > 3% for 10m');
    expect(docs.get(DOC_PATHS.readiness)).toContain('>= 70%');
  });

  it('is deterministic and part of emitAll', async () => {
    const plan = await reference();
    expect(emitDocs(plan)).toEqual(emitDocs(await reference()));
    const paths = emitAll(plan).map((a) => a.path);
    for (const p of Object.values(DOC_PATHS)) expect(paths).toContain(p);
  });
});
