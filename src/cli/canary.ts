/**
 * switchyard canary status|promote|abort --target: the canary record of a
 * publish target, for people. Gateways following the target (serve
 * --bundle) act on it within their poll: promote makes the canary version
 * current (verified, as rollback does) and marks it promoted; abort marks it
 * aborted, and the gateways drop the canary. A canary the gateway rolled
 * back on its own shows here with the gateway's reason.
 */
import { Command } from 'commander';
import { type CanaryRecord, readCanaryRecord, writeCanaryRecord } from '../publish/canary.ts';
import { rollbackBundle } from '../publish/rollback.ts';
import { DEFAULT_REDIS_PREFIX, type Target } from '../publish/target.ts';
import { PREFIX_HELP, targetOption } from './bundle-target.ts';
import { EXIT, type Io, UserError } from './context.ts';

interface CanaryOpts {
  target: string;
  prefix: string;
  json?: boolean;
}

const describe = (r: CanaryRecord) =>
  `canary ${r.version} on ${r.percent}% of requests: ${r.status}${r.reason === null ? '' : ` (${r.reason})`}, since ${r.at}`;

async function running(target: Target, verb: string): Promise<CanaryRecord> {
  const r = await readCanaryRecord(target);
  if (r === null) throw new UserError(`no canary on ${target.display}: nothing to ${verb}`, EXIT.policy);
  if (r.status !== 'running') throw new UserError(`the canary ${r.version} on ${target.display} is not running (${r.status}): nothing to ${verb}`, EXIT.policy);
  return r;
}

function sub(name: string, description: string, io: Io, done: (code: number) => void, act: (target: Target) => Promise<CanaryRecord | null>): Command {
  return new Command(name)
    .description(description)
    .requiredOption('--target <target>', 'bundle directory or redis:// URL that switchyard publish wrote')
    .option('--prefix <prefix>', PREFIX_HELP, DEFAULT_REDIS_PREFIX)
    .option('--json', 'machine-readable JSON on stdout')
    .option('--debug', 'print stack traces for internal errors')
    .action(async (opts: CanaryOpts) => {
      const target = targetOption(opts.target, opts.prefix);
      const r = await act(target);
      if (opts.json) io.stdout(`${JSON.stringify({ target: target.display, canary: r }, null, 2)}\n`);
      else io.stdout(r === null ? `no canary on ${target.display}\n` : `${describe(r)}\n`);
      done(EXIT.ok);
    });
}

export function canaryCommand(io: Io, done: (code: number) => void): Command {
  return new Command('canary')
    .description('show, promote or abort the canary of a publish target (gateways serving it with --bundle follow)')
    .addCommand(
      sub('status', 'print the canary record: version, share, running / rolled-back / promoted / aborted and why', io, done, (t) => readCanaryRecord(t)),
    )
    .addCommand(
      sub('promote', 'make the running canary version current (verified) and mark the canary promoted', io, done, async (t) => {
        const r = await running(t, 'promote');
        await rollbackBundle(t, r.version);
        const next: CanaryRecord = { ...r, status: 'promoted', reason: null, at: new Date().toISOString() };
        await writeCanaryRecord(t, next);
        return next;
      }),
    )
    .addCommand(
      sub('abort', 'stop the running canary: every request goes to the current version', io, done, async (t) => {
        const r = await running(t, 'abort');
        const next: CanaryRecord = { ...r, status: 'aborted', reason: 'aborted with switchyard canary abort', at: new Date().toISOString() };
        await writeCanaryRecord(t, next);
        return next;
      }),
    );
}
