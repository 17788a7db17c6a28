import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.ts';
import { EXIT, SwitchyardError } from '../src/errors.ts';
import { OutputDirError } from '../src/load/write.ts';
import { BundleIntegrityError } from '../src/publish/bundle.ts';
import { SourceError } from '../src/publish/source.ts';

describe('SwitchyardError', () => {
  it('carries a code, an exit code (usage by default) and the cause', () => {
    const cause = new Error('EACCES');
    const e = new SwitchyardError('cannot write', 'output-dir', { cause });
    expect([e.code, e.exitCode, e.cause, e.name, e.message]).toEqual(['output-dir', EXIT.usage, cause, 'SwitchyardError', 'cannot write']);
  });

  it('is the base of the domain errors, each with its own exit code', () => {
    const cases: [SwitchyardError, string, number][] = [
      [new OutputDirError('x'), 'output-dir', EXIT.usage],
      [new BundleIntegrityError('plan.json differs'), 'bundle-integrity', EXIT.policy],
      [new SourceError('stale', false), 'generated-stale', EXIT.policy],
      [new SourceError('missing', true), 'generated-missing', EXIT.usage],
    ];
    for (const [e, code, exit] of cases) {
      expect(e).toBeInstanceOf(SwitchyardError);
      expect([e.code, e.exitCode, e.name]).toEqual([code, exit, e.constructor.name]);
    }
  });

  it('is mapped to its exit code and one line by the CLI, in one place', async () => {
    const out: string[] = [];
    const code = await run(['bundles', '--target', 'ftp://example.com/x'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s) });
    expect(code).toBe(EXIT.usage);
    expect(out.join('')).toMatch(/^switchyard: [^\n]*ftp[^\n]*\n$/);
  });
});
