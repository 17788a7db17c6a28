import { Command } from 'commander';
import { RulePackError } from '../risk/builtin-engine.ts';
import { runRegoTests, type TestResult } from '../risk/policy-test.ts';
import { readRulePack } from '../risk/rule-pack.ts';
import { EXIT, printDiagnostics, UserError, type Io } from './context.ts';
import { DEFAULT_POLICIES, globalOptions } from './options.ts';
import { regoErrorDiagnostics } from './rego-diagnostics.ts';
import { rulesDir } from './risk-engine.ts';

function line(t: TestResult): string {
  const where = `${t.location.file}:${t.location.row}`;
  const label = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' }[t.status];
  return `${label} ${t.path} (${where}) ${t.durationMs.toFixed(1)}ms${t.error ? `\n  ${t.error}` : ''}${t.output.map((o) => `\n  print: ${o}`).join('')}`;
}

export function policyCommand(io: Io, done: (code: number) => void): Command {
  const test = new Command('test')
    .description('run the test_* rules of the risk rule pack, as opa test does')
    .option('-p, --policies <path>', 'policy directory', DEFAULT_POLICIES)
    .option('--rules <dir>', 'risk rules directory (default: risk/ in the policy directory)')
    .option('--run <regex>', 'only tests whose path matches')
    .option('-v, --verbose', 'list passing tests too')
    .option('--json', 'machine-readable results')
    .option('--debug', 'print stack traces for internal errors')
    .action(async (opts: { policies: string; rules?: string; run?: string; verbose?: boolean; json?: boolean; debug?: boolean }) => {
      const g = globalOptions(opts);
      let filter: RegExp | undefined;
      try {
        filter = opts.run ? new RegExp(opts.run) : undefined;
      } catch {
        throw new UserError(`--run ${JSON.stringify(opts.run)} is not a valid regular expression`);
      }
      let results: TestResult[];
      try {
        const pack = await readRulePack(rulesDir(opts));
        results = runRegoTests([...pack.rules, ...pack.tests], filter);
      } catch (e) {
        if (e instanceof RulePackError) {
          printDiagnostics(io, g, regoErrorDiagnostics(e.errors));
          return done(EXIT.policy);
        }
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`no risk rules in ${rulesDir(opts)}`);
        throw e;
      }
      const counts = { pass: 0, fail: 0, error: 0 };
      for (const r of results) counts[r.status]++;
      if (opts.json) io.stdout(`${JSON.stringify({ ok: counts.fail + counts.error === 0, summary: counts, tests: results }, null, 2)}\n`);
      else {
        for (const r of results) if (opts.verbose || r.status !== 'pass') io.stdout(`${line(r)}\n`);
        io.stdout(
          `${'-'.repeat(40)}\nPASS: ${counts.pass}/${results.length}${counts.fail ? `\nFAIL: ${counts.fail}/${results.length}` : ''}${counts.error ? `\nERROR: ${counts.error}/${results.length}` : ''}\n`,
        );
      }
      done(counts.fail + counts.error === 0 && results.length > 0 ? EXIT.ok : EXIT.policy);
    });
  return new Command('policy').description('work with the Rego risk rule pack').addCommand(test);
}
