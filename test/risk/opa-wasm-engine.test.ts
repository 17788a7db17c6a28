import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/plan/compile.ts';
import { createBuiltinEngine } from '../../src/risk/builtin-engine.ts';
import { createOpaWasmEngine, readWasmBundle } from '../../src/risk/opa-wasm-engine.ts';
import { readRulePack } from '../../src/risk/rule-pack.ts';
import { HAVE_OPA, opa, OPA_SKIP_REASON } from '../fixtures/opa-binary.ts';
import { REFERENCE_POLICY, referencePolicy } from '../fixtures/policies.ts';

const RULES = join(dirname(REFERENCE_POLICY), 'risk');
const tmp = mkdtempSync(join(tmpdir(), 'switchyard-wasm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('reading an OPA Wasm bundle', () => {
  it('takes policy.wasm and data.json out of a bundle.tar.gz', async () => {
    const dir = join(tmp, 'bundle');
    mkdirSync(dir);
    writeFileSync(join(dir, 'policy.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    writeFileSync(join(dir, 'data.json'), '{"limits":{"x":1}}');
    const file = join(tmp, 'bundle.tar.gz');
    await tar.c({ gzip: true, file, cwd: dir, prefix: '/' }, ['policy.wasm', 'data.json']);
    const b = await readWasmBundle(file);
    expect([...b.wasm]).toEqual([0, 97, 115, 109, 1, 0, 0, 0]);
    expect(b.data).toEqual({ limits: { x: 1 } });
  });

  it('says how to build a bundle when policy.wasm is missing', async () => {
    const file = join(tmp, 'empty.tar.gz');
    writeFileSync(join(tmp, 'data.json'), '{}');
    await tar.c({ gzip: true, file, cwd: tmp }, ['data.json']);
    await expect(readWasmBundle(file)).rejects.toThrow(/opa build -t wasm -e switchyard\/risk/);
  });
});

// These run where OPA is installed; here they report themselves as skipped.
describe.skipIf(!HAVE_OPA)(`against the opa binary (${HAVE_OPA ? 'found' : OPA_SKIP_REASON})`, () => {
  it('the opa-wasm engine and the built-in engine agree on the reference plan and on a risky one', async () => {
    const bundle = join(tmp, 'risk.tar.gz');
    const built = opa(['build', '-t', 'wasm', '-e', 'switchyard/risk', '-o', bundle, ...(await readRulePack(RULES)).rules.map((m) => m.file)]);
    expect(built.stderr).toBe('');
    const wasm = await createOpaWasmEngine(bundle);
    const builtin = createBuiltinEngine((await readRulePack(RULES)).rules);
    const policy = await referencePolicy();
    for (const edit of [() => {}, () => void (policy.circuitBreaker.errorRateThreshold = 0.2)]) {
      edit();
      const input = { plan: compilePolicy(policy).plan!, base: null, diff: null };
      const sort = (fs: Array<{ id: string; msg: string }>) => [...fs].sort((a, b) => (a.id + a.msg < b.id + b.msg ? -1 : 1));
      expect(sort(await wasm.evaluate(input))).toEqual(sort(await builtin.evaluate(input)));
    }
  });

  it('opa eval agrees with the built-in engine on the rule pack tests', async () => {
    const files = readdirRego();
    const r = opa(['test', '--format', 'json', ...files]);
    const results = JSON.parse(r.stdout) as Array<{ name: string; fail?: boolean; error?: unknown }>;
    expect(results.filter((t) => t.fail || t.error)).toEqual([]);
  });
});

function readdirRego(): string[] {
  return readdirSync(RULES)
    .filter((f) => f.endsWith('.rego'))
    .map((f) => join(RULES, f));
}
