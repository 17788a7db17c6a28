/**
 * The launch scripts beside the vLLM configs, run for real by /bin/sh with
 * stand-in `vllm`, `ray`, `python3` and `date` commands that record what they
 * were started with: each engine sees only the GPUs placed for it, a
 * spanning engine's Ray head waits for its workers, and across every
 * generated launch file no GPU of a host is claimed by two engines.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { Artifact, CompiledPlan } from '../../src/plan/types.ts';
import { emitVllm } from '../../src/targets/vllm.ts';
import { shQuote } from '../../src/targets/vllm/launch.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { referencePolicy } from '../fixtures/policies.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Stand-ins that append one JSON line per call (argv and the GPU environment) to $LOG. */
function fakeBin(gpusInCluster: number): string {
  const bin = mkdtempSync(join(tmpdir(), 'switchyard-launch-bin-'));
  dirs.push(bin);
  const recorder = (name: string) =>
    `#!/bin/sh\nprintf '%s\\n' "$(node -e 'console.log(JSON.stringify({cmd:process.argv[1],args:process.argv.slice(2),cuda:process.env.CUDA_VISIBLE_DEVICES??null,order:process.env.CUDA_DEVICE_ORDER??null,ray:process.env.RAY_ADDRESS??null,head:process.env.RAY_HEAD_ADDRESS??null}))' ${name} "$@")" >> "$LOG"\n`;
  for (const name of ['vllm', 'ray']) {
    writeFileSync(join(bin, name), recorder(name));
    chmodSync(join(bin, name), 0o755);
  }
  // The head asks Ray how many GPUs have joined; this one says `gpusInCluster`.
  writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho ${gpusInCluster}\n`);
  chmodSync(join(bin, 'python3'), 0o755);
  // Waiting is instant: the clock below says how much time passed.
  writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'sleep'), 0o755);
  // A clock that jumps 100 s per call, so a head whose workers never come gives up at once.
  writeFileSync(join(bin, 'date'), `#!/bin/sh\nn=$(cat "$CLOCK" 2>/dev/null || echo 0)\necho $((n + 100)) > "$CLOCK"\necho $((n + 100))\n`);
  chmodSync(join(bin, 'date'), 0o755);
  return bin;
}

interface Call {
  cmd: string;
  args: string[];
  cuda: string | null;
  order: string | null;
  ray: string | null;
  head: string | null;
}

/** Writes the artifacts under a fresh output directory and runs one script there, as the header says. */
function run(artifacts: Artifact[], script: string, gpusInCluster: number, env: Record<string, string> = {}) {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-launch-out-'));
  dirs.push(out);
  for (const a of artifacts) {
    mkdirSync(dirname(join(out, a.path)), { recursive: true });
    writeFileSync(join(out, a.path), a.content);
  }
  const log = join(out, 'calls.jsonl');
  const r = spawnSync('sh', [script], {
    cwd: out,
    encoding: 'utf8',
    env: { PATH: `${fakeBin(gpusInCluster)}:${process.env.PATH}`, LOG: log, CLOCK: join(out, 'clock'), ...env },
  });
  let calls: Call[] = [];
  try {
    calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Call);
  } catch {
    // nothing was called
  }
  return { status: r.status, stderr: r.stderr, calls };
}

const scriptsOf = (artifacts: Artifact[]) => artifacts.filter((a) => a.path.endsWith('.sh'));

/** `pool -> device -> engine` from the launch files alone: the pool is the directory, the engine the file name. */
function claimsOf(artifacts: Artifact[]): { clashes: string[]; perEngine: Map<string, number> } {
  const owner = new Map<string, string>();
  const clashes: string[] = [];
  const perEngine = new Map<string, number>();
  for (const a of scriptsOf(artifacts)) {
    const [, pool, file] = a.path.split('/');
    const served = file!.replace(/(\.ray-worker)?\.sh$/, '');
    const m = /^export CUDA_VISIBLE_DEVICES='([0-9,]+)'$/m.exec(a.content);
    expect(m, `${a.path} pins no GPU`).not.toBeNull();
    const gpus = m![1]!.split(',').map(Number);
    // A worker belongs to the engine of its home pool; the served name identifies it within the plan's spanning engines.
    const engine = a.path.endsWith('.ray-worker.sh') ? `span:${served}` : `${pool}/${served}`;
    for (const g of gpus) {
      const key = `${pool}#${g}`;
      const prev = owner.get(key);
      if (prev !== undefined && prev !== engine) clashes.push(`${key}: ${prev} and ${engine}`);
      owner.set(key, engine);
    }
    perEngine.set(engine, (perEngine.get(engine) ?? 0) + gpus.length);
  }
  return { clashes, perEngine };
}

