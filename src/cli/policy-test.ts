/**
 * `switchyard policy test [PATH...]`: `opa test` for Rego suites. Loads
 * .rego files and data files from every PATH (the rule pack of the policy
 * directory when none is given), runs the test_* rules and reports as opa
 * test does. Exit codes are opa test's: 0 all passed, 1 a module, data file
 * or flag could not be used (the other modules' tests still run and are
 * reported), 2 a test failed, errored or was skipped.
 */
import { Command } from 'commander';
import { parseGoDuration } from '../rego/index.ts';
import { jsonReport, prettyReport, summary } from '../rego/tester/report.ts';
import { runTests } from '../rego/tester/runner.ts';
import { fromJSON } from '../rego/value.ts';
import { loadTestPaths, TestPathError } from '../risk/test-paths.ts';
import { UserError, type Io } from './context.ts';
import { DEFAULT_POLICIES } from './options.ts';
import { rulesDir } from './risk-engine.ts';

/** opa test's exit codes (not Switchyard's usual 2 for usage: here 2 means a test did not pass). */
export const TEST_EXIT = { ok: 0, load: 1, failed: 2 } as const;

interface TestOpts {
  policies: string;
  rules?: string;
  run?: string;
  verbose?: boolean;
  json?: boolean;
  format?: string;
  timeout: string;
  exitZeroOnSkipped?: boolean;
  allowNet?: boolean;
}

function timeoutMs(text: string): number {
  const ns = parseGoDuration(text);
  if (typeof ns !== 'bigint' || ns <= 0n) throw new UserError(`--timeout ${JSON.stringify(text)} is not a positive duration (e.g. 5s, 500ms)`, TEST_EXIT.load);
  return Number(ns / 1_000_000n);
}

function filterOf(run: string | undefined): RegExp | undefined {
  if (run === undefined) return undefined;
  try {
    return new RegExp(run);
  } catch {
    throw new UserError(`--run ${JSON.stringify(run)} is not a valid regular expression`, TEST_EXIT.load);
  }
}

const HELP = `
Loads every .rego file under each PATH, and data files named data.json,
data.yaml or data.yml, mounted at their directory's path below PATH (a data
file named on the command line is mounted at the root). Without PATH, the
risk rules of the policy directory (--rules, or risk/ beside -p) are tested.

Rules named test_* are tests; todo_test_* are skipped. A test passes when it
is true. A test with variables in its head, such as
  test_limits[name] if { some name, tc in cases; ... }
is reported per case. A module that does not parse or compile is reported
with its file:line on stderr; the other modules' tests still run.

Exit codes (as opa test):
  0  every test passed
  1  a module, data file, path or flag could not be used
  2  a test failed, errored, or was skipped (unless --exit-zero-on-skipped)
`;

export function policyCommand(io: Io, done: (code: number) => void): Command {
  const test = new Command('test')
    .description('run Rego tests (test_* rules) the way opa test does')
    .argument('[paths...]', '.rego files, data files or directories (default: the rule pack)')
    .option('-p, --policies <path>', 'policy directory whose risk/ rules to test when no PATH is given', DEFAULT_POLICIES)
    .option('--rules <dir>', 'risk rules directory to test when no PATH is given')
    .option('-r, --run <regex>', 'only tests whose full name (data.pkg.test_x) matches')
    .option('-v, --verbose', 'list passing tests and cases, and their print output')
    .option('--json', 'results as JSON (opa test --format json)')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--timeout <duration>', 'time limit for each test (Go duration)', '5s')
    .option('-z, --exit-zero-on-skipped', 'skipped tests do not make the exit code 2')
    .option('--allow-net', 'let http.send and net.lookup_ip_addr reach the network (off by default)')
    .option('--debug', 'print stack traces for internal errors')
    .addHelpText('after', HELP)
    .action(async (paths: string[], opts: TestOpts) => {
      const json = opts.json || opts.format === 'json';
      if (!json && opts.format !== 'pretty') throw new UserError(`unknown --format ${JSON.stringify(opts.format)}; use pretty or json`, TEST_EXIT.load);
      const filter = filterOf(opts.run);
      const limit = timeoutMs(opts.timeout);
      let inputs: Awaited<ReturnType<typeof loadTestPaths>>;
      try {
        inputs = await loadTestPaths(paths.length > 0 ? paths : [rulesDir(opts)]);
      } catch (e) {
        if (e instanceof TestPathError) throw new UserError(e.message, TEST_EXIT.load);
        throw e;
      }
      const run = runTests(inputs.modules, { data: fromJSON(inputs.data), ...(filter ? { filter } : {}), timeoutMs: limit, network: Boolean(opts.allowNet) });
      for (const e of run.moduleErrors) io.stderr(`${e.message}\n`);
      io.stdout(json ? jsonReport(run) : prettyReport(run, Boolean(opts.verbose)));
      const c = summary(run.results);
      if (run.moduleErrors.length > 0) return done(TEST_EXIT.load);
      const skippedFail = c.skip > 0 && !opts.exitZeroOnSkipped;
      done(c.fail > 0 || c.error > 0 || skippedFail ? TEST_EXIT.failed : TEST_EXIT.ok);
    });
  return new Command('policy').description('work with Rego policies: run their tests as opa test does').addCommand(test);
}
