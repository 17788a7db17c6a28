import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { makeWorkspace, REPO, type Workspace } from '../fixtures/workspace.ts';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

/** Pool C serves Llama 3.1 70B in bf16 on its single RTX 3090 instead of the 8B (and its deployment follows). */
function seventyOnPoolC(): number {
  const text = ws.read('gpu-pools.ts');
  const at = text.indexOf("id: 'pool-c'");
  const model = "model: 'meta-llama/Llama-3.1-8B-Instruct',\n        servedName: 'llama-3.1-8b-instruct',";
  const i = text.indexOf(model, at);
  expect(i).toBeGreaterThan(at);
  const next = `${text.slice(0, i)}model: 'meta-llama/Llama-3.1-70B-Instruct',\n        servedName: 'llama-3.1-70b-instruct',${text.slice(i + model.length)}`;
  ws.write('gpu-pools.ts', next);
  ws.edit('routing.ts', "provider: 'vllm-pool-c',\n    model: 'llama-3.1-8b-instruct',", "provider: 'vllm-pool-c',\n    model: 'llama-3.1-70b-instruct',");
  // The diagnostic points at the pool model: the line of its opening brace.
  return next.slice(0, next.lastIndexOf('{', i)).split('\n').length;
}

describe('switchyard capacity', () => {
  it('prints a table per pool and model, the same as the README shows', async () => {
    const r = await cli('capacity', '-p', ws.policies);
    expect(r.code).toBe(0);
    // Warnings about LiteLLM's handling of the vLLM groups may print; no error does.
    expect(r.stderr).not.toMatch(/ error [a-z-]+:/);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^pool\s+model\s+GPU\s+TP\s+usable GB\s+util\s+weights GB\s+reserve GB\s+KV GB\s+KV tokens\s+context\s+max conc\.\s+max-num-seqs\s+max-num-batched-tokens$/,
    );
    expect(lines[1]).toMatch(
      /^pool-a\+pool-b\s+llama-3\.1-70b-instruct\s+2 x RTX 5090 32 GB\s+2\s+33\.76\s+0\.90\s+19\.89\s+[\d.]+\s+[\d.]+\s+[\d,]+\s+32,768\s+1\.\d\dx\s+\d+\s+3,072$/,
    );
    expect(lines[2]).toMatch(/^pool-a\s+llama-3\.1-8b-instruct\s+RTX 5090 32 GB\s+1\s+33\.76\s+0\.90\s+16\.06\s/);
    expect(lines[3]).toMatch(/^pool-b\s+llama-3\.1-8b-instruct\s+RTX 5090 32 GB\s+1\s/);
    expect(lines[4]).toMatch(/^pool-c\s+llama-3\.1-8b-instruct\s+RTX 3090 24 GB\s+1\s+25\.32\s+0\.90\s+16\.06\s+[\d.]+\s+[\d.]+\s+[\d,]+\s+16,384\s/);

    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## GPU capacity'));
    const block = /```text\n([\s\S]*?)```/.exec(section);
    expect(block, 'README has the capacity table in its GPU capacity section').not.toBeNull();
    expect(block![1]).toBe(r.stdout.replace(/\n$/, '\n'));
  });

  it('--json prints the same engines for machines', async () => {
    const r = await cli('capacity', '-p', ws.policies, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.planHash).toMatch(/^sha256:/);
    expect(out.engines.map((e: { pool: string; servedName: string }) => `${e.pool}/${e.servedName}`)).toEqual([
      'pool-a/llama-3.1-70b-instruct',
      'pool-a/llama-3.1-8b-instruct',
      'pool-b/llama-3.1-8b-instruct',
      'pool-c/llama-3.1-8b-instruct',
    ]);
    const seventy = out.engines[0];
    expect(seventy).toMatchObject({
      model: 'hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4',
      gpu: 'RTX 5090 32 GB',
      pools: ['pool-a', 'pool-b'],
      tensorParallel: 2,
      maxModelLen: 32_768,
    });
    expect(seventy.capacity).toMatchObject({ gpus: 2, gpuMemoryUtilization: 0.9, kvBytesPerTokenPerGpu: 163_840, fits: true });
    for (const e of out.engines) expect(e.capacity.kvTokens).toBeGreaterThanOrEqual(e.maxModelLen);
  });

  it('reports a model that does not fit at its policy line and exits 1', async () => {
    const line = seventyOnPoolC();
    const r = await cli('capacity', '-p', ws.policies);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`gpu-pools.ts:${line}:7 error model-does-not-fit`);
    expect(r.stderr).toMatch(/\d+\.\d\d GB missing per GPU/);
    expect(r.stderr).toContain('(at gpuPools[2].models[0])');

    const json = JSON.parse((await cli('capacity', '-p', ws.policies, '--json')).stdout);
    expect(json.ok).toBe(false);
    expect(json.diagnostics).toHaveLength(1);
    expect(json.diagnostics[0]).toMatchObject({ code: 'model-does-not-fit', path: 'gpuPools[2].models[0]', source: { line } });
  });

  it('compile refuses it too and writes nothing', async () => {
    seventyOnPoolC();
    const r = await cli('compile', '-p', ws.policies, '--out', ws.out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('model-does-not-fit');
    expect(ws.snapshotOut()).toEqual({});
  });
});
