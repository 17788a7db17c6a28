/**
 * Gateway speed (issue 11, point 9), in one run:
 * - an upstream stand-in (test/bench/upstream-server.mjs) answers every chat
 *   completion with the same body; it and the gateway (`switchyard serve`,
 *   a real process) are pinned to core 1, the load generator (wrk) to core 0;
 * - requests/s calling the upstream directly and through the gateway at 64
 *   connections, and their ratio (goal >= 40%), beside a bare Node http + undici
 *   relay (test/bench/bare-proxy.mjs) as the floor any Node gateway starts from, and a TCP
 *   byte pipe (test/bench/tcp-pipe.mjs, no HTTP at all) as the floor of any Node proxy;
 * - gateway CPU time per proxied request, from /proc utime + stime over the
 *   64-connection run (goal <= 100 µs);
 * - added p50 at one connection (goal <= 0.25 ms) and p99 at 64;
 * - RSS at the start and end of a soak (SOAK_SECONDS, default 60; goal: flat);
 * - the main runs serve with `--memory --no-request-log` (routing, auth,
 *   metrics: the gateway alone); then the same throughput, CPU per request
 *   and added p50 with `--redis` (a local redis-server), with the request log
 *   on PostgreSQL (`--database-url`, a local server) and on PGlite (the
 *   default, `--data-dir`), each server pinned to the gateway's core, and the
 *   request log's own count of rows written and dropped when it stopped;
 * - where the gateway's time goes: a `node --cpu-prof` run, self time by
 *   function (BENCH_PROFILE=0 skips it).
 * BENCH_VARIANTS=0 skips the --redis and request-log runs and SOAK_SECONDS=0 the soak, for a quick look.
 * BENCH_SECONDS (default 10) is the time per configuration, split into BENCH_ROUNDS (default 3)
 * alternating direct / gateway runs whose medians are printed. Nothing asserts timings.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { planJsonTarget } from '../../src/targets/plan-json.ts';
import { startPostgres } from '../fixtures/postgres-server.ts';
import { redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';
import { REPO } from '../fixtures/workspace.ts';
import { median } from './stats.ts';

const sum = (rs: readonly { errors: number }[]) => rs.reduce((n, r) => n + r.errors, 0);

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SOAK = Number(process.env.SOAK_SECONDS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE = process.env.BENCH_PROFILE !== '0';
/** BENCH_VARIANTS=0 skips the --redis, PostgreSQL and PGlite runs (a quick look at the gateway alone). */
const VARIANTS = process.env.BENCH_VARIANTS !== '0';
const LOAD_CORE = process.env.BENCH_LOAD_CORE ?? '0';
const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? '1';
const TENANT_KEY = 'bench-tenant-key-0123456789abcdef';
const UPSTREAM_KEY = 'bench-upstream-key-fedcba9876543210';
const REQUEST = JSON.stringify(JSON.parse(readFileSync(join(SHARED_FIXTURES, 'wire/openai/chat_request.json'), 'utf8')));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

function need(cmd: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0)
    throw new Error(`${cmd} is not installed (Debian package "${cmd === 'taskset' ? 'util-linux' : cmd}")`);
}

const ms = (v: string, unit: string) => Number(v) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 1);

function wrkScript(dir: string, model: string): string {
  const script = join(dir, `post-${model}.lua`);
  const body = JSON.stringify({ ...JSON.parse(REQUEST), model });
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${JSON.stringify(body)}`,
      'wrk.headers["Content-Type"] = "application/json"',
      `wrk.headers["Authorization"] = "Bearer ${TENANT_KEY}"`,
      '',
    ].join('\n'),
  );
  return script;
}

const wrkArgs = (url: string, connections: number, seconds: number, script: string) => [
  '-c',
  LOAD_CORE,
  'wrk',
  '-t1',
  `-c${connections}`,
  `-d${seconds}s`,
  '--latency',
  '-s',
  script,
  url,
];

function wrk(url: string, connections: number, seconds: number, dir: string, model = 'bench'): WrkResult {
  const r = spawnSync('taskset', wrkArgs(url, connections, seconds, wrkScript(dir, model)), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  return parseWrk(r.stdout);
}

/** A wrk run in the background, with the gateway's RSS sampled every `everyMs` meanwhile. */
async function wrkSampling(
  url: string,
  connections: number,
  seconds: number,
  dir: string,
  pid: number,
  everyMs: number,
): Promise<{ result: WrkResult; rssMb: number[] }> {
  const rssMb: number[] = [rssMb0(pid)];
  const timer = setInterval(() => rssMb.push(rssMb0(pid)), everyMs);
  const child = spawn('taskset', wrkArgs(url, connections, seconds, wrkScript(dir, 'bench')), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearInterval(timer);
  rssMb.push(rssMb0(pid));
  if (code !== 0) throw new Error('wrk failed');
  return { result: parseWrk(out), rssMb };
}

function parseWrk(out: string): WrkResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([0-9.]+)(us|ms|s|m)`, 'm').exec(out);
    return m ? ms(m[1]!, m[2]!) : NaN;
  };
  return {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([0-9.]+)/),
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    errors: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
  };
}

