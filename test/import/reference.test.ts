/**
 * The reference policies through the importer (issue 18, point 4): emit the
 * LiteLLM config and the vLLM launch configs, import them, compile the
 * imported policy, emit again. The config is the same byte for byte, but for
 * the header lines about what the file never carried (tenants, SLOs, the
 * Redis Cluster flag) and the plan hash; the same through the CLI, with the
 * written TypeScript loaded and compiled as a user would.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importLitellm } from '../../src/import/litellm.ts';
import type { VllmSource } from '../../src/import/vllm.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitLitellm } from '../../src/targets/litellm.ts';
import { emitVllm } from '../../src/targets/vllm.ts';
import { cli } from '../fixtures/cli.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { REPO } from '../fixtures/workspace.ts';

const plan = compilePolicy(await referencePolicy()).plan!;
const config = emitLitellm(plan)[0]!.content;
const GPUS = [
  { model: 'RTX 5090', vramGb: 32 },
  { pool: 'pool-c', model: 'RTX 3090', vramGb: 24 },
];
/** The 70B engine spans pool-a and pool-b (its header says so); the others serve their own pool. */
const poolsOf = (path: string) => (path.includes('70b') ? ['pool-a', 'pool-b'] : [path.split('/')[1]!]);
const vllm: VllmSource[] = emitVllm(plan)
  .filter((a) => a.path.endsWith('.yaml'))
  .map((a) => ({ pools: poolsOf(a.path), file: a.path, text: a.content }));

const body = (text: string) => text.slice(text.indexOf('\nmodel_list:'));
const headerLines = (text: string) => text.slice(0, text.indexOf('\nmodel_list:')).split('\n');

/** What the header of the re-emitted config may lack: the parts of the plan a LiteLLM config does not carry. */
function headerDifference(before: string, after: string) {
  const a = headerLines(before);
  const b = headerLines(after);
  return { lost: a.filter((l) => !b.includes(l)), gained: b.filter((l) => !a.includes(l)) };
}

describe('the reference policies, emitted, imported and compiled again', () => {
  it('give the same generated/litellm/config.yaml, byte for byte below the header', () => {
    const result = importLitellm(config, { name: plan.name, file: 'litellm/config.yaml', vllm, gpus: GPUS });
    expect(result.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const again = emitLitellm(result.plan!)[0]!.content;
    expect(body(again)).toBe(body(config));
    // The committed file is what was emitted.
    expect(config).toBe(readFileSync(join(REPO, 'generated/litellm/config.yaml'), 'utf8'));
    const { lost, gained } = headerDifference(config, again);
    expect(gained[0]).toBe(`# plan ${result.plan!.hash}`);
    expect(gained.slice(1)).toEqual([expect.stringMatching(/^# Not carried by this file \(\d+\):$/)]);
    expect(lost[0]).toMatch(/^# plan sha256:/);
    expect(lost[1]).toMatch(/^# Not carried by this file \(\d+\):$/);
    expect(lost.length).toBeGreaterThan(2);
    for (const line of lost.slice(2)) expect(line).toMatch(/^# {3}- (tenants\[|slos\.|routerState\.cluster:|batchProfiles:)/);
  });

  it('keep every group, deployment, provider endpoint and secret reference', () => {
    const back = importLitellm(config, { name: plan.name, file: 'litellm/config.yaml', vllm, gpus: GPUS }).plan!;
    expect(Object.keys(back.groups).sort()).toEqual(Object.keys(plan.groups).sort());
    expect(Object.keys(back.deployments).sort()).toEqual(Object.keys(plan.deployments).sort());
    const endpoints = (p: CompiledPlan) =>
      Object.values(p.providers)
        .map((x) => `${x.kind} ${x.apiBase} ${x.apiKey?.ref}`)
        .sort();
    expect(endpoints(back)).toEqual(endpoints(plan));
    for (const g of Object.values(plan.groups)) {
      const h = back.groups[g.name]!;
      expect({ ...h, description: g.description, traffic: g.traffic, retries: { ...h.retries, backoff: g.retries.backoff } }).toEqual({
        ...g,
        // Not in the config: the imported groups are interactive or not, by router_settings.
        workload: g.workload === 'interactive' ? 'interactive' : 'cost_sensitive',
        circuitBreaker: { ...g.circuitBreaker },
      });
    }
    // The pools: same engines, served names, tensor parallelism, spans and context.
    for (const [id, pool] of Object.entries(plan.pools)) {
      const p = back.pools[id]!;
      expect({ gpu: p.gpu, maxContext: p.maxContext }).toEqual({ gpu: pool.gpu, maxContext: pool.maxContext });
      for (const [served, m] of Object.entries(pool.models)) {
        const back = p.models[served]!;
        // vLLM configs always state the utilization (its default moved between releases), so it comes back explicit.
        expect(back.gpuMemoryUtilization).toBe(m.capacity.gpuMemoryUtilization);
        expect({ ...back, expected: m.expected, capacity: m.capacity, gpuMemoryUtilization: m.gpuMemoryUtilization }).toEqual(m);
      }
    }
  });

  it('read the JSON argument lists compile writes beside the YAML launch configs to the same plan', () => {
    const args: VllmSource[] = emitVllm(plan)
      .filter((a) => a.path.endsWith('.args.json'))
      .map((a) => ({ pools: poolsOf(a.path), file: a.path, text: a.content }));
    expect(args.map((a) => a.file)).toEqual(vllm.map((v) => v.file.replace(/\.yaml$/, '.args.json')));
    const fromArgs = importLitellm(config, { name: plan.name, file: 'litellm/config.yaml', vllm: args, gpus: GPUS });
    expect(fromArgs.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const fromYaml = importLitellm(config, { name: plan.name, file: 'litellm/config.yaml', vllm, gpus: GPUS });
    expect(fromArgs.plan!.hash).toBe(fromYaml.plan!.hash);
    expect(Object.keys(fromArgs.plan!.pools)).toEqual(Object.keys(plan.pools));
  });

  describe('through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-import-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('writes a policies folder that compiles to the same config', async () => {
      const configFile = join(dir, 'config.yaml');
      writeFileSync(configFile, config);
      const args: string[] = [];
      for (const v of vllm) {
        const file = join(dir, v.file.replaceAll('/', '_'));
        writeFileSync(file, v.text);
        args.push('--vllm', `${v.pools.join('+')}=${file}`);
      }
      const out = join(dir, 'policies');
      const r = await cli('import', 'litellm', configFile, '--out', out, '--name', 'reference', ...args, '--gpu', 'RTX 5090:32', '--gpu', 'pool-c=RTX 3090:24');
      expect(r.stderr).toBe('4 info notes import-computed (run with --verbose to list them)\n'.replace('4', String(4 * vllm.length + 1)));
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`wrote ${out}/ (index.ts, providers.ts, routing.ts, gpu-pools.ts): 8 providers, 9 deployments, 6 model groups, 3 GPU pools`);
      // Compiled where it was written, with no node_modules: the loader resolves `switchyard` to this checkout.
      const gen = join(dir, 'generated');
      const c = await cli('compile', '-p', out, '--out', gen);
      expect(c.code).toBe(0);
      expect(body(readFileSync(join(gen, 'litellm/config.yaml'), 'utf8'))).toBe(body(config));
    });
  });
});
