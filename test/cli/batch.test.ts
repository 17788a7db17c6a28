/**
 * `switchyard batch` end to end in-process, against the emulator: what each
 * subcommand prints, its --json, and its exit codes for the mistakes a user
 * can make. The emulator subcommand itself runs as a child process.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/batch/emulator/clock.ts';
import { type Emulator, startEmulator } from '../../src/batch/emulator/server.ts';
import { stableStringify } from '../../src/plan/canonical-json.ts';
import { planHash } from '../../src/plan/hash.ts';
import { jsonl, planWith, readJsonl, referencePlan, type TempDir, tempDir } from '../batch/fixtures.ts';
import { cli } from '../fixtures/cli.ts';
import { startPostgres } from '../fixtures/postgres-server.ts';
import { startVault } from '../fixtures/vault-server.ts';
import { REPO } from '../fixtures/workspace.ts';

let t: TempDir;
let emu: Emulator;
let clock: ReturnType<typeof manualClock>;
let planFile: string;
const KEY_ENV = 'SWITCHYARD_TEST_BATCH_KEY';

beforeAll(async () => {
  t = tempDir();
  planFile = t.write('plan.json', stableStringify(await referencePlan()));
  clock = manualClock();
  emu = await startEmulator({
    apiKey: 'sk-cli-test',
    clock,
    pace: { validatingMs: 1_000, perRequestMs: 100, finalizingMs: 1_000, cancellingMs: 1_000, failureRate: 0 },
  });
  process.env[KEY_ENV] = 'sk-cli-test';
});
afterAll(async () => {
  await emu.close();
  t.cleanup();
  delete process.env[KEY_ENV];
});

const runner = () => ['--plan', planFile, '--state', t.path('state'), '--base-url', emu.url, '--api-key-ref', `env:${KEY_ENV}`];

describe('switchyard batch', () => {
  it('prepare prints what it prepared, rejected, redacted and what it should cost', async () => {
    const input = t.write(
      'docs.jsonl',
      jsonl([
        { messages: [{ role: 'user', content: 'Invoice INV-2024-001 for jane@example.com, call +1 (555) 123-4567' }], max_tokens: 100 },
        '{"messages": [',
        [{ role: 'user', content: 'Card 4111 1111 1111 1111' }],
      ]),
    );
    const r = await cli('batch', 'prepare', '--profile', 'document-extraction', '--input', input, '--out', t.path('docs'), '--plan', planFile);
    expect(r.code).toBe(0);
    const out = r.stdout.replaceAll(t.dir, '<tmp>');
    expect(out).toMatch(
      /^prepared 2 requests of profile document-extraction from <tmp>\/docs\.jsonl into \S+ \(1 file, \d+ B\)\n {2}part-0001\.jsonl {2}2 requests {2}\d+ B\n/,
    );
    expect(out).toContain('rejected 1 record (all in ');
    expect(out).toContain('  line 2: is not valid JSON\n');
    expect(out).toContain('redacted 3 values: email 1, payment_card 1, phone 1\n');
    expect(out).toContain('placeholder map kept for collect in ');
    expect(out).toMatch(/estimate: ~\d+ input tokens, at most 100 output tokens \(the requests' own limits; 1 request sets none and is not counted\)\n/);
    expect(out).toMatch(/ {2}batch rate {3}\s*\$[0-9.e-]+ {2}\(gpt-4o-mini at \$0\.075 \/ \$0\.3 per 1M tokens\)\n/);
    expect(out).toMatch(/ {2}saved {8}\s*\$[0-9.e-]+ {2}\(50%\)\n/);
    expect(out).not.toContain('jane@example.com');
    const json = await cli(
      'batch',
      'prepare',
      '--profile',
      'document-extraction',
      '--input',
      input,
      '--out',
      t.path('docs'),
      '--plan',
      planFile,
      '--force',
      '--json',
    );
    expect(JSON.parse(json.stdout).manifest).toMatchObject({
      requests: 2,
      rejected: 1,
      profile: 'document-extraction',
      redactions: { email: 1, payment_card: 1, phone: 1 },
    });
  });

  it('submit, status, watch and collect print their steps; collect writes results in input order', async () => {
    const dir = t.path('docs');
    const s = await cli('batch', 'submit', '--dir', dir, ...runner());
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(new RegExp(`^1 batch for ${dir}:\\n {2}part-0001\\.jsonl {2}batch_\\w+ {2}validating {2}2 requests {2}created\\n`));
    expect(s.stderr).toMatch(/part-0001\.jsonl: uploaded as file-\w+ \(\d+ bytes, 2 requests\)\npart-0001\.jsonl: created batch batch_\w+ \(validating\)\n/);
    expect((await cli('batch', 'submit', '--dir', dir, ...runner())).stdout).toContain('already submitted');

    const early = await cli('batch', 'collect', '--dir', dir, ...runner());
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(
      /^switchyard: not every batch of .* is finished: part-0001\.jsonl \(batch_\w+ validating\); run switchyard batch watch --dir /,
    );

    clock.advance(60_000);
    const st = await cli('batch', 'status', '--dir', dir, ...runner(), '--json');
    expect(JSON.parse(st.stdout)).toMatchObject({
      profile: 'document-extraction',
      final: true,
      batches: [{ part: 'part-0001.jsonl', status: 'completed', completed: 2, failed: 0 }],
    });
    const w = await cli('batch', 'watch', '--dir', dir, ...runner(), '--interval', '100ms');
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('1 batch final; next: switchyard batch collect --dir');
    const c = await cli('batch', 'collect', '--dir', dir, ...runner());
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(
      /^2 results in .*results\.jsonl: 2 completed, 0 failed\ntokens: \d+ input, \d+ output\ncost at the batch rate \$[0-9.e-]+; synchronous \$[0-9.e-]+, saved \$[0-9.e-]+\nplaceholders restored in 2 answers\nspend rows: not written \(give --database-url or --data-dir so cost reports include this batch\)\n$/,
    );
    expect(readJsonl(join(dir, 'results.jsonl')).map((r) => [r.custom_id, r.line, r.status])).toEqual([
      ['line-1', 1, 'completed'],
      ['line-3', 3, 'completed'],
    ]);
    const retry = await cli('batch', 'retry-failed', '--dir', dir, ...runner());
    expect(retry.stdout).toBe(`no failed request in ${dir}: nothing to retry\n`);
    expect((await cli('batch', 'cancel', '--dir', dir, ...runner())).stdout).toBe(`nothing to cancel in ${dir}\n`);
  });

  it('collect --database-url writes the spend rows of each batch once into the request-log tables', async () => {
    const pg = await startPostgres();
    try {
      const dir = t.path('docs');
      const first = await cli('batch', 'collect', '--dir', dir, ...runner(), '--database-url', pg.url);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`spend rows: 2 written for 1 batch to PostgreSQL postgres://127.0.0.1:${pg.port}/${pg.database}`);
      const rows = await pg.client.query(
        `SELECT tenant, model_group, status, prompt_tokens, completion_tokens, spend FROM switchyard.requests ORDER BY request_id`,
      );
      expect(rows.rows).toHaveLength(2);
      // The profile's tenant (policies/batch.ts), and its own model group.
      for (const r of rows.rows) {
        expect(r).toMatchObject({ tenant: 'document-pipeline', model_group: 'batch:document-extraction', status: 'success' });
        // gpt-4o-mini at the batch rate: $0.075 input, $0.3 output per 1M tokens.
        expect(r.spend).toBeCloseTo((r.prompt_tokens * 0.075 + r.completion_tokens * 0.3) / 1e6, 12);
        expect(r.spend).toBeGreaterThan(0);
      }
      // The generated analytics views read the rows: cost reports include the batch, under its own model group.
      await pg.client.query(readFileSync(join(REPO, 'generated/sql/routing_analytics.sql'), 'utf8'));
      const spent = rows.rows.reduce((n, r) => n + Number(r.spend), 0);
      const daily = await pg.client.query(`SELECT tenant, provider, model_group, deployment, model, requests::int, spend::float FROM switchyard.cost_daily`);
      expect(daily.rows).toEqual([
        {
          tenant: 'document-pipeline',
          provider: 'openai',
          model_group: 'batch:document-extraction',
          deployment: 'openai-gpt-4o-mini',
          model: 'gpt-4o-mini',
          requests: 2,
          spend: expect.closeTo(spent, 12),
        },
      ]);
      const tenants = await pg.client.query(`SELECT tenant, requests::int, spend::float FROM switchyard.tenant_cost_daily`);
      expect(tenants.rows).toEqual([{ tenant: 'document-pipeline', requests: 2, spend: expect.closeTo(spent, 12) }]);
      const again = await cli('batch', 'collect', '--dir', dir, ...runner(), '--database-url', pg.url);
      expect(again.stdout).toContain('spend rows: 0 written for 0 batches');
      expect((await pg.client.query('SELECT count(*)::int AS n FROM switchyard.requests')).rows[0].n).toBe(2);
      const bad = await cli('batch', 'collect', '--dir', dir, ...runner(), '--database-url', 'mysql://u:secret@h/db');
      expect(bad.code).toBe(2);
      expect(bad.stderr).not.toContain('secret');
    } finally {
      await pg.stop();
    }
  });

  it('user mistakes are one-line errors with exit 2', async () => {
    const input = t.write('one.jsonl', jsonl([{ messages: [{ role: 'user', content: 'x' }] }, '{"a":1,}']));
    const cases: [string[], RegExp][] = [
      [['batch', 'prepare', '--profile', 'nope', '--input', input, '--plan', planFile], /^switchyard: plan reference has no batch profile "nope"; known: /],
      [
        ['batch', 'prepare', '--profile', 'research', '--input', input, '--out', t.path('strict'), '--plan', planFile, '--strict'],
        /^switchyard: .*one\.jsonl:2: line is not valid JSON \(at character 8\) \(--strict: nothing was written\)\n$/,
      ],
      [
        ['batch', 'prepare', '--profile', 'research', '--input', input, '--plan', t.path('missing.json')],
        /^switchyard: cannot read .*missing\.json; run switchyard compile first or pass --plan\n$/,
      ],
      [['batch', 'submit', '--dir', t.path('nowhere'), ...runner()], /^switchyard: .*nowhere does not exist; run switchyard batch prepare first\n$/],
      [
        ['batch', 'submit', '--dir', t.path('docs'), ...runner().slice(0, -2), '--api-key-ref', 'sk-literal-key'],
        /^switchyard: --api-key-ref must be a secret reference \(env:NAME or vault:path#field\), never the key itself\n$/,
      ],
      [['batch', 'watch', ...runner(), '--interval', 'soon'], /^switchyard: --interval "soon" is not a duration/],
      [
        ['batch', 'prepare', '--profile', 'research', '--input', input, '--plan', planFile, '--workers', '-1'],
        /^switchyard: --workers must be a whole number from 0 to 64\n$/,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
      expect(r.stderr).not.toContain('    at ');
    }
    // An API key reference that cannot be resolved names the reference, never a value.
    process.env.SWITCHYARD_UNSET_KEY = '';
    const prepared = await cli('batch', 'prepare', '--profile', 'research', '--input', input, '--out', t.path('keyless'), '--plan', planFile);
    expect(prepared.code).toBe(0);
    const r = await cli(
      'batch',
      'submit',
      '--dir',
      t.path('keyless'),
      '--plan',
      planFile,
      '--state',
      t.path('state'),
      '--base-url',
      emu.url,
      '--api-key-ref',
      'env:SWITCHYARD_UNSET_KEY',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'switchyard: cannot resolve the API key of provider openai: env:SWITCHYARD_UNSET_KEY: environment variable SWITCHYARD_UNSET_KEY is not set\n',
    );
  });

  it('a profile whose completion window OpenAI does not take is refused before anything is uploaded', async () => {
    const plan = await planWith('research', (p) => void (p.completionWindowHours = 48));
    const plan48 = t.write('plan-48h.json', stableStringify(plan));
    const input = t.write('window.jsonl', jsonl([{ messages: [{ role: 'user', content: 'x' }] }]));
    expect((await cli('batch', 'prepare', '--profile', 'research', '--input', input, '--out', t.path('window'), '--plan', plan48)).code).toBe(0);
    const files = emu.files.list(null, 'asc').length;
    const r = await cli('batch', 'submit', '--dir', t.path('window'), ...runner().slice(2), '--plan', plan48);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "switchyard: batch profile research asks for a 48h completion window; OpenAI's Batch API accepts only 24h: set completionWindow: '24h' in the profile\n",
    );
    expect(emu.files.list(null, 'asc')).toHaveLength(files);
  });

  it('a provider that refuses the key is exit 1, with no key in the message', async () => {
    process.env.SWITCHYARD_WRONG_KEY = 'sk-wrong-0123456789abcdef';
    const r = await cli(
      'batch',
      'submit',
      '--dir',
      t.path('keyless'),
      '--plan',
      planFile,
      '--state',
      t.path('state2'),
      '--base-url',
      emu.url,
      '--api-key-ref',
      'env:SWITCHYARD_WRONG_KEY',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^switchyard: listing files at http:\/\/127\.0\.0\.1:\d+\/v1: 401 invalid_api_key: Incorrect API key provided: sk-w\*+cdef\.\n$/);
    expect(r.stderr).not.toContain('sk-wrong-0123456789abcdef');
  });

  it("without --base-url and --api-key-ref, talks to the profile's provider with its key read from Vault, as the gateway reads it", async () => {
    // The reference provider keeps its key at vault:secret/switchyard/openai#key; its apiBase is moved to the emulator.
    const plan = await referencePlan();
    expect(plan.providers.openai!.apiKey?.ref).toBe('vault:secret/switchyard/openai#key');
    plan.providers.openai!.apiBase = emu.url;
    plan.hash = planHash(plan);
    const ownPlan = t.write('plan-own-provider.json', stableStringify(plan));
    const vault = await startVault();
    vault.secrets.set('secret/switchyard/openai', { data: { key: 'sk-cli-test' } });
    const saved = { addr: process.env.VAULT_ADDR, token: process.env.VAULT_TOKEN };
    process.env.VAULT_ADDR = vault.addr;
    process.env.VAULT_TOKEN = vault.token;
    try {
      const input = t.write('own.jsonl', jsonl([{ messages: [{ role: 'user', content: 'from the plan' }] }]));
      expect((await cli('batch', 'prepare', '--profile', 'research', '--input', input, '--out', t.path('own'), '--plan', ownPlan)).code).toBe(0);
      const before = emu.batches.list().length;
      const s = await cli('batch', 'submit', '--dir', t.path('own'), '--plan', ownPlan, '--state', t.path('state-own'));
      expect(s.code, s.stderr).toBe(0);
      expect(s.stdout).toMatch(/^1 batch for .*own:\n {2}part-0001\.jsonl {2}batch_\w+ {2}validating {2}1 request {2}created\n/);
      const created = emu.batches.list();
      expect(created).toHaveLength(before + 1);
      expect(created[0]!.metadata).toMatchObject({ switchyard_profile: 'research' });
      expect(vault.requests).toEqual(['/v1/secret/data/switchyard/openai']);
      // A key Vault does not hold: the emulator refuses it, and neither message carries a key.
      vault.secrets.set('secret/switchyard/openai', { data: { key: 'sk-rotated-but-wrong-000' } });
      const refused = await cli('batch', 'status', '--dir', t.path('own'), '--plan', ownPlan, '--state', t.path('state-own'));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^switchyard: reading batch batch_\w+ at http:\/\/127\.0\.0\.1:\d+\/v1: 401 invalid_api_key: /);
      expect(refused.stderr).not.toContain('sk-rotated-but-wrong-000');
    } finally {
      for (const [k, v] of [
        ['VAULT_ADDR', saved.addr],
        ['VAULT_TOKEN', saved.token],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await vault.close();
    }
  });

  it('watch, as its own process, polls until the batches are final', async () => {
    const input = t.write('slow.jsonl', jsonl([{ messages: [{ role: 'user', content: 'slow' }] }]));
    expect((await cli('batch', 'prepare', '--profile', 'research', '--input', input, '--out', t.path('slow'), '--plan', planFile)).code).toBe(0);
    expect((await cli('batch', 'submit', '--dir', t.path('slow'), ...runner())).code).toBe(0);
    const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), 'batch', 'watch', '--dir', t.path('slow'), ...runner(), '--interval', '200ms'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Once it has polled the batch while validating, let the batch finish.
      if (stderr.includes('validating')) clock.advance(60_000);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/part-0001\.jsonl: batch_\w+ validating\n(.*\n)*part-0001\.jsonl: batch_\w+ completed 1 completed, 0 failed of 1\n/);
    expect(stdout).toBe(`1 batch final; next: switchyard batch collect --dir ${t.path('slow')}\n`);
  });

  it('watch --metrics-port keeps running and serves the queue metrics until SIGTERM', async () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ messages: [{ role: 'user', content: `queued ${i}` }] }));
    const input = t.write('queued.jsonl', jsonl(rows));
    expect((await cli('batch', 'prepare', '--profile', 'research', '--input', input, '--out', t.path('queued'), '--plan', planFile)).code).toBe(0);
    const own = ['--plan', planFile, '--state', t.path('state-metrics'), '--base-url', emu.url, '--api-key-ref', `env:${KEY_ENV}`];
    expect((await cli('batch', 'submit', '--dir', t.path('queued'), ...own)).code).toBe(0);
    const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), 'batch', 'watch', ...own, '--metrics-port', '0', '--interval', '200ms'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /^exporting batch queue metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(stderr);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`watch exited ${code}: ${stderr}`)));
    });
    /** The samples of the research profile, once the exporter has polled enough to show `until`. */
    const scrape = async (until: (m: Map<string, number>) => boolean): Promise<Map<string, number>> => {
      for (;;) {
        const text = await (await fetch(url)).text();
        const m = new Map<string, number>();
        for (const line of text.split('\n')) {
          const x = /^(switchyard_batch_\w+)\{(profile="research"[^}]*)\} (\S+)$/.exec(line);
          if (x) m.set(`${x[1]}{${x[2]}}`, Number(x[3]));
        }
        if (until(m)) return m;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      const pending = await scrape((m) => m.get('switchyard_batch_queue_pending{profile="research"}') === 3);
      const age = pending.get('switchyard_batch_queue_oldest_pending_seconds{profile="research"}')!;
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(600);
      expect(pending.get('switchyard_batch_requests_total{profile="research",outcome="completed"}')).toBe(0);
      // Still running after the batch is final: it keeps exporting until stopped.
      clock.advance(60_000);
      const done = await scrape((m) => m.get('switchyard_batch_jobs_total{profile="research",status="completed"}') === 1);
      expect(Object.fromEntries(done)).toEqual({
        'switchyard_batch_queue_pending{profile="research"}': 0,
        'switchyard_batch_queue_oldest_pending_seconds{profile="research"}': 0,
        'switchyard_batch_requests_total{profile="research",outcome="completed"}': 3,
        'switchyard_batch_requests_total{profile="research",outcome="failed"}': 0,
        'switchyard_batch_jobs_total{profile="research",status="completed"}': 1,
      });
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/part-0001\.jsonl: batch_\w+ completed 3 completed, 0 failed of 3\n/);
    // The port is closed with the process.
    await expect(fetch(url)).rejects.toThrow();
  });

  it('the emulator command listens until stopped', async () => {
    const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), 'batch', 'emulator', '--port', '0', '--speed', '1000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1) \(time x1000, any API key\)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
      setTimeout(() => reject(new Error(`no listening line: ${out}`)), 60_000).unref();
    });
    const res = await fetch(`${url}/batches`, { headers: { authorization: 'Bearer anything' } });
    expect(await res.json()).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });
});
