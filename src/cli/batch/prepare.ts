import { Command } from 'commander';
import { join } from 'node:path';
import { prepare } from '../../batch/prepare/prepare.ts';
import { sourceText } from '../../batch/prepare/input.ts';
import { REIDENTIFY_DIR, REJECTS_FILE } from '../../batch/prepare/manifest.ts';
import { UserError, type Io } from '../context.ts';
import { bytesText, int, type PlanOpts, printJson, readPlan, requestCount, shown, usd, withPlanOption } from './shared.ts';

interface PrepareOpts extends PlanOpts {
  profile: string;
  input: string;
  out?: string;
  strict?: boolean;
  force?: boolean;
  workers?: string;
}

const SHOWN_REJECTS = 10;

export function prepareCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('prepare')
    .description(
      'turn a JSONL file (one request body or list of chat messages per line) or a directory of text files into Batch API input files: PII redacted per the profile, split within its limits, with a cost estimate; nothing leaves the machine',
    )
    .requiredOption('--profile <id>', 'batch profile of the plan')
    .requiredOption('--input <path>', 'JSONL file or directory of text files')
    .option('--out <dir>', 'where the prepared files go (default: batches/<profile>/<input name>)')
    .option('--strict', 'stop at the first bad line instead of skipping it into rejects.jsonl')
    .option('--force', 'replace an earlier prepared directory at --out')
    .option('--workers <n>', 'worker threads for a large JSONL input (default: one per core, at most 3, from 32 MB; 0: none)');
  return withPlanOption(cmd).action(async (opts: PrepareOpts) => {
    const plan = readPlan(opts.plan);
    const workers = opts.workers === undefined ? undefined : Number(opts.workers);
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64))
      throw new UserError('--workers must be a whole number from 0 to 64');
    const name = opts.input
      .replace(/\/+$/, '')
      .split('/')
      .pop()!
      .replace(/\.jsonl$/, '');
    const out = opts.out ?? join('batches', opts.profile, name);
    const r = await prepare({
      plan,
      profile: opts.profile,
      input: opts.input,
      out,
      strict: opts.strict,
      force: opts.force,
      ...(workers !== undefined ? { workers } : {}),
    });
    const m = r.manifest;
    // The directory as the user named it (or the default), not resolved.
    const at = out;
    if (opts.json) {
      printJson(io, { out: r.out, manifest: m, rejects: r.rejects });
      return done(0);
    }
    const lines: string[] = [];
    const total = m.parts.reduce((n, p) => n + p.bytes, 0);
    lines.push(
      `prepared ${requestCount(m.requests)} of profile ${m.profile} from ${shown(opts.input)} into ${shown(at)} (${m.parts.length} file${m.parts.length === 1 ? '' : 's'}, ${bytesText(total)})`,
    );
    for (const p of m.parts) lines.push(`  ${p.file}  ${requestCount(p.requests)}  ${bytesText(p.bytes)}`);
    if (m.rejected > 0) {
      lines.push(`rejected ${int(m.rejected)} record${m.rejected === 1 ? '' : 's'} (all in ${shown(join(at, REJECTS_FILE))}):`);
      for (const x of r.rejects.slice(0, SHOWN_REJECTS)) lines.push(`  ${sourceText(x.source)}: ${x.reason}`);
      if (m.rejected > SHOWN_REJECTS) lines.push(`  … and ${int(m.rejected - SHOWN_REJECTS)} more`);
    }
    const redacted = Object.entries(m.redactions);
    const profile = plan.batchProfiles[m.profile]!;
    if (!profile.redaction.enabled) lines.push('redaction: off for this profile');
    else
      lines.push(
        redacted.length === 0
          ? 'redacted: nothing found'
          : `redacted ${int(redacted.reduce((n, [, c]) => n + c, 0))} values: ${redacted.map(([k, c]) => `${k} ${int(c)}`).join(', ')}`,
      );
    if (m.reidentify) lines.push(`placeholder map kept for collect in ${shown(join(at, REIDENTIFY_DIR))}/ (never uploaded)`);
    const e = m.estimate;
    const pr = profile.pricing;
    lines.push(
      `estimate: ~${int(e.inputTokens)} input tokens, at most ${int(e.outputTokens)} output tokens (the requests' own limits${e.uncappedRequests ? `; ${int(e.uncappedRequests)} request${e.uncappedRequests === 1 ? ' sets none and is' : 's set none and are'} not counted` : ''})`,
    );
    lines.push(`  batch rate   ${usd(e.batchUsd).padStart(10)}  (${m.model} at $${pr.batch.inputPer1M} / $${pr.batch.outputPer1M} per 1M tokens)`);
    if (e.synchronousUsd !== null && pr.synchronous) {
      lines.push(
        `  synchronous  ${usd(e.synchronousUsd).padStart(10)}  (${pr.deployment} at $${pr.synchronous.inputPer1M} / $${pr.synchronous.outputPer1M} per 1M tokens)`,
      );
      const pct = e.synchronousUsd > 0 ? Math.round((e.savedUsd! / e.synchronousUsd) * 100) : 0;
      lines.push(`  saved        ${usd(e.savedUsd!).padStart(10)}  (${pct}%)`);
    }
    lines.push(`next: switchyard batch submit --dir ${shown(at)}`);
    io.stdout(`${lines.join('\n')}\n`);
    done(0);
  });
}
