/**
 * switchyard diff --base <git-ref | dir>: what a policy change does. Compiles
 * base and head, diffs the plans and the generated files, simulates baseline
 * and N-1 on both when routing changed, runs the risk rules on
 * {plan: head, base, diff, simulation} and prints a report with an overall
 * level; exit 1 when that level reaches --fail-on.
 *
 * Exit codes: 0 below --fail-on; 1 at or above it, or when the head policy
 * has errors (reported as level critical: a change that does not compile is
 * the worst change); 2 for a base that cannot be had or does not compile,
 * and for usage errors.
 */
import { Command } from 'commander';
import { renderGithub as renderDiagnosticsGithub } from '../diagnostics/render.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diffArtifacts } from '../diff/artifacts.ts';
import { resolveBase, type BaseSource } from '../diff/base.ts';
import { diffPlans } from '../diff/plan-diff.ts';
import { renderGithub } from '../diff/render/github.ts';
import { renderJson } from '../diff/render/json.ts';
import { MARKDOWN_MARKER, renderMarkdown } from '../diff/render/markdown.ts';
import { renderTerminal } from '../diff/render/terminal.ts';
import { buildReport, FAIL_ON_LEVELS, type DiffFinding, type FailOn } from '../diff/report.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { RulePackError } from '../risk/builtin-engine.ts';
import { compareSimulations, routingDiffers, type SimulationComparison } from '../simulate/compare.ts';
import { GpuUnknownError } from '../simulate/roofline.ts';
import { SimulationTooLargeError } from '../simulate/run.ts';
import { findingsToDiagnostics } from '../risk/findings.ts';
import { emitAll } from '../targets/index.ts';
import { withEngineOptions } from './check.ts';
import { EXIT, printDiagnostics, UserError, useColor, type Io } from './context.ts';
import { loadOptions, withPolicyOption } from './options.ts';
import { runPipeline } from './pipeline.ts';
import { parseDurationFlag } from './simulate.ts';
import { regoErrorDiagnostics } from './rego-diagnostics.ts';
import { loadEngine } from './risk-engine.ts';

type DiffFormat = 'pretty' | 'json' | 'markdown' | 'github';
const FORMATS: readonly DiffFormat[] = ['pretty', 'json', 'markdown', 'github'];

interface DiffOptions {
  base: string;
  head?: string;
  policies: string;
  loadTimeout?: string;
  rules?: string;
  engine?: string;
  bundle?: string;
  failOn: string;
  json?: boolean;
  format: string;
  linkBase?: string;
  simulate: boolean;
  simulateDuration: string;
  debug?: boolean;
}

/**
 * The window diff simulates per scenario and side: shorter than simulate's
 * default hour so the 2 x (1 + providers) runs keep diff quick, long enough
 * for breakers (60 s windows, 30 s cooldowns) and queues to act.
 */
export const DIFF_SIMULATION = '2m';
const DIFF_SEED = 1;

function parseFormat(o: DiffOptions): DiffFormat {
  if (o.json) return 'json';
  if ((FORMATS as readonly string[]).includes(o.format)) return o.format as DiffFormat;
  throw new UserError(`unknown --format ${JSON.stringify(o.format)}; use ${FORMATS.join(', ')}`);
}

function parseFailOn(s: string): FailOn {
  if ((FAIL_ON_LEVELS as readonly string[]).includes(s)) return s as FailOn;
  throw new UserError(`unknown --fail-on ${JSON.stringify(s)}; use ${FAIL_ON_LEVELS.join(', ')}`);
}

/** `file:line:col code: message`, for one-line errors about the base. */
function oneLine(d: Diagnostic, base: BaseSource): string {
  const at = d.source ? `${base.displayFile(d.source.file)}:${d.source.line}:${d.source.column}: ` : '';
  return `${at}${d.code}: ${d.message}`;
}

