import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { diffArtifacts } from '../load/write.ts';
import { publishBundle } from '../publish/publish.ts';
import { readGenerated } from '../publish/source.ts';
import { DEFAULT_REDIS_PREFIX } from '../publish/target.ts';
import { emitAll } from '../targets/index.ts';
import { EXIT, printDiagnostics, UserError, type Io } from './context.ts';
import { DEFAULT_OUT, globalOptions, loadOptions, withPolicyOption } from './options.ts';
import { PREFIX_HELP, shortCommit, shortHash, targetOption } from './bundle-target.ts';
import { runPipeline } from './pipeline.ts';

function gitHead(dir: string): string | null {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: dir, encoding: 'utf8' });
  const sha = r.status === 0 ? r.stdout.trim() : '';
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

interface PublishOpts {
  to: string;
  from: string;
  policies: string;
  loadTimeout?: string;
  commit?: string;
  recompile: boolean;
  prefix: string;
  canary?: string;
  json?: boolean;
}

export function publishCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('publish')
    .description('pack generated/ into a new bundle version (manifest with plan hash, commit and the sha256 of every file) and make it current, atomically')
    .requiredOption('--to <target>', 'bundle directory or redis:// URL')
    .option('--from <dir>', 'compiled output to publish', DEFAULT_OUT)
    .option('--commit <sha>', 'commit to record (default: git rev-parse HEAD, or none outside git)')
    .option('--no-recompile', 'do not recompile the policies to check generated/ is up to date (only that it is complete)')
    .option('--prefix <prefix>', PREFIX_HELP, DEFAULT_REDIS_PREFIX)
    .option(
      '--canary <percent>',
      'publish as a canary on this share of requests (0-100, exclusive) instead of making it current: gateways serving the target with --bundle start it; see switchyard canary',
    )
    .option('--json', 'machine-readable JSON on stdout')
    .option('--debug', 'print stack traces for internal errors');
  withPolicyOption(cmd);
  return cmd.action(async (opts: PublishOpts) => {
    const target = targetOption(opts.to, opts.prefix);
    const canary = opts.canary === undefined ? undefined : Number(opts.canary);
    if (canary !== undefined && (!/^\d+(\.\d+)?$/.test(opts.canary!) || canary <= 0 || canary >= 100))
      throw new UserError(`--canary must be a number above 0 and below 100, got ${JSON.stringify(opts.canary)}`);
    if (opts.commit !== undefined && !/^\S+$/.test(opts.commit)) throw new UserError('--commit must be a non-empty word such as a commit sha');
    const files = await readGenerated(opts.from);

    if (opts.recompile) {
      // The same test as compile --check: what is published is what the policies compile to, byte for byte.
      const r = await runPipeline(opts.policies, { load: loadOptions(opts) });
      if (!r.plan) {
        printDiagnostics(io, globalOptions(opts), r.diagnostics, { published: false });
        if (!opts.json) io.stderr(`refusing to publish: ${opts.policies} does not compile\n`);
        return done(r.exitCode);
      }
      const drift = await diffArtifacts(opts.from, emitAll(r.plan));
      const stale = [
        ...drift.added.map((p) => `  missing   ${p}`),
        ...drift.changed.map((p) => `  differs   ${p}`),
        ...drift.removed.map((p) => `  stale     ${p}`),
      ];
      if (stale.length > 0) {
        throw new UserError(
          `refusing to publish: ${opts.from}/ is out of date with ${opts.policies}:\n${stale.map((l) => l.replace(/(\S+)$/, `${opts.from}/$1`)).join('\n')}\nrun: switchyard compile`,
          EXIT.policy,
        );
      }
    }

    const commit = opts.commit ?? gitHead(opts.from);
    const result = await publishBundle(target, files, { commit, ...(canary !== undefined ? { canary } : {}) });
    for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
    const m = result.manifest;
    const fileCount = Object.keys(m.files).length;
    if (opts.json) {
      io.stdout(
        `${JSON.stringify(
          {
            status: result.status,
            version: result.version,
            target: target.display,
            planName: m.planName,
            planHash: m.planHash,
            commit: m.commit,
            createdAt: m.createdAt,
            files: fileCount,
            current:
              canary !== undefined
                ? result.status === 'published'
                  ? result.previous
                  : result.current
                : result.status === 'published'
                  ? result.version
                  : result.current,
            ...(canary !== undefined ? { canary: { version: result.version, percent: canary, status: 'running' } } : {}),
            previous: result.status === 'published' ? result.previous : undefined,
          },
          null,
          2,
        )}\n`,
      );
      return done(EXIT.ok);
    }
    if (canary !== undefined) {
      const current = result.status === 'published' ? result.previous : result.current;
      io.stdout(
        `${result.status === 'published' ? `published ${result.version} to ${target.display}: ${fileCount} files, plan ${m.planName} ${shortHash(m.planHash)}, ${shortCommit(m.commit)}` : `already published as ${result.version}`}\n` +
          `canary: ${result.version} on ${canary}% of requests (current stays ${current ?? 'none'}); switchyard canary promote|abort --target ${target.display}\n`,
      );
      return done(EXIT.ok);
    }
    if (result.status === 'unchanged') {
      const note =
        result.current === result.version
          ? ' (current)'
          : ` (not current; current is ${result.current ?? 'none'}); to make it current: switchyard rollback --target ${target.display} --to ${result.version}`;
      io.stdout(`already published as ${result.version}${note}\n`);
      return done(EXIT.ok);
    }
    io.stdout(
      `published ${result.version} to ${target.display}: ${fileCount} files, plan ${m.planName} ${shortHash(m.planHash)}, ${shortCommit(m.commit)}\n` +
        `current: ${result.version}${result.previous ? ` (was ${result.previous})` : ''}\n`,
    );
    done(EXIT.ok);
  });
}
