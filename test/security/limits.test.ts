/**
 * Time and memory limits: a policy module is code, and input files and
 * servers may be hostile. None of them may hang the CLI, exhaust its memory
 * or corrupt its --json output; each ends with exit code 2 and one line
 * (or one located Diagnostic). The CLI runs as a real process here, with a
 * generous spawn timeout only as a guard: a hang fails the test instead of
 * the suite.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basePolicy } from '../fixtures/policies.ts';
import { REPO } from '../fixtures/workspace.ts';
import { type Scratch, scratch } from './helpers.ts';

/** A hang guard, not a speed goal: far above any of these runs. */
const GUARD_MS = 120_000;

function run(args: string[], cwd: string): { code: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/switchyard.mjs'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: GUARD_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.cleanup());

/** A TS policy directory: `code` runs before `export default <the base policy>`. */
function tsPolicy(code: string, name = 'ts'): string {
  const dir = join(s.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ts'), `${code}\nexport default ${JSON.stringify(basePolicy(), null, 2)};\n`);
  return dir;
}

/** The same, without blocking this process: for servers the test itself runs. */
function runAsync(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), GUARD_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

const stderrLines = (stderr: string) => stderr.trim().split('\n');

describe('a policy module cannot hang the CLI, keep it alive, flood its memory or write to stdout', () => {
  it('a policy that loops forever is stopped at --load-timeout: exit 2, one located error', () => {
    const r = run(['validate', '-p', tsPolicy('while (true) {}'), '--load-timeout', '1s'], s.dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ts\/index\.ts:1:1 error policy-load-timeout: Importing ts\/index\.ts did not finish within 1 s\.\n/);
  });

  it('a policy whose promise never settles is stopped at --load-timeout', () => {
    const dir = join(s.dir, 'pending');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.ts'), 'export default new Promise(() => {});\n');
    const r = run(['compile', '-p', dir, '--out', join(s.dir, 'out'), '--load-timeout', '500ms', '--json'], s.dir);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).diagnostics.map((d: { code: string }) => d.code)).toEqual(['policy-load-timeout']);
  });

  it('a policy that leaves a timer running does not keep the CLI alive', () => {
    const r = run(['compile', '-p', tsPolicy('setInterval(() => {}, 1000);'), '--out', join(s.dir, 'out')], s.dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  it('console.log and process.stdout.write in a policy go to stderr, so --json stays valid', () => {
    const r = run(
      ['compile', '-p', tsPolicy("console.log('hello from the policy'); process.stdout.write('raw write\\n');"), '--out', join(s.dir, 'out'), '--json'],
      s.dir,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    expect(r.stderr).toContain('hello from the policy\n');
    expect(r.stderr).toContain('raw write\n');
  });

  it('a policy that allocates without end is stopped at the heap limit: exit 2', () => {
    const r = run(['validate', '-p', tsPolicy('const hoard: number[][] = []; for (;;) hoard.push(new Array(1e6).fill(1));')], s.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error policy-out-of-memory: Importing ts\/index\.ts used more than the 512 MB a policy may use\./);
  });

  it('process.exit in a policy ends only the import, not the CLI with its code', () => {
    const r = run(['validate', '-p', tsPolicy('process.exit(0);')], s.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error policy-module-exited: The policy module ended the import \(process\.exit\(0\)\) before it exported a policy\./);
  });

  it.each([['0s'], ['soon'], ['-1s'], ['99999999h']])('--load-timeout %s is a usage error', (value) => {
    const r = run(['validate', '-p', tsPolicy(''), '--load-timeout', value], s.dir);
    expect([r.code, stderrLines(r.stderr)]).toEqual([
      2,
      [`switchyard: --load-timeout ${JSON.stringify(value)} must be a duration from 1ms to 24h, such as 30s or 2m`],
    ]);
  });
});

describe('input files are regular files of bounded size', () => {
  it('a policy file that is a link to a file outside the repository is refused, and never printed', () => {
    writeFileSync(join(s.dir, 'credentials'), 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    const dir = join(s.dir, 'linked');
    mkdirSync(dir);
    symlinkSync(join(s.dir, 'credentials'), join(dir, 'policy.yaml'));
    const r = run(['validate', '-p', dir], s.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error policy-unreadable: Policy file linked/policy.yaml is a symbolic link; only regular files are read.');
    expect(r.stderr).not.toContain('wJalrXUtnFEMI');
  });

  it('a TS policy importing a link to a file outside the repository is refused, and never printed', () => {
    writeFileSync(join(s.dir, 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n');
    const dir = tsPolicy("import './key.ts';", 'imports-link');
    symlinkSync(join(s.dir, 'id_rsa'), join(dir, 'key.ts'));
    const r = run(['validate', '-p', dir], s.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Policy file imports-link/key.ts is a symbolic link; only regular files are read.');
    expect(r.stderr).not.toMatch(/OPENSSH|b3BlbnNz/);
  });

  it('a policy file that is a named pipe does not hang the CLI', () => {
    const dir = join(s.dir, 'fifo');
    mkdirSync(dir);
    expect(spawnSync('mkfifo', [join(dir, 'policy.yaml')]).status).toBe(0);
    const r = run(['validate', '-p', dir], s.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Policy file fifo/policy.yaml is not a regular file (a named pipe).');
  });

  it('a policy file over the size cap is refused before it is read', () => {
    const dir = join(s.dir, 'huge');
    mkdirSync(dir);
    writeFileSync(join(dir, 'policy.json'), Buffer.alloc(33 * 1024 * 1024, 0x20));
    const r = run(['validate', '-p', dir], s.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Policy file huge/policy.json is 33 MiB, more than the 32 MiB allowed.');
  });

  it.each([
    ['a device', '/dev/zero', 'switchyard: plan /dev/zero is not a regular file (a device)'],
    ['a directory', '.', 'switchyard: plan . is not a regular file (a directory)'],
  ])('--plan that is %s is exit 2 and one line, for explain and gate', (_what, plan, line) => {
    for (const args of [
      ['explain', '--plan', plan, '-m', 'chat'],
      ['gate', '--plan', plan, '--prometheus', 'http://127.0.0.1:9'],
    ]) {
      const r = run(args, s.dir);
      expect([r.code, stderrLines(r.stderr)]).toEqual([2, [line]]);
    }
  });

  it('--plan that is a link is refused, and a plan that is not JSON is not quoted back', () => {
    writeFileSync(join(s.dir, 'shadow'), 'root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n');
    symlinkSync(join(s.dir, 'shadow'), join(s.dir, 'plan.json'));
    const linked = run(['explain', '--plan', 'plan.json', '-m', 'chat'], s.dir);
    expect([linked.code, stderrLines(linked.stderr)]).toEqual([2, ['switchyard: plan plan.json is a symbolic link; only regular files are read']]);
    const direct = run(['explain', '--plan', 'shadow', '-m', 'chat'], s.dir);
    expect([direct.code, stderrLines(direct.stderr)]).toEqual([2, ["switchyard: shadow: plan is not valid JSON: Unexpected token 'r'"]]);
  });
});

describe('gate: every read from Prometheus has a deadline and a size cap', () => {
  let server: Server;
  let tcp: TcpServer;
  const sockets = new Set<Socket>();
  let http: string;
  let silent: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/flood')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        const more = () => {
          while (res.write(chunk));
          res.once('drain', more);
        };
        return more();
      }
      if (req.url?.startsWith('/stall')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.write('{"status":');
      }
      // /silent: headers never come
    });
    server.on('connection', (c) => sockets.add(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    http = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // accepts the TCP connection and never says a word
    tcp = createTcpServer((c) => sockets.add(c.on('data', () => undefined)));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    silent = `127.0.0.1:${(tcp.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const c of sockets) c.destroy();
    server.close();
    tcp.close();
  });

  let plan: string;
  beforeEach(() => {
    const dir = s.policy();
    expect(run(['compile', '-p', dir, '--out', join(s.dir, 'out')], s.dir).code).toBe(0);
    plan = join(s.dir, 'out', 'plan.json');
  });

  const gate = (url: string, ...more: string[]) => runAsync(['gate', '--plan', plan, '--prometheus', url, '--timeout', '2s', ...more], s.dir);

  it('a server that never sends headers: exit 2, one line, no password', async () => {
    const r = await gate(`${http.replace('//', '//admin:hunter2@')}/silent`);
    expect(r.code).toBe(2);
    expect(stderrLines(r.stderr)).toEqual([`switchyard: ${http}/silent/api/v1/query: no complete answer within 2000 ms`]);
  });

  it('a server that accepts the connection and says nothing: exit 2, one line', async () => {
    const r = await gate(`http://${silent}`);
    expect([r.code, stderrLines(r.stderr)]).toEqual([2, [`switchyard: http://${silent}/api/v1/query: no complete answer within 2000 ms`]]);
  });

  it('a server that floods the answer is cut at the cap: exit 2, one line', async () => {
    const r = await gate(`${http}/flood`, '--timeout', '60s');
    expect([r.code, stderrLines(r.stderr)]).toEqual([2, [`switchyard: ${http}/flood/api/v1/query sent more than the 16777216 bytes allowed`]]);
  });

  it('a server that stalls half-way through its answer: exit 2, one line', async () => {
    const r = await gate(`${http}/stall`, '--timeout', '60s');
    expect([r.code, stderrLines(r.stderr)]).toEqual([2, [`switchyard: ${http}/stall/api/v1/query: the answer stalled for 10000 ms`]]);
  });

  it('a Redis target that accepts the connection and never answers ends publish and bundles: exit 2, one line, no password', async () => {
    const r = await runAsync(['bundles', '--target', `redis://:hunter2@${silent}`], s.dir);
    expect([r.code, stderrLines(r.stderr)]).toEqual([2, [`switchyard: cannot reach Redis at redis://:***@${silent}: Command timed out`]]);
  });
});
