/**
 * Every key and value the vLLM emitter writes, checked against the reference
 * list of `vllm serve` flags (/work/shared/fixtures/vllm/engine_cli_flags.json):
 * the flag exists, its value has the flag's type, a value is among the
 * flag's choices, and a boolean is written in a form the flag accepts. The
 * emitted files are walked (the reference policy, arbitrary compiled
 * policies, plans built to take every branch, random pool plans), so a key
 * added to the emitter is checked without touching this test.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan, PlanPoolModel } from '../../src/plan/types.ts';
import { booleanFlag, emitVllm } from '../../src/targets/vllm.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { arbitraryPoolPlan, basePlan, poolModel, referenceLikePlan } from './vllm-plan.fixture.ts';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';
import { join } from 'node:path';

const FIXTURE = join(SHARED_FIXTURES, 'vllm/engine_cli_flags.json');

interface FlagSpec {
  type?: string;
  action?: string;
  nargs?: string;
  choices?: string[];
  values_seen?: string[];
}
const flags = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, FlagSpec> & {
  _meta: { unconfirmed_flags: { flags: string[] } };
};
const spec = (flag: string): FlagSpec | undefined => (flag === '_meta' ? undefined : flags[flag]);

const negatable = (s: FlagSpec) => (s.action ?? '').includes('BooleanOptionalAction');
const isBoolean = (s: FlagSpec) => s.type === 'bool' && (negatable(s) || s.action === 'store_true');

/** Problems with one YAML key and its value; [] when vLLM accepts them. */
function problems(key: string, value: unknown): string[] {
  const out: string[] = [];
  if (key.startsWith('no-')) {
    // `no-x: true` becomes `--no-x`, which exists only for BooleanOptionalAction flags.
    const base = spec(`--${key.slice(3)}`);
    if (value !== true) out.push(`${key}: a negative form must be written as true`);
    if (!base || !negatable(base)) out.push(`--${key} does not exist: --${key.slice(3)} has no --no- form`);
    return out;
  }
  const flag = `--${key}`;
  const s = spec(flag);
  if (!s) return [`${flag} is not a vllm serve flag`];
  if (flags._meta.unconfirmed_flags.flags.includes(flag)) out.push(`${flag} is unconfirmed`);
  const type = s.type ?? '';
  const items = Array.isArray(value) ? value : [value];
  if (typeof value === 'boolean') {
    if (value !== true) out.push(`${key}: false is ignored by vllm serve --config; write no-${key}: true`);
    if (!isBoolean(s)) out.push(`${flag} is not a boolean flag (${type})`);
    return out;
  }
  if (isBoolean(s)) out.push(`${flag} is a switch and takes no value`);
  if (Array.isArray(value)) {
    if (s.nargs !== '+') out.push(`${flag} takes one value, not a list`);
    if (value.length === 0) out.push(`${flag}: an empty list is dropped`);
  }
  for (const v of items) {
    if (/^list\[str\]|^str/.test(type)) {
      if (typeof v !== 'string') out.push(`${flag}: ${JSON.stringify(v)} is not a string (${type})`);
    } else if (/^int/.test(type)) {
      if (!Number.isInteger(v)) out.push(`${flag}: ${JSON.stringify(v)} is not an integer (${type})`);
    } else if (/^float/.test(type)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${flag}: ${JSON.stringify(v)} is not a number (${type})`);
    } else out.push(`${flag}: type ${type} is not one the emitter knows how to check`);
    if (s.choices && !s.choices.includes(String(v))) out.push(`${flag}: ${JSON.stringify(v)} is not among its choices`);
    // No enforced choices, but the values vLLM is known to handle are listed: stay among them.
    if (!s.choices && s.values_seen && !s.values_seen.includes(String(v))) out.push(`${flag}: ${JSON.stringify(v)} is not a known value`);
  }
  return out;
}

/** Plans that between them take every branch of the emitter: each dtype, quantization, KV dtype, spanning or not. */
function branchPlans(): CompiledPlan[] {
  const plans = [referenceLikePlan()];
  const dtypes: PlanPoolModel['dtype'][] = ['auto', 'bfloat16', 'float16', 'float32'];
  const quant: PlanPoolModel['quantization'][] = [null, 'awq', 'gptq', 'fp8', 'bitsandbytes'];
  const kv: PlanPoolModel['kvCacheDtype'][] = ['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2'];
  quant.forEach((q, i) => {
    const models = Object.fromEntries(
      kv.map((k, j) => {
        const name = `m-${j}`;
        return [
          name,
          poolModel('pool-x', {
            model: 'org/model',
            servedName: name,
            dtype: dtypes[(i + j) % dtypes.length]!,
            quantization: q,
            kvCacheDtype: k,
            spansPools: j % 2 ? ['pool-y'] : [],
          }),
        ];
      }),
    );
    plans.push(basePlan({ 'pool-x': { id: 'pool-x', gpu: { model: 'GPU', vramGb: 80, count: 2 }, maxContext: 32_768, host: '0.0.0.0', models } }));
  });
  return plans;
}

function emittedConfigs(plans: CompiledPlan[]): { path: string; config: Record<string, unknown>; argv: string[] }[] {
  return plans.flatMap((plan) => {
    const files = new Map(emitVllm(plan).map((a) => [a.path, a.content]));
    return [...files]
      .filter(([p]) => p.endsWith('.yaml'))
      .map(([path, content]) => ({ path, config: parse(content, { version: '1.1' }), argv: JSON.parse(files.get(path.replace(/\.yaml$/, '.args.json'))!) }));
  });
}

const samples = fc.sample(arbitraryPoolPlan, { numRuns: 100, seed: 42 });
const compiled = [await referencePolicy(), ...fc.sample(arbitraryPolicy, { numRuns: 30, seed: 7 }).map((p) => Policy.parse(p))].map(
  (p) => compilePolicy(p).plan!,
);
const emitted = emittedConfigs([...compiled, ...branchPlans(), ...samples]);

describe('vLLM flags against the reference list of vllm serve flags', () => {
  it('covers every value of every enum the emitter writes', () => {
    const seen = (key: string) => new Set(emitted.map((e) => e.config[key]).filter((v) => v !== undefined));
    expect(seen('dtype')).toEqual(new Set(['auto', 'bfloat16', 'float16', 'float32']));
    expect(seen('quantization')).toEqual(new Set(['awq', 'gptq', 'fp8', 'bitsandbytes']));
    expect(seen('kv-cache-dtype')).toEqual(new Set(['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2']));
    expect(seen('distributed-executor-backend')).toEqual(new Set(['ray']));
  });

  it('every emitted key is a vllm serve flag and every value fits its type and choices', () => {
    const found: string[] = [];
    for (const { path, config } of emitted) for (const [key, value] of Object.entries(config)) found.push(...problems(key, value).map((p) => `${path}: ${p}`));
    expect([...new Set(found)]).toEqual([]);
    expect(emitted.length).toBeGreaterThan(20);
  });

  it('each boolean the emitter writes could also be written off, in its --no- form', () => {
    const switches = new Set(emitted.flatMap(({ config }) => Object.keys(config).filter((k) => config[k] === true)));
    expect(switches.size).toBeGreaterThan(0);
    for (const key of switches) {
      const off = booleanFlag(key, false);
      expect(problems(off.name, off.value)).toEqual([]);
    }
  });

  it('every token of an argv list is the positional model, a known flag or a value', () => {
    expect(spec('model_tag')).toBeDefined();
    for (const { config, argv } of emitted) {
      expect(argv[0]).toBe(config.model);
      for (const t of argv.slice(1).filter((x) => x.startsWith('-'))) expect(spec(t), t).toBeDefined();
    }
  });

  it('rejects what vLLM would reject (the checker is not vacuous)', () => {
    expect(problems('tp', 2)).not.toEqual([]);
    expect(problems('enable-prefix-caching', false)).not.toEqual([]);
    expect(problems('no-disable-log-stats', true)).not.toEqual([]);
    expect(problems('dtype', 'fp16')).not.toEqual([]);
    expect(problems('port', '8000')).not.toEqual([]);
    expect(problems('max-num-seqs', 1.5)).not.toEqual([]);
    expect(problems('gpu-memory-utilization', 0.9)).toEqual([]);
    expect(problems('distributed-executor-backend', 'slurm')).not.toEqual([]);
    expect(problems('host', ['a', 'b'])).not.toEqual([]);
    expect(problems('no-enable-chunked-prefill', true)).toEqual([]);
  });
});
