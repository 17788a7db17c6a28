/**
 * Every mistake a user can make ends with exit 1 (the policy is wrong) or 2
 * (the command line or an input is), one line that says what is wrong and
 * where, and no stack trace: "internal error" (exit 3) is left for bugs in
 * Switchyard. Each case runs the real CLI as a process, as CI would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProcess, type CliResult } from '../fixtures/cli.ts';
import { type Scratch, scratch, tree } from './helpers.ts';

let s: Scratch;
let plan: string;
beforeAll(() => {
  s = scratch();
  const out = join(s.dir, 'out');
  expect(cliProcess(['compile', '-p', s.policy(undefined, 'base'), '--out', out]).code).toBe(0);
  plan = join(out, 'plan.json');
});
afterAll(() => s.cleanup());

/** A policy directory holding one file. */
function policyFile(name: string, file: string, text: string): string {
  const dir = join(s.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text);
  return dir;
}

/** The lines that report a problem: a located diagnostic (`file:line:col error code: ...`) or the CLI's own `switchyard: ...`. */
const problemLines = (r: CliResult) => r.stderr.split('\n').filter((l) => /^\S+:\d+:\d+ error |^switchyard: /.test(l));

function expectOneLine(r: CliResult, code: 1 | 2, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(problemLines(r)).toEqual([expect.stringMatching(message)]);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/internal error|^\s+at /m);
}

describe('user mistakes: exit 1 or 2, one line, no stack trace', () => {
  it('a YAML alias bomb ("billion laughs") is stopped before it expands: exit 1, located', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
      const prev = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    policyFile('bomb', 'policy.yaml', `${levels.join('\n')}\nname: bomb\n`);
    expectOneLine(
      cliProcess(['validate', '-p', 'bomb'], { cwd: s.dir }),
      1,
      /^bomb\/policy\.yaml:1:1 error yaml-alias-limit: The document expands its aliases more than 1000 times/,
    );
  });

  it('a getter that throws while the policy is read: exit 1, at the property', () => {
    policyFile(
      'getter',
      'index.ts',
      'const p: Record<string, unknown> = { name: "g" };\nObject.defineProperty(p, "providers", { enumerable: true, get() { throw new Error("boom"); } });\nexport default p;\n',
    );
    expectOneLine(
      cliProcess(['compile', '-p', 'getter', '--out', 'getter-out'], { cwd: s.dir }),
      1,
      /^getter\/index\.ts:2:\d+ error policy-module-threw: `providers` threw when read: boom/,
    );
    expect(tree(join(s.dir, 'getter-out'))).toEqual({});
  });

  it('an object thrown instead of an Error: exit 1, says what to throw', () => {
    policyFile('thrown', 'index.ts', 'throw { code: 42 };\nexport default {};\n');
    expectOneLine(
      cliProcess(['validate', '-p', 'thrown'], { cwd: s.dir }),
      1,
      /^thrown\/index\.ts:1:1 error policy-module-threw: The policy module threw an object, not an Error/,
    );
  });

  it('explain -m __proto__ (and constructor) names no group, whatever Object.prototype holds: exit 2', () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expectOneLine(
        cliProcess(['explain', '--plan', plan, '-m', name]),
        2,
        new RegExp(`^switchyard: unknown model group "${name}" in .*plan\\.json; groups: chat, chat-azure, local$`),
      );
    }
    expectOneLine(cliProcess(['explain', '--plan', plan, '-m', 'chat', '-t', '__proto__']), 2, /^switchyard: unknown tenant "__proto__"/);
    expectOneLine(
      cliProcess(['explain', '--plan', plan, '-m', 'chat', '--down', 'hasOwnProperty']),
      2,
      /^switchyard: --down: unknown deployment "hasOwnProperty"/,
    );
  });

  it('--seed NaN (and other numbers that are not seeds): exit 2', () => {
    for (const seed of ['NaN', '-1', '1.5', '1e400', '']) {
      expectOneLine(cliProcess(['explain', '--plan', plan, '-m', 'chat', '--seed', seed]), 2, /^switchyard: --seed must be a whole number, got /);
    }
    expectOneLine(cliProcess(['simulate', '--plan', plan, '--seed', 'NaN']), 2, /^switchyard: --seed must be a whole number from 0 to 4294967295, got "NaN"$/);
  });

  it('diff --head /dev/null (a device, not a policy): exit 2, names the path', () => {
    const r = cliProcess(['diff', '--base', s.policy(undefined, 'diff-base'), '--head', '/dev/null']);
    expectOneLine(r, 2, /^\/dev\/null:1:1 error unsupported-policy-file: \/dev\/null is not a policy file/);
  });
});

describe('policies that leave whole sections out compile', () => {
  it('GPU pools but no model groups, deployments or providers: exit 0, vLLM configs and no LiteLLM model list', () => {
    const dir = join(s.dir, 'pools-only');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'policy.json'),
      JSON.stringify({
        name: 'pools-only',
        gpuPools: [
          {
            id: 'pool-a',
            gpu: { model: 'RTX 5090', vramGb: 32 },
            maxContext: 32768,
            models: [{ model: 'meta-llama/Llama-3.1-8B-Instruct', expected: { promptTokens: 2000, completionTokens: 400 } }],
          },
        ],
      }),
    );
    const out = join(s.dir, 'pools-only-out');
    const r = cliProcess(['compile', '-p', dir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const files = Object.keys(tree(out));
    expect(files).toContain('vllm/pool-a/llama-3.1-8b-instruct.yaml');
    expect(files).toContain('litellm/config.yaml');
    expect(cliProcess(['compile', '-p', dir, '--out', out, '--check']).code).toBe(0);
  });

  it('model groups but no GPU pools: exit 0, no vLLM directory', () => {
    const dir = join(s.dir, 'groups-only');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'policy.json'),
      JSON.stringify({
        name: 'groups-only',
        providers: [{ id: 'openai', kind: 'openai', apiKey: 'env:OPENAI_API_KEY' }],
        deployments: [{ id: 'gpt', provider: 'openai', model: 'gpt-4o', contextWindow: 128000, pricing: { inputPer1M: 2.5, outputPer1M: 10 } }],
        modelGroups: [{ name: 'chat', deployments: ['gpt'] }],
      }),
    );
    const out = join(s.dir, 'groups-only-out');
    const r = cliProcess(['compile', '-p', dir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const files = Object.keys(tree(out));
    expect(files.filter((f) => f.startsWith('vllm'))).toEqual([]);
    expect(files).toContain('litellm/config.yaml');
  });
});
