/**
 * switchyard explain: how the router would route one request, and why. It
 * runs the router itself (same code path) over a dry-run transport: every
 * deployment answers at once, except those given with --down, which answer
 * 503, so the trace shows the retries, breakers and fallbacks they cause.
 */
import { Command } from 'commander';
import { createRouter, dryRunTransport, manualClock, renderTrace, seededRandom, type RouteResult } from '../runtime/index.ts';
import { EXIT, UserError, type Io } from './context.ts';
import { servablePlan } from '../runtime/servable.ts';
import { DEFAULT_PLAN, readPlanFile } from './plan-file.ts';

const count = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--${name} must be a whole number of tokens, got ${JSON.stringify(v)}`);
  return n;
};

function summary(r: RouteResult): string {
  const calls = r.trace.filter((a) => a.outcome !== 'skipped').length;
  const backoff = r.trace.reduce((s, a) => s + a.backoffMs, 0);
  const tail = `${calls} call${calls === 1 ? '' : 's'}${backoff ? `, ${backoff} ms of backoff` : ''}`;
  if (!r.ok) return `result: not routable (${tail})`;
  const step = r.trace.at(-1)!.step;
  return `result: ${r.deployment} in ${r.group}${step === 'primary' ? '' : ` (${step})`} (${tail})`;
}

export function explainCommand(io: Io, done: (code: number) => void): Command {
  return new Command('explain')
    .description('show how the router would route a request and why: each candidate, skip reason, retry and fallback step')
    .requiredOption('-m, --model <group>', 'model group (the public model name) to route to')
    .option('--plan <file>', 'compiled plan', DEFAULT_PLAN)
    .option('-t, --tenant <id>', 'tenant making the request (applies its allowed groups, limits and budget)')
    .option('--tokens <n>', "estimated input tokens (default: the group's mean input tokens, else 1000)", count('tokens'))
    .option('--max-output <n>', 'max output tokens (counts against context windows and token limits)', count('max-output'), 0)
    .option('--down <deployments>', 'comma-separated deployments that answer 503', '')
    .option('--seed <n>', 'seed for weighted choices', count('seed'), 1)
    .option('--json', 'machine-readable JSON on stdout')
    .option('--debug', 'print stack traces for internal errors')
    .action(async (opts: { model: string; plan: string; tenant?: string; tokens?: number; maxOutput: number; down: string; seed: number; json?: boolean }) => {
      const plan = readPlanFile(opts.plan);
      const group = plan.groups[opts.model];
      if (!group) throw new UserError(`unknown model group "${opts.model}" in ${opts.plan}; groups: ${Object.keys(plan.groups).sort().join(', ')}`);
      if (opts.tenant !== undefined && !plan.tenants[opts.tenant])
        throw new UserError(`unknown tenant "${opts.tenant}" in ${opts.plan}; tenants: ${Object.keys(plan.tenants).sort().join(', ') || '(none)'}`);
      const down = opts.down
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const d of down) if (!plan.deployments[d]) throw new UserError(`--down: unknown deployment "${d}" in ${opts.plan}`);
      const tokens = opts.tokens ?? group.traffic?.meanInputTokens ?? 1_000;

      // Routed as the gateway routes it: pass-through deployments (only LiteLLM calls them) are out.
      const served = servablePlan(plan);
      const note = served.unserved.find((u) => u.group === opts.model)?.message ?? null;
      const router = createRouter(served.plan, { clock: manualClock(), random: seededRandom(opts.seed), transport: dryRunTransport(down) });
      const request = {
        group: opts.model,
        ...(opts.tenant !== undefined ? { tenant: opts.tenant } : {}),
        estimatedInputTokens: tokens,
        maxOutputTokens: opts.maxOutput,
      };
      const result = await router.route(request);

      if (opts.json) {
        io.stdout(
          `${JSON.stringify(
            {
              plan: { name: plan.name, hash: plan.hash },
              request,
              down,
              unserved: note,
              ok: result.ok,
              group: result.group ?? null,
              deployment: result.deployment ?? null,
              trace: result.trace,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        const who = opts.tenant !== undefined ? `, tenant ${opts.tenant}` : '';
        io.stdout(
          `routing ${opts.model} (${group.strategy})${who}: ${tokens} input + ${opts.maxOutput} output tokens; plan ${plan.name} ${plan.hash.slice(0, 19)}\n`,
        );
        if (down.length) io.stdout(`down (answer 503): ${down.join(', ')}\n`);
        if (note !== null) io.stdout(`note: ${note}\n`);
        io.stdout(`\n${renderTrace(result.trace)}\n${summary(result)}\n`);
      }
      done(result.ok ? EXIT.ok : EXIT.policy);
    });
}