/** utime + stime of a process, in µs. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1e6;
}

function rssMb0(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) / 1024;
}

async function waitForLine(child: ChildProcess, re: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), 60_000);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = re.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${seen}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 40_000).unref();
  });
}

function benchPlan(upstreamPort: number): string {
  const r = compilePolicy(
    Policy.parse({
      name: 'bench',
      providers: [{ id: 'upstream', kind: 'openai', apiBase: `http://127.0.0.1:${upstreamPort}/v1`, apiKey: 'env:BENCH_UPSTREAM_KEY' }],
      deployments: [
        { id: 'upstream-gpt', provider: 'upstream', model: 'gpt-4o-mini', contextWindow: 128_000, pricing: { inputPer1M: 0.15, outputPer1M: 0.6 } },
      ],
      modelGroups: [{ name: 'bench', deployments: ['upstream-gpt'] }],
      tenants: [{ id: 'bench', apiKeys: ['env:BENCH_TENANT_KEY'], allowedGroups: ['bench'] }],
    }),
  );
  if (!r.plan) throw new Error('bench policy did not compile');
  return planJsonTarget.emit(r.plan)[0]!.content;
}

interface Served {
  child: ChildProcess;
  /** The chat completions URL. */
  url: string;
  /** Everything the gateway logged so far. */
  stderr(): string;
}

