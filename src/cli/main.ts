/**
 * The switchyard command. Each command lives in its own file and reports an
 * exit code through `done`; this file owns process exit and turns thrown
 * errors into one-line messages (stack traces only with --debug).
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { SwitchyardError } from '../errors.ts';
import { prewarmPolicyWorker } from '../load/load-ts.ts';
import { EXIT, processIo, type Io } from './context.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP_FOOTER = `
Exit codes:
  0  success
  1  policy errors, failed checks or drift (compile --check)
  2  usage errors or unreadable input
  3  internal error (re-run with --debug and report it)

Environment:
  NO_COLOR      disable colours

Examples:
  switchyard init [dir]                 scaffold a policy repository (package.json, tsconfig, policies/, CI workflow)
  switchyard import litellm config.yaml turn an existing LiteLLM config into policies/
  switchyard validate --typecheck       schema, semantic and TypeScript checks
  switchyard compile                    write generated/ from policies/
  switchyard compile --check            fail when generated/ is out of date (for CI)
  switchyard check                      validate and run the Rego risk rules
  switchyard diff --base main           what a change does: plan diff, risk findings, level
  switchyard policy test [PATH...]      run Rego tests as opa test does (default: the risk rules)
  switchyard validate --format github   annotations for GitHub Actions
  switchyard simulate -s n-1            every provider down in turn, in virtual time, against the SLOs
  switchyard gate --prometheus URL      readiness gate against a Prometheus server
  switchyard publish --to DIR|redis://  publish generated/ as a new bundle version
  switchyard rollback --target T --to V make an earlier bundle version current
  switchyard serve --port 4000          run the OpenAI-compatible gateway over generated/plan.json
  switchyard batch prepare --profile P --input F   redact and split a batch input, with a cost estimate
`;

type CommandFactory = (io: Io, done: (code: number) => void) => Command;

/**
 * Every command, by name, with the module that defines it. A command's
 * module (and what it imports: the Rego engine, ioredis, handlebars...) is
 * loaded only when that command runs, so `switchyard compile` does not pay
 * for `switchyard publish`.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<CommandFactory>]> = [
  ['init', async () => (await import('./init.ts')).initCommand],
  ['import', async () => (await import('./import.ts')).importCommand],
  ['validate', async () => (await import('./validate.ts')).validateCommand],
  ['compile', async () => (await import('./compile.ts')).compileCommand],
  ['check', async () => (await import('./check.ts')).checkCommand],
  ['diff', async () => (await import('./diff.ts')).diffCommand],
  ['capacity', async () => (await import('./capacity.ts')).capacityCommand],
  ['explain', async () => (await import('./explain.ts')).explainCommand],
  ['simulate', async () => (await import('./simulate.ts')).simulateCommand],
  ['gate', async () => (await import('./gate.ts')).gateCommand],
  ['schema', async () => (await import('./schema.ts')).schemaCommand],
  ['policy', async () => (await import('./policy-test.ts')).policyCommand],
  ['publish', async () => (await import('./publish.ts')).publishCommand],
  ['rollback', async () => (await import('./rollback.ts')).rollbackCommand],
  ['bundles', async () => (await import('./bundles.ts')).bundlesCommand],
  ['serve', async () => (await import('./serve.ts')).serveCommand],
  ['canary', async () => (await import('./canary.ts')).canaryCommand],
  ['batch', async () => (await import('./batch.ts')).batchCommand],
];

/** Commands that import a policy: they start the import's worker thread before loading their own modules. */
const POLICY_COMMANDS = new Set(['validate', 'compile', 'check', 'diff', 'capacity', 'publish']);

/** The program with every command, or only `only` when it names one (what `run` uses to start fast). */
export async function buildProgram(io: Io, done: (code: number) => void, only?: string): Promise<Command> {
  const program = new Command('switchyard')
    .description('Policy-as-code for LLM model routing and batching: validate policies/ and compile them into LiteLLM, vLLM, Prometheus, SQL and runbooks')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run switchyard --help for usage)')
    .addHelpText('after', HELP_FOOTER)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const chosen = COMMANDS.some(([name]) => name === only) ? COMMANDS.filter(([name]) => name === only) : COMMANDS;
  // One at a time: two command modules loading the same modules concurrently through jiti can see one
  // of them half-evaluated (a value imported before its module finished), which --help would hit.
  for (const [, load] of chosen) {
    const make = await load();
    program.addCommand(make(io, done).exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }));
  }
  return program;
}

/** Runs the CLI and resolves to its exit code; never throws. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const debug = argv.includes('--debug');
  if (POLICY_COMMANDS.has(argv[0] ?? '') && !argv.includes('--help') && !argv.includes('-h')) prewarmPolicyWorker();
  try {
    const program = await buildProgram(
      io,
      (c) => {
        code = c;
      },
      argv[0],
    );
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successful exits; everything else is a usage error
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    // Every error a user can cause carries its exit code; the rest are bugs.
    if (e instanceof SwitchyardError) {
      io.stderr(`switchyard: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.stderr(debug ? `${err.stack ?? err}\n` : `switchyard: internal error: ${err.message}\n(run with --debug for the stack trace)\n`);
    return EXIT.internal;
  }
}
