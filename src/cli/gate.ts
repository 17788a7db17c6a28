import { Command } from 'commander';
import { evaluateGate, ready, type CriterionResult } from '../gate/evaluate.ts';
import { readPlanFile } from './plan-file.ts';
import { parsePromDuration, valueText } from '../observability/promql.ts';
import { CATEGORY_TITLES } from '../observability/readiness.ts';
import { redactUrl } from '../net/redact.ts';
import { EXIT, UserError, type Io } from './context.ts';
import { DEFAULT_OUT } from './options.ts';

const LABEL: Record<CriterionResult['status'], string> = { pass: 'PASS', fail: 'FAIL', 'no-data': 'NO DATA', error: 'ERROR' };

export function renderGate(planName: string, url: string, window: string | null, results: readonly CriterionResult[]): string {
  const lines = [`Readiness gate for plan ${planName} against ${url} (window: ${window ?? 'each criterion its own'})`];
  const idWidth = Math.max(...results.map((r) => r.id.length));
  let category = '';
  for (const r of results) {
    if (r.category !== category) {
      category = r.category;
      lines.push('', CATEGORY_TITLES[r.category]);
    }
    const value = r.value === null ? '-' : valueText(r.value, r.unit);
    const over = r.window ? ` over ${r.window}` : '';
    lines.push(`  ${LABEL[r.status].padEnd(7)}  ${r.id.padEnd(idWidth)}  ${value.padStart(10)}  (${r.threshold}${over})`);
    if (r.error) lines.push(`           ${r.error}`);
  }
  const count = (s: CriterionResult['status']) => results.filter((r) => r.status === s).length;
  lines.push(
    '',
    `${results.length} criteria: ${count('pass')} pass, ${count('fail')} fail, ${count('no-data')} no data` +
      (count('error') ? `, ${count('error')} error` : '') +
      ` -> ${ready(results) ? 'READY' : 'NOT READY'}`,
  );
  return `${lines.join('\n')}\n`;
}

export function gateCommand(io: Io, done: (code: number) => void): Command {
  return new Command('gate')
    .description(
      'evaluate the readiness gate (router health, performance, cost control, SLA compliance) against Prometheus; exit 0 only when every criterion passes',
    )
    .requiredOption('--prometheus <url>', 'base URL of the Prometheus server, e.g. http://prometheus:9090')
    .option('--window <duration>', 'measure every windowed criterion over this window (e.g. 30m) instead of its SLO window')
    .option('--plan <file>', 'compiled plan to read the criteria from', `${DEFAULT_OUT}/plan.json`)
    .option('--timeout <duration>', 'per-query timeout', '10s')
    .option('--json', 'machine-readable JSON on stdout')
    .action(async (opts: { prometheus: string; window?: string; plan: string; timeout: string; json?: boolean }) => {
      const windowMs = opts.window === undefined ? null : parsePromDuration(opts.window);
      if (windowMs === null && opts.window !== undefined)
        throw new UserError(`--window ${JSON.stringify(opts.window)} is not a duration such as 30m, 1h or 90s`);
      const timeoutMs = parsePromDuration(opts.timeout);
      if (timeoutMs === null) throw new UserError(`--timeout ${JSON.stringify(opts.timeout)} is not a duration such as 10s`);
      const shown = redactUrl(opts.prometheus);
      if (!/^https?:\/\//.test(opts.prometheus)) throw new UserError(`--prometheus must be an http(s) URL, got ${JSON.stringify(shown)}`);
      const plan = readPlanFile(opts.plan);
      const results: CriterionResult[] = await evaluateGate(plan, opts.prometheus, { windowMs, timeoutMs });
      const ok = ready(results);
      if (opts.json)
        io.stdout(
          `${JSON.stringify(
            { plan: plan.name, planHash: plan.hash, prometheus: shown, window: opts.window ?? null, ready: ok, criteria: results },
            null,
            2,
          )}\n`,
        );
      else io.stdout(renderGate(plan.name, shown, opts.window ?? null, results));
      done(ok ? EXIT.ok : EXIT.policy);
    });
}