describe('launch scripts of the reference policy, run by /bin/sh', () => {
  it('start each single-host engine on its own GPU, numbered as nvidia-smi numbers them', async () => {
    const artifacts = emitVllm(compilePolicy(await referencePolicy()).plan!);
    const expected: Record<string, string> = {
      'vllm/pool-a/llama-3.1-8b-instruct.sh': '1',
      'vllm/pool-b/llama-3.1-8b-instruct.sh': '1',
      'vllm/pool-c/llama-3.1-8b-instruct.sh': '0',
    };
    for (const [script, gpus] of Object.entries(expected)) {
      const r = run(artifacts, script, 0);
      expect(r.status, r.stderr).toBe(0);
      expect(r.calls).toEqual([
        { cmd: 'vllm', args: ['serve', '--config', script.replace(/\.sh$/, '.yaml')], cuda: gpus, order: 'PCI_BUS_ID', ray: null, head: null },
      ]);
    }
  });

  it('run the 70B over a Ray cluster of its own: head on pool-a GPU 0, worker on pool-b GPU 0, vLLM once both joined', async () => {
    const artifacts = emitVllm(compilePolicy(await referencePolicy()).plan!);
    const head = run(artifacts, 'vllm/pool-a/llama-3.1-70b-instruct.sh', 2);
    expect(head.status, head.stderr).toBe(0);
    expect(head.calls.map((c) => [c.cmd, c.args[0], c.cuda])).toEqual([
      ['ray', 'start', '0'],
      ['vllm', 'serve', '0'],
    ]);
    expect(head.calls[0]!.args).toEqual(expect.arrayContaining(['--head', '--port=6379', '--num-gpus=1']));
    expect(head.calls[1]!.ray).toBe('127.0.0.1:6379');
    const worker = run(artifacts, 'vllm/pool-b/llama-3.1-70b-instruct.ray-worker.sh', 0);
    expect(worker.status, worker.stderr).toBe(0);
    // The head's address comes from the provider that routes to the engine; RAY_HEAD_ADDRESS overrides it.
    expect(worker.calls).toEqual([
      { cmd: 'ray', args: ['start', '--address=pool-a.gpu.internal:6379', '--num-gpus=1', '--block'], cuda: '0', order: 'PCI_BUS_ID', ray: null, head: null },
    ]);
    const moved = run(artifacts, 'vllm/pool-b/llama-3.1-70b-instruct.ray-worker.sh', 0, { RAY_HEAD_ADDRESS: '10.1.2.3' });
    expect(moved.calls[0]!.args[1]).toBe('--address=10.1.2.3:6379');
  });

  it('a head whose workers never join gives up with a message instead of starting vLLM on half the GPUs', async () => {
    const artifacts = emitVllm(compilePolicy(await referencePolicy()).plan!);
    const r = run(artifacts, 'vllm/pool-a/llama-3.1-70b-instruct.sh', 1);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the Ray cluster of pool-a/llama-3.1-70b-instruct has fewer than 2 GPUs after 600 s; start the workers');
    expect(r.calls.map((c) => c.cmd)).toEqual(['ray']);
  });

  it('claim no GPU twice across all generated launch files, and every engine its tensor-parallel size', async () => {
    const plan = compilePolicy(await referencePolicy()).plan!;
    const { clashes, perEngine } = claimsOf(emitVllm(plan));
    expect(clashes).toEqual([]);
    expect(Object.fromEntries(perEngine)).toEqual({
      'pool-a/llama-3.1-70b-instruct': 1,
      'span:llama-3.1-70b-instruct': 1,
      'pool-a/llama-3.1-8b-instruct': 1,
      'pool-b/llama-3.1-8b-instruct': 1,
      'pool-c/llama-3.1-8b-instruct': 1,
    });
  });

  it('are valid sh, and a policy name cannot break out of a comment', async () => {
    const policy = await referencePolicy();
    const artifacts = emitVllm(compilePolicy({ ...policy, name: 'evil\ntouch "$LOG.pwned"' }).plan!);
    for (const a of scriptsOf(artifacts)) {
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-launch-syntax-'));
      dirs.push(dir);
      writeFileSync(join(dir, 's.sh'), a.content);
      expect(spawnSync('sh', ['-n', join(dir, 's.sh')]).status, a.path).toBe(0);
      expect(a.content).not.toMatch(/^touch/m);
    }
    expect(shQuote(`it's $(x)`)).toBe(`'it'\\''s $(x)'`);
  });
});

describe('launch scripts of arbitrary valid policies', () => {
  it('never let two engines claim one GPU of a host, and give each placed engine its tensorParallel GPUs', () => {
    fc.assert(
      fc.property(arbitraryPolicy, (input) => {
        const plan: CompiledPlan = compilePolicy(Policy.parse(input)).plan!;
        const artifacts = emitVllm(plan);
        const { clashes, perEngine } = claimsOf(artifacts);
        expect(clashes).toEqual([]);
        for (const pool of Object.values(plan.pools))
          for (const m of Object.values(pool.models)) {
            const home = perEngine.get(m.id);
            if (home === undefined) continue;
            const spread = 1 + m.spansPools.length;
            expect(home).toBe(m.tensorParallel / spread);
            // A GPU index never reaches past the pool's GPUs.
            const script = artifacts.find((a) => a.path === `vllm/${pool.id}/${m.servedName}.sh`)!;
            const gpus = /^export CUDA_VISIBLE_DEVICES='([0-9,]+)'$/m.exec(script.content)![1]!.split(',').map(Number);
            expect(Math.max(...gpus)).toBeLessThan(pool.gpu.count);
          }
      }),
      { numRuns: 150 },
    );
  });
});
