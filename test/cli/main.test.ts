import { describe, expect, it } from 'vitest';
import { cli, cliProcess } from '../fixtures/cli.ts';

describe('switchyard (the binary)', () => {
  it('explains itself with --help, including exit codes', () => {
    const r = cliProcess(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['init', 'validate', 'compile', 'schema']) expect(r.stdout).toContain(cmd);
    expect(r.stdout).toMatch(/Exit codes/);
  });

  it('exits 2 on an unknown command or option, without a stack trace', () => {
    const r = cliProcess(['compiel']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
    const o = cliProcess(['compile', '--bogus']);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/unknown option/);
    expect(r.stderr + o.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('validates the reference policies', () => {
    const r = cliProcess(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid/);
  });

  it('reports a missing policy path with exit 2', () => {
    const r = cliProcess(['validate', '-p', 'no/such/dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policy-not-found/);
  });

  it('rejects an unknown --format with exit 2', async () => {
    const r = await cli('validate', '--format', 'xml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown --format/);
  });
});
