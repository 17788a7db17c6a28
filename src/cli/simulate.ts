/**
 * switchyard simulate: what the plan does under outages and load, in virtual
 * time, with the real router. Scenarios are built-ins or YAML/JSON files;
 * the report is a terminal table, JSON or a markdown section.
 *
 * Exit codes: 0 done (1 with --fail-on-slo when a scenario misses an SLO);
 * 2 for bad flags, unknown scenarios, scenario files with errors (reported
 * at file:line:col) or an unreadable plan.
 */
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { parsePath } from '../diagnostics/path.ts';
import { loadScenarioFile } from '../load/scenario-file.ts';
import { DURATION_PATTERN, durationMs } from '../model/duration.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { renderMarkdown } from '../simulate/render/markdown.ts';
import { renderTerminal } from '../simulate/render/terminal.ts';
import { GpuUnknownError } from '../simulate/roofline.ts';
import { SimulationTooLargeError } from '../simulate/run.ts';
import { builtinScenarios, type Scenario, ScenarioError } from '../simulate/scenario.ts';
import { type ScenarioFile, scenarioFromFile } from '../simulate/scenario-file.ts';
import { simulate } from '../simulate/simulate.ts';
import { EXIT, printDiagnostics, UserError, useColor, type Io } from './context.ts';
import { DEFAULT_PLAN, readPlanFile } from './plan-file.ts';

type Format = 'pretty' | 'json' | 'markdown';
const FORMATS: readonly Format[] = ['pretty', 'json', 'markdown'];
/** A day of simulated time is already ~8 million requests for the reference plan: longer is a typo. */
const MAX_DURATION_MS = 24 * 3_600_000;

interface SimulateFlags {
  plan: string;
  scenario: string[];
  duration: string;
  seed: number;
  replicas?: number;
  json?: boolean;
  format: string;
  failOnSlo?: boolean;
  debug?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

const wholeNumber = (flag: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < min || n > max) throw new UserError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
};

export function parseDurationFlag(flag: string, v: string, max = MAX_DURATION_MS): number {
  if (!DURATION_PATTERN.test(v)) throw new UserError(`${flag} must be a duration such as 30m, 1h or 90s, got ${JSON.stringify(v)}`);
  const ms = durationMs(v);
  if (ms <= 0 || ms > max) throw new UserError(`${flag} must be longer than 0 and at most ${max / 3_600_000}h, got ${v}`);
  return ms;
}

/** The question the simulator is for: what the plan does as it is, and with each provider lost in turn. */
export const DEFAULT_SCENARIOS = ['baseline', 'n-1'];

const isFile = (arg: string) => /\.(ya?ml|json)$/i.test(arg) || arg.includes('/') || existsSync(arg);

/** One Diagnostics block for a scenario file that does not hold: printed, then exit 2. */
class ScenarioFileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super('scenario file has errors');
  }
}

/** Built-in names and files, in the order given, each file checked against the plan. */
export function resolveScenarios(args: readonly string[], plan: CompiledPlan, runDurationMs: number): Scenario[] {
  const out: Scenario[] = [];
  for (const arg of args.length ? args : DEFAULT_SCENARIOS) {
    if (!isFile(arg)) {
      try {
        out.push(...builtinScenarios(arg, plan));
      } catch (e) {
        if (e instanceof ScenarioError) throw new UserError(e.message);
        throw e;
      }
      continue;
    }
    const loaded = loadScenarioFile(arg);
    if (loaded.diagnostics.length || loaded.value === undefined) throw new ScenarioFileError(loaded.diagnostics);
    const checked = scenarioFromFile(loaded.value as ScenarioFile, plan, runDurationMs);
    if (!checked.scenario) throw new ScenarioFileError(checked.diagnostics.map((d) => ({ ...d, source: d.source ?? loaded.locate!(parsePath(d.path)) })));
    out.push(checked.scenario);
  }
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(s.name) && seen.add(s.name));
}

export function simulateCommand(io: Io, done: (code: number) => void): Command {
  return new Command('simulate')
    .description(
      'simulate the plan in virtual time with the real router: traffic at peak, hosted providers, vLLM engines, outages; success, fallbacks, latency, 429s, GPU queueing, cost and SLOs per scenario',
    )
    .option('--plan <file>', 'compiled plan', DEFAULT_PLAN)
    .addOption(
      new Option(
        '-s, --scenario <name|file>',
        'scenario to run, repeatable: baseline, provider-down:<id>, pool-down:<id>, traffic:x<n>, state-store-down, n-1 (every provider down in turn), all (every built-in), or a .yaml/.json scenario file',
      )
        .argParser(collect)
        // An empty list means the defaults; the help says which, rather than "[]".
        .default([], 'baseline and n-1'),
    )
    .option('--duration <duration>', 'simulated time per scenario, at peak traffic (30m, 1h...)', '1h')
    .option('--seed <n>', 'random seed: the same seed gives the same report', wholeNumber('--seed', 0, 2 ** 32 - 1), 1)
    .option('--replicas <n>', 'router replicas (default 3 with shared router state, 1 with memory state)', wholeNumber('--replicas', 1, 64))
    .option('--json', 'the report as JSON on stdout (same as --format json)')
    .option('--format <format>', `output format: ${FORMATS.join(', ')} (a pull-request comment section)`, 'pretty')
    .option('--fail-on-slo', 'exit 1 when a scenario misses an SLO of the plan')
    .option('--debug', 'print stack traces for internal errors')
    .action(async (opts: SimulateFlags) => {
      const format: Format = opts.json ? 'json' : (FORMATS as readonly string[]).includes(opts.format) ? (opts.format as Format) : 'pretty';
      if (!opts.json && !(FORMATS as readonly string[]).includes(opts.format))
        throw new UserError(`unknown --format ${JSON.stringify(opts.format)}; use ${FORMATS.join(', ')}`);
      const runMs = parseDurationFlag('--duration', opts.duration);
      const plan = readPlanFile(opts.plan);
      let scenarios: Scenario[];
      try {
        scenarios = resolveScenarios(opts.scenario, plan, runMs);
      } catch (e) {
        if (!(e instanceof ScenarioFileError)) throw e;
        printDiagnostics(io, { format: 'pretty', color: useColor(process.env, Boolean(process.stderr.isTTY)), debug: false, verbose: true }, e.diagnostics);
        return done(EXIT.usage);
      }
      let report: Awaited<ReturnType<typeof simulate>>;
      try {
        report = await simulate(plan, scenarios, { durationMs: runMs, seed: opts.seed, ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}) });
      } catch (e) {
        if (e instanceof GpuUnknownError || e instanceof SimulationTooLargeError) throw new UserError(e.message);
        throw e;
      }
      if (format === 'json') io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else if (format === 'markdown') io.stdout(renderMarkdown(report));
      else io.stdout(renderTerminal(report, { color: useColor(process.env, Boolean(process.stdout.isTTY)) }));
      const missed = report.scenarios.some((s) => s.slos.some((slo) => slo.status === 'fail'));
      done(opts.failOnSlo && missed ? EXIT.policy : EXIT.ok);
    });
}