async function startGateway(planFile: string, extra: string[], nodeArgs: string[] = []): Promise<Served> {
  const child = spawn(
    'taskset',
    ['-c', SERVER_CORE, process.execPath, ...nodeArgs, join(REPO, 'bin/switchyard.mjs'), 'serve', '--plan', planFile, '--port', '0', ...extra],
    {
      env: { ...process.env, BENCH_TENANT_KEY: TENANT_KEY, BENCH_UPSTREAM_KEY: UPSTREAM_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const m = await waitForLine(child, /"msg":"listening","url":"(http:\/\/[^"]+)"/, 'switchyard serve');
  return { child, url: `${m[1]}/v1/chat/completions`, stderr: () => err };
}

/** Pins a process and its children (a server's workers) to `core`; children forked later inherit it. */
function pin(pid: string | undefined, core: string): void {
  if (!pid) return;
  const children = spawnSync('pgrep', ['-P', pid], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  for (const p of [pid, ...children]) spawnSync('taskset', ['-acp', core, p]);
}

interface Variant {
  rps: number;
  cpuPerRequestUs: number;
  addedP50Ms: number;
  errors: number;
  /** Requests the gateway answered in the timed runs and warm-up. */
  requests: number;
  /** The request log's stats as the gateway logged them when it stopped (null if it did not say). */
  requestLog: { written: number; dropped: number; rejected: number; queued: number } | null;
}

/** Sends requests for a second, then waits until the gateway's /metrics says its request log wrote some; returns how many were sent. */
async function untilWriting(chatUrl: string, dir: string): Promise<number> {
  const sent = wrk(chatUrl, 1, 1, dir).requests;
  const metrics = chatUrl.replace('/v1/chat/completions', '/metrics');
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const m = /^switchyard_request_log_written_total (\d+)/m.exec(await (await fetch(metrics)).text());
    if (m && Number(m[1]) > 0) return sent;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the request log wrote nothing in 180 s');
}

/** One configuration of `serve`: 64-connection throughput with CPU per request, added p50 at one connection, and what the request log wrote. */
async function variant(planFile: string, extra: string[], dir: string, directP50Ms: number): Promise<Variant> {
  const g = await startGateway(planFile, extra);
  try {
    // The database opens in the background (PGlite initialises a fresh directory in its worker thread, seconds of
    // CPU): measure once it writes, or that start-up would be billed to the requests.
    const logging = !extra.includes('--no-request-log');
    const first = logging ? await untilWriting(g.url, dir) : 0;
    const warm = wrk(g.url, 64, 3, dir);
    const cpu0 = cpuMicros(g.child.pid!);
    const r64 = wrk(g.url, 64, SECONDS, dir);
    const cpu = cpuMicros(g.child.pid!) - cpu0;
    const r1 = wrk(g.url, 1, SECONDS, dir);
    await stop(g.child);
    const stopped = /"msg":"stopped".*"requestLog":(\{[^}]*\})/.exec(g.stderr());
    return {
      rps: r64.rps,
      cpuPerRequestUs: cpu / r64.requests,
      addedP50Ms: r1.p50Ms - directP50Ms,
      errors: r64.errors + r1.errors,
      requests: first + warm.requests + r64.requests + r1.requests,
      requestLog: logging && stopped ? JSON.parse(stopped[1]!) : null,
    };
  } finally {
    await stop(g.child);
  }
}

interface ProfileLine {
  fn: string;
  where: string;
  selfPct: number;
}

interface Profile {
  /** Self time by function, largest first. */
  functions: ProfileLine[];
  /** Self time by component (the gateway's code, the runtime router, prom-client, undici, Node's HTTP server...), largest first. */
  components: [string, number][];
}

/** Which part of the process a profile node's code belongs to. */
function componentOf(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle (waiting for I/O)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)' || fn === '(root)') return 'V8 / native (program)';
  if (url.includes('/src/gateway/')) return 'gateway (src/gateway)';
  if (url.includes('/src/runtime/')) return 'router (src/runtime)';
  if (url.includes('/src/')) return 'other src/';
  if (url.includes('prom-client')) return 'prom-client';
  if (url.includes('undici')) return 'undici (upstream client)';
  if (url.includes('jiti')) return 'jiti (TypeScript loader, interop)';
  if (/node:_http|node:http/.test(url)) return 'node http (server)';
  if (/node:net|stream_base|node:internal\/stream/.test(url) || fn === 'writev' || fn === 'writeBuffer' || fn === 'writeUtf8String')
    return 'node net / streams / socket writes';
  if (url.startsWith('node:') || url === '') return `node internals${url === '' ? ' (native)' : ''}`;
  return 'other dependencies';
}

/** Self time by function and by component from a .cpuprofile. */
function profileSummary(file: string, top = 18): Profile {
  const p = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
    samples: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const components = new Map<string, number>();
  for (const id of p.samples) {
    const n = byId.get(id)!;
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(REPO, '');
    const fn = n.callFrame.functionName || '(anonymous)';
    const key = `${fn}\u0000${url ? `${url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    const c = componentOf(n.callFrame.url, fn);
    components.set(c, (components.get(c) ?? 0) + 1);
  }
  const total = p.samples.length;
  return {
    functions: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, n]) => {
        const [fn, where] = k.split('\u0000');
        return { fn: fn!, where: where!, selfPct: (100 * n) / total };
      }),
    components: [...components].sort((a, b) => b[1] - a[1]).map(([c, n]) => [c, (100 * n) / total]),
  };
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const f0 = (x: number) => x.toFixed(0);