export function diffCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('diff').description(
    'compare the policies with a base (git revision or directory): plan and generated-file changes, risk findings and an overall level; exit 1 at --fail-on',
  );
  cmd.requiredOption('--base <ref|dir>', 'base to compare with: a git revision (main, HEAD~1, a sha) or a policy directory');
  cmd.option('--head <path>', 'head policy directory or file (default: the -p directory)');
  withPolicyOption(cmd);
  withEngineOptions(cmd);
  cmd
    .option('--fail-on <level>', `exit 1 when the overall level reaches this: ${FAIL_ON_LEVELS.join(', ')}`, 'high')
    .option('--json', 'the report as JSON on stdout (same as --format json)')
    .option('--format <format>', `output format: ${FORMATS.join(', ')} (a pull-request comment) or github (annotations)`, 'pretty')
    .option(
      '--link-base <url>',
      'with --format markdown: link findings to <url>/<file>#L<line>, e.g. https://github.com/org/repo/blob/<sha> (default in GitHub Actions and GitLab CI: the commit being checked)',
    )
    .option('--no-simulate', 'skip the simulated impact (baseline and N-1 on base and head, run by default when routing changed)')
    .option('--simulate-duration <duration>', 'simulated time per scenario and side', DIFF_SIMULATION)
    .option('--debug', 'print stack traces for internal errors');

  return cmd.action(async (opts: DiffOptions) => {
    const format = parseFormat(opts);
    const failOn = parseFailOn(opts.failOn);
    const simulateMs = parseDurationFlag('--simulate-duration', opts.simulateDuration);
    const headPath = opts.head ?? opts.policies;

    const base: BaseSource = await resolveBase(opts.base, headPath);

    const head = await runPipeline(headPath, { load: loadOptions(opts) });
    if (!head.plan) return done(reportHeadErrors(io, format, head.diagnostics, head.exitCode));

    const basePipeline = await runPipeline(base.entry, { load: loadOptions(opts) });
    if (!basePipeline.plan) {
      const errors = basePipeline.diagnostics.filter((d) => d.severity === 'error');
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      throw new UserError(`base ${base.label} does not compile: ${errors[0] ? oneLine(errors[0], base) : 'no policy'}${more}`);
    }
    const basePlan = basePipeline.plan;

    const diff = diffPlans(basePlan, head.plan, diffArtifacts(emitAll(basePlan), emitAll(head.plan)));

    const { simulation, simulationNote } = await simulatedImpact(opts.simulate, basePlan, head.plan, simulateMs);

    let findings: DiffFinding[];
    try {
      const engine = await loadEngine({ ...opts, policies: headPath });
      const raw = await engine.evaluate({ plan: head.plan, base: basePlan, diff, simulation });
      const located = await findingsToDiagnostics(raw, head.origins, (p) => head.load.locate(p));
      // findingsToDiagnostics maps one to one, in order.
      findings = located.map((d, i) => ({ ...d, level: raw[i]!.level, set: raw[i]!.set }));
    } catch (e) {
      if (!(e instanceof RulePackError)) throw e;
      return done(reportHeadErrors(io, format, regoErrorDiagnostics(e.errors), EXIT.policy));
    }

    const report = buildReport({
      diff,
      findings,
      failOn,
      base: { ref: base.label, commit: base.commit, planHash: basePlan.hash },
      head: { path: headPath, planHash: head.plan.hash },
      simulation,
      simulationNote,
    });

    if (format === 'json') io.stdout(renderJson(report));
    else if (format === 'markdown') {
      const linkBase = opts.linkBase ?? ciLinkBase(process.env);
      io.stdout(renderMarkdown(report, linkBase ? { linkBase } : {}));
    } else if (format === 'github') io.stdout(renderGithub(report));
    else io.stdout(renderTerminal(report, { color: useColor(process.env, Boolean(process.stdout.isTTY)) }));
    done(report.ok ? EXIT.ok : EXIT.policy);
  });
}

/** Baseline and N-1 on both plans when routing changed and simulation is on; otherwise why not. */
async function simulatedImpact(
  on: boolean,
  base: CompiledPlan,
  head: CompiledPlan,
  durationMs: number,
): Promise<{ simulation: SimulationComparison | null; simulationNote: string | null }> {
  if (!on) return { simulation: null, simulationNote: 'not simulated (--no-simulate)' };
  if (!routingDiffers(base, head)) return { simulation: null, simulationNote: 'not simulated: no change to routing, providers, pools, tenants or SLOs' };
  try {
    return { simulation: await compareSimulations(base, head, { durationMs, seed: DIFF_SEED }), simulationNote: null };
  } catch (e) {
    if (e instanceof GpuUnknownError || e instanceof SimulationTooLargeError) return { simulation: null, simulationNote: `not simulated: ${e.message}` };
    throw e;
  }
}

/**
 * Where CI's checkout can be browsed, for links from findings to policy lines
 * when --link-base is not given: GitHub Actions and GitLab CI name the server,
 * the project and the commit in their environment.
 */
export function ciLinkBase(env: NodeJS.ProcessEnv): string | undefined {
  const sha = env.SWITCHYARD_HEAD_SHA || undefined;
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && (sha ?? env.GITHUB_SHA))
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/blob/${sha ?? env.GITHUB_SHA}`;
  if (env.GITLAB_CI === 'true' && env.CI_PROJECT_URL && (sha ?? env.CI_COMMIT_SHA)) return `${env.CI_PROJECT_URL}/-/blob/${sha ?? env.CI_COMMIT_SHA}`;
  return undefined;
}

/**
 * The head does not compile (or its rules do not): the change is reported
 * as level critical with the errors, in the format asked for.
 */
function reportHeadErrors(io: Io, format: DiffFormat, diagnostics: Diagnostic[], exitCode: number): number {
  const errors = diagnostics.filter((d) => d.severity !== 'info');
  if (format === 'markdown') {
    const lines = [MARKDOWN_MARKER, '### ⛔ Switchyard policy diff: risk **critical**', '', 'The policies do not compile, so there is nothing to compare:', ''];
    for (const d of errors) lines.push(`- ${d.source ? `\`${d.source.file}:${d.source.line}\` ` : ''}${d.severity} \`${d.code}\`: ${d.message}`);
    io.stdout(`${lines.join('\n')}\n`);
  } else if (format === 'github') {
    io.stdout(renderDiagnosticsGithub(errors));
  } else {
    printDiagnostics(
      io,
      { format: format === 'json' ? 'json' : 'pretty', color: useColor(process.env, Boolean(process.stderr.isTTY)), debug: false, verbose: false },
      diagnostics,
      {
        level: 'critical',
        diff: null,
      },
    );
    if (format === 'pretty') io.stderr('Risk: CRITICAL (the policies do not compile)\n');
  }
  return exitCode === EXIT.ok ? EXIT.policy : exitCode;
}
