import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Policy, type PolicyInput } from '../../src/model/policy.ts';
import { servedNameOf } from '../../src/plan/defaults.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { vaultEnvName } from '../../src/plan/secret-ref.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { buildLitellmConfig, emitLitellm, litellmLimitations } from '../../src/targets/litellm.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { haveFixtures, litellmKeys, plain, secretValues, unknownKeys } from './litellm-fixtures.ts';

const RUNS = { numRuns: 150 };
/**
 * The LiteLLM config does not depend on what a pool serves, only on its served
 * name; pool models are pinned to a small catalog model (served names kept) so
 * every drawn policy compiles whatever the GPU arithmetic thinks of the
 * arbitrary ones.
 */
function pinPoolModels(input: PolicyInput): PolicyInput {
  const gpuPools = input.gpuPools?.map((pool) => ({
    ...pool,
    models: pool.models.map((m) => ({
      ...m,
      model: 'meta-llama/Llama-3.2-1B-Instruct',
      // An unquantized checkpoint takes no AWQ or GPTQ flag (src/plan/checks/capacity.ts).
      quantization: m.quantization === 'fp8' || m.quantization === 'bitsandbytes' ? m.quantization : undefined,
      servedName: m.servedName ?? servedNameOf({ model: m.model }),
    })),
  }));
  return { ...input, gpuPools };
}
const arbitraryPlan = arbitraryPolicy
  .map((input) => compilePolicy(Policy.parse(pinPoolModels(input))).plan)
  .filter((plan): plan is CompiledPlan => plan !== undefined);
type Obj = Record<string, any>;

/** Every `env:` / `vault:` reference in the plan, which must never reach the config as written. */
function refsOf(plan: CompiledPlan): string[] {
  const refs = Object.values(plan.providers).flatMap((p) => (p.apiKey ? [p.apiKey.ref] : []));
  if (plan.routerState.kind === 'redis') refs.push(plan.routerState.url.ref);
  return refs;
}

describe('LiteLLM config of arbitrary valid plans', () => {
  it('round-trips through yaml.parse and is the same bytes twice', () => {
    fc.assert(
      fc.property(arbitraryPlan, (plan) => {
        const [a, ...rest] = emitLitellm(plan);
        expect(rest).toEqual([]);
        expect(parse(a!.content)).toEqual(plain(buildLitellmConfig(plan).config));
        expect(emitLitellm(plan)[0]!.content).toBe(a!.content);
      }),
      RUNS,
    );
  });

  it('never contains a literal secret: api keys, master key, database and Redis URLs are os.environ/ references', () => {
    fc.assert(
      fc.property(arbitraryPlan, fc.boolean(), (compiled, enterprise) => {
        const plan: CompiledPlan = { ...compiled, targets: { litellm: { release: '1.80-1.98', enterprise } } };
        const text = emitLitellm(plan)[0]!.content;
        const cfg = parse(text) as Obj;
        for (const [, v] of secretValues(cfg)) expect(v).toMatch(/^os\.environ\/[A-Za-z0-9_./-]+$/);
        const hosted: string[] = cfg.general_settings.key_management_settings?.hosted_keys ?? [];
        const used = new Set(Object.values(plan.groups).flatMap((g) => g.deployments.map((id) => plan.deployments[id]!.provider)));
        for (const p of Object.values(plan.providers))
          if (used.has(p.id) && p.apiKey?.scheme === 'vault') {
            if (enterprise) {
              // Read through LiteLLM's Vault manager: the name under its mount.
              expect(hosted).toContain(p.apiKey.path.slice(p.apiKey.path.indexOf('/') + 1));
            } else {
              // An environment variable the deployment fills from Vault, named in the header.
              expect(text).toContain(`api_key: os.environ/${vaultEnvName(p.apiKey)}\n`);
              expect(text).toContain(`#   ${vaultEnvName(p.apiKey)} <- ${p.apiKey.ref}\n`);
            }
          }
        if (!enterprise) expect(cfg.general_settings.key_management_system).toBeUndefined();
        const values = secretValues(cfg).map(([, v]) => v);
        for (const ref of refsOf(plan)) expect(values).not.toContain(ref);
        // The arbitrary policies use vault:secret/...#key, which LiteLLM reads as is.
        expect(litellmLimitations(plan).filter((d) => d.severity === 'error')).toEqual([]);
      }),
      RUNS,
    );
  });

  it('lists every (group, deployment) once, and its fallbacks name groups of the model list', () => {
    fc.assert(
      fc.property(arbitraryPlan, (plan) => {
        const cfg = parse(emitLitellm(plan)[0]!.content) as Obj;
        const ids: string[] = cfg.model_list.map((e: Obj) => e.model_info.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBe(Object.values(plan.groups).reduce((n, g) => n + g.deployments.length, 0));
        const names = new Set(cfg.model_list.map((e: Obj) => e.model_name));
        for (const f of ['fallbacks', 'context_window_fallbacks'])
          for (const m of cfg.router_settings[f] ?? [])
            for (const [from, to] of Object.entries(m)) for (const g of [from, ...(to as string[])]) expect(names.has(g)).toBe(true);
        expect(cfg.router_settings.allowed_fails).toBeGreaterThanOrEqual(1);
        for (const e of cfg.model_list) expect(e.litellm_params.timeout).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it.skipIf(!haveFixtures)('writes only keys LiteLLM documents', () => {
    const keys = litellmKeys();
    fc.assert(
      fc.property(arbitraryPlan, (plan) => {
        expect(unknownKeys(parse(emitLitellm(plan)[0]!.content), keys)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('reports every limitation in the header comment', () => {
    fc.assert(
      fc.property(arbitraryPlan, (plan) => {
        const text = emitLitellm(plan)[0]!.content;
        for (const d of litellmLimitations(plan)) expect(text).toContain(`#   - ${d.path}: ${d.message}\n`);
      }),
      { numRuns: 50 },
    );
  });
});