export async function main(): Promise<void> {
  need('wrk');
  need('taskset');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-gw-'));
  const children: ChildProcess[] = [];
  try {
    const upstream = spawn(
      'taskset',
      ['-c', SERVER_CORE, process.execPath, join(REPO, 'test/bench/upstream-server.mjs'), '0', join(SHARED_FIXTURES, 'wire/openai/chat_response.json')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(upstream);
    const upstreamPort = Number((await waitForLine(upstream, /ready (\d+)/, 'upstream stand-in'))[1]);
    const direct = `http://127.0.0.1:${upstreamPort}/v1/chat/completions`;
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, benchPlan(upstreamPort));

    const gw = await startGateway(planFile, ['--memory', '--no-request-log']);
    children.push(gw.child);
    const pid = gw.child.pid!;
    console.log(`upstream stand-in and gateway on core ${SERVER_CORE}, wrk on core ${LOAD_CORE}; ${SECONDS} s per run, ${SOAK} s soak`);
    wrk(gw.url, 64, 3, dir); // warm-up: JIT, pools
    wrk(direct, 64, 2, dir, 'gpt-4o-mini');

    // Direct and gateway runs alternate (ROUNDS each, SECONDS in all per configuration) and medians are kept,
    // so a neighbour's burst of load on a shared machine does not land on one side only.
    const slice = Math.max(2, Math.round(SECONDS / ROUNDS));
    const runs = { direct64: [] as WrkResult[], gw64: [] as WrkResult[], direct1: [] as WrkResult[], gw1: [] as WrkResult[] };
    let cpu = 0;
    let proxied = 0;
    for (let i = 0; i < ROUNDS; i++) {
      runs.direct64.push(wrk(direct, 64, slice, dir, 'gpt-4o-mini'));
      const cpu0 = cpuMicros(pid);
      const g = wrk(gw.url, 64, slice, dir);
      cpu += cpuMicros(pid) - cpu0;
      proxied += g.requests;
      runs.gw64.push(g);
      runs.direct1.push(wrk(direct, 1, slice, dir, 'gpt-4o-mini'));
      runs.gw1.push(wrk(gw.url, 1, slice, dir));
    }
    const cpuPerRequest = cpu / proxied;

    // The floor: a bare Node http + undici relay (test/bench/bare-proxy.mjs) on the same core, same load.
    const bare = spawn('taskset', ['-c', SERVER_CORE, process.execPath, join(REPO, 'test/bench/bare-proxy.mjs'), `http://127.0.0.1:${upstreamPort}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(bare);
    const bareUrl = `http://127.0.0.1:${(await waitForLine(bare, /ready (\d+)/, 'bare proxy'))[1]}/v1/chat/completions`;
    wrk(bareUrl, 64, 2, dir);
    const bareRuns: WrkResult[] = [];
    let bareCpu = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const c0 = cpuMicros(bare.pid!);
      bareRuns.push(wrk(bareUrl, 64, slice, dir));
      bareCpu += cpuMicros(bare.pid!) - c0;
    }
    const bareRps = median(bareRuns.map((r) => r.rps));
    const bareCpuPerRequest = bareCpu / bareRuns.reduce((n, r) => n + r.requests, 0);
    await stop(bare);

    // Lower still: a TCP byte pipe (test/bench/tcp-pipe.mjs), one upstream connection per client connection, no HTTP at all.
    const pipe = spawn('taskset', ['-c', SERVER_CORE, process.execPath, join(REPO, 'test/bench/tcp-pipe.mjs'), String(upstreamPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(pipe);
    const pipeUrl = `http://127.0.0.1:${(await waitForLine(pipe, /ready (\d+)/, 'tcp pipe'))[1]}/v1/chat/completions`;
    wrk(pipeUrl, 64, 2, dir, 'gpt-4o-mini');
    const pipeRuns: WrkResult[] = [];
    let pipeCpu = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const c0 = cpuMicros(pipe.pid!);
      pipeRuns.push(wrk(pipeUrl, 64, slice, dir, 'gpt-4o-mini'));
      pipeCpu += cpuMicros(pipe.pid!) - c0;
    }
    const pipeRps = median(pipeRuns.map((r) => r.rps));
    const pipeCpuPerRequest = pipeCpu / pipeRuns.reduce((n, r) => n + r.requests, 0);
    await stop(pipe);
    const med = (rs: WrkResult[], k: keyof WrkResult) => median(rs.map((r) => r[k]));
    const direct64 = { rps: med(runs.direct64, 'rps'), p99Ms: med(runs.direct64, 'p99Ms'), errors: sum(runs.direct64) };
    const gw64 = { rps: med(runs.gw64, 'rps'), p99Ms: med(runs.gw64, 'p99Ms'), errors: sum(runs.gw64) };
    const direct1 = { p50Ms: med(runs.direct1, 'p50Ms'), errors: sum(runs.direct1) };
    const gw1 = { p50Ms: med(runs.gw1, 'p50Ms'), errors: sum(runs.gw1) };
    const addedP50 = median(runs.gw1.map((g, i) => g.p50Ms - runs.direct1[i]!.p50Ms));

    const { result: soak, rssMb } = SOAK > 0 ? await wrkSampling(gw.url, 64, SOAK, dir, pid, 5_000) : { result: { rps: 0, errors: 0 }, rssMb: [rssMb0(pid)] };
    const rssStart = rssMb[0]!;
    const rssEnd = rssMb.at(-1)!;
    await stop(gw.child);

    let redis: Variant | string;
    const missing = VARIANTS ? redisServerMissing() : 'BENCH_VARIANTS=0';
    if (missing) redis = missing;
    else {
      const server = await startRedisServer();
      // redis-server rewrites its process title to "redis-server 127.0.0.1:<port>".
      pin(
        spawnSync('pgrep', ['-f', `redis-server .*:${server.port}`], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n')[0],
        SERVER_CORE,
      );
      try {
        redis = await variant(planFile, ['--redis', server.url, '--no-request-log'], dir, direct1.p50Ms);
      } finally {
        await server.dispose();
      }
    }

    let postgres: Variant | string = 'BENCH_VARIANTS=0';
    if (VARIANTS)
      try {
        const server = await startPostgres();
        try {
          pin(readFileSync(join(server.socketDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0], SERVER_CORE);
          postgres = await variant(planFile, ['--memory', '--database-url', server.url], dir, direct1.p50Ms);
        } finally {
          await server.stop();
        }
      } catch (e) {
        postgres = (e as Error).message.split('\n')[0]!;
      }
    const pglite = VARIANTS ? await variant(planFile, ['--memory', '--data-dir', join(dir, 'request-log')], dir, direct1.p50Ms) : 'BENCH_VARIANTS=0';

    let profile: Profile | null = null;
    if (PROFILE) {
      const profDir = join(dir, 'prof');
      const pg = await startGateway(planFile, ['--memory', '--no-request-log'], ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
      children.push(pg.child);
      wrk(pg.url, 64, 3, dir);
      wrk(pg.url, 64, Math.min(SECONDS, 10), dir);
      await stop(pg.child);
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) profile = profileSummary(join(profDir, file));
    }

    const errors = direct64.errors + gw64.errors + direct1.errors + gw1.errors + soak.errors;
    console.log('');
    console.log(`direct to the upstream, 64 connections   ${f0(direct64.rps)} req/s`);
    console.log(`through the gateway, 64 connections      ${f0(gw64.rps)} req/s  (${f1((100 * gw64.rps) / direct64.rps)}% of direct; goal >= 40%)`);
    console.log(`gateway CPU per proxied request          ${f1(cpuPerRequest)} µs  (goal <= 100 µs)`);
    console.log(
      `bare Node http + undici relay (floor)    ${f0(bareRps)} req/s (${f1((100 * bareRps) / direct64.rps)}% of direct), ${f1(bareCpuPerRequest)} µs CPU per request`,
    );
    console.log(
      `TCP byte pipe, no HTTP (lowest floor)    ${f0(pipeRps)} req/s (${f1((100 * pipeRps) / direct64.rps)}% of direct), ${f1(pipeCpuPerRequest)} µs CPU per request`,
    );
    console.log(
      `p50 at 1 connection                      direct ${f2(direct1.p50Ms)} ms, gateway ${f2(gw1.p50Ms)} ms: added ${f2(addedP50)} ms (goal <= 0.25 ms)`,
    );
    console.log(`p99 at 64 connections                    direct ${f2(direct64.p99Ms)} ms, gateway ${f2(gw64.p99Ms)} ms`);
    console.log(
      `RSS over a ${SOAK} s soak (${f0(soak.rps)} req/s)      ${f1(rssStart)} MB at start, ${f1(rssEnd)} MB at end; min ${f1(Math.min(...rssMb))}, max ${f1(Math.max(...rssMb))} MB sampled every 5 s`,
    );
    const line = (label: string, v: Variant | string) => {
      if (typeof v === 'string') {
        console.log(`${label.padEnd(41)}skipped (${v})`);
        return;
      }
      const rl = v.requestLog;
      const rows =
        rl === null ? '' : `; request log at exit: ${rl.written} rows written, ${rl.dropped} dropped, ${rl.rejected} rejected (${v.requests} requests)`;
      console.log(
        `${label.padEnd(41)}${f0(v.rps)} req/s (${f1((100 * v.rps) / direct64.rps)}% of direct), ${f1(v.cpuPerRequestUs)} µs CPU per request, added p50 ${f2(v.addedP50Ms)} ms${rows}`,
      );
    };
    line(`with --redis (redis-server on core ${SERVER_CORE})`, redis);
    line(`request log on PostgreSQL (core ${SERVER_CORE})`, postgres);
    line('request log on PGlite (default)', pglite);
    const variantErrors = [redis, postgres, pglite].reduce((n, v) => n + (typeof v === 'string' ? 0 : v.errors), 0);
    console.log(`non-2xx answers during the runs          ${errors + variantErrors}`);
    if (profile !== null) {
      console.log('\nwhere the gateway process spends its time (node --cpu-prof during a 64-connection run, self time by component):');
      for (const [c, pct] of profile.components) console.log(`  ${pct.toFixed(1).padStart(5)}%  ${c}`);
      console.log('top functions by self time:');
      for (const p of profile.functions) console.log(`  ${p.selfPct.toFixed(1).padStart(5)}%  ${p.fn}  ${p.where}`);
    }
  } finally {
    for (const c of children) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  }
}
