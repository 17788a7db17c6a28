/**
 * `switchyard import litellm CONFIG`: a LiteLLM proxy config (and the vLLM
 * launch configs of its hosted_vllm deployments) -> a policies/ folder.
 * Reading, mapping and checking are src/import/ (pure); this file reads
 * the inputs with a size limit, prints, and writes all files or none.
 */
import { Command } from 'commander';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import { importLitellm } from '../import/litellm.ts';
import { type GpuSpec, parseGpuSpec, parseVllmSpec, type VllmSource } from '../import/vllm.ts';
import { writeFilesAllOrNothing } from '../load/write.ts';
import { Id } from '../model/common.ts';
import { EXIT, printDiagnostics, UserError, type Io } from './context.ts';
import { globalOptions, withOutputOptions } from './options.ts';

/** A LiteLLM config of thousands of deployments is well under this; anything larger is not a config. */
const MAX_INPUT_BYTES = 4 * 1024 * 1024;

async function readInput(file: string, what: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UserError(`cannot read ${what} ${file}: not a file`);
    if (info.size > MAX_INPUT_BYTES) throw new UserError(`cannot read ${what} ${file}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    handle = await open(file, 'r');
    const buf = Buffer.alloc(Math.min(info.size, MAX_INPUT_BYTES) + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_INPUT_BYTES) throw new UserError(`cannot read ${what} ${file}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    await handle?.close();
  }
}

const fileKind = (p: string): Promise<'none' | 'file' | 'other'> =>
  stat(p).then(
    (s) => (s.isFile() ? 'file' : 'other'),
    () => 'none',
  );

const collect = (value: string, previous: string[] = []) => [...previous, value];

const HELP = `
Writes, in the layout of \`switchyard init\`:
  OUT/index.ts       definePolicy: name, and the parts below
  OUT/providers.ts   one provider per (kind, api_base, api_version, api_key)
  OUT/routing.ts     deployments, model groups (strategy, retries, timeouts, fallbacks,
                     context-window fallbacks), circuit breaker, router state (Redis)
  OUT/gpu-pools.ts   GPU pools and their models, when --vllm configs are given

Secrets are never copied: os.environ/NAME becomes env:NAME, a literal key becomes
an env: reference with a generated name and a warning at its line. What has no
equivalent (callbacks, guardrails, caching, key management, unknown keys) is a
warning at its line and a comment at the top of the file it belongs to. The
imported policy is compiled before anything is written: any error (and
nothing is written) or any setting that would compile differently (a warning)
is reported at the line of the input.

Examples:
  switchyard import litellm config.yaml
  switchyard import litellm config.yaml --out policies --name prod
  switchyard import litellm config.yaml --vllm pool-a=serve-8b.yaml --vllm 'pool-a+pool-b=70b.args.json' \\
      --gpu 'RTX 5090:32' --gpu 'pool-c=RTX 3090:24'
`;

interface Opts {
  out: string;
  name: string;
  vllm?: string[];
  gpu?: string[];
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
  format?: string;
  debug?: boolean;
  verbose?: boolean;
}

export function importCommand(io: Io, done: (code: number) => void): Command {
  const litellm = new Command('litellm')
    .description('turn a LiteLLM proxy config (and vLLM launch configs) into a policies folder')
    .argument('<config>', 'LiteLLM proxy config (YAML)')
    .option('-o, --out <dir>', 'folder to write the policy into', 'policies')
    .option('--name <name>', "the policy's name", 'litellm')
    .option(
      '--vllm <spec>',
      'vLLM launch config of a hosted_vllm server: [POOL[+POOL...]=]FILE (vllm serve YAML, JSON argument list or command line); repeatable',
      collect,
    )
    .option('--gpu <spec>', 'GPU of the pools: [POOL=]MODEL:VRAM_GB[xCOUNT], e.g. "RTX 4090:24"; repeatable', collect)
    .option('--force', 'overwrite policy files that already exist')
    .option('--dry-run', 'check and report, write nothing')
    .addHelpText('after', HELP)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  withOutputOptions(litellm);
  litellm.action(async (config: string, opts: Opts) => {
    const g = globalOptions(opts);
    if (opts.name.trim() === '' || opts.name.length > 200) throw new UserError('--name must be 1 to 200 characters');
    const gpus: GpuSpec[] = (opts.gpu ?? []).map((s) => {
      const parsed = parseGpuSpec(s);
      if (typeof parsed === 'string') throw new UserError(parsed);
      return parsed;
    });
    const vllm: VllmSource[] = [];
    for (const spec of opts.vllm ?? []) {
      const { pools, file } = parseVllmSpec(spec);
      for (const p of pools)
        if (!Id.safeParse(p).success) throw new UserError(`--vllm ${JSON.stringify(spec)}: pool ids are lowercase letters, digits, ".", "_" or "-"`);
      vllm.push({ pools, file, text: await readInput(file, 'vLLM config') });
    }
    const text = await readInput(config, 'LiteLLM config');
    const result = importLitellm(text, { name: opts.name, file: config, vllm, gpus });
    const unreadable = result.diagnostics.some((d) => d.code === 'syntax-error');
    const summary = result.draft && {
      providers: result.draft.policy.providers.length,
      deployments: result.draft.policy.deployments.length,
      modelGroups: result.draft.policy.modelGroups.length,
      gpuPools: result.draft.policy.gpuPools.length,
    };
    if (!result.files || hasErrors(result.diagnostics)) {
      printDiagnostics(io, g, result.diagnostics, { written: [] });
      if (g.format === 'pretty') io.stderr('nothing written\n');
      return done(unreadable ? EXIT.usage : EXIT.policy);
    }
    const targets = result.files.map((f) => ({ ...f, to: join(opts.out, f.path) }));
    if (!opts.dryRun) {
      const clash: string[] = [];
      for (const t of targets) {
        const kind = await fileKind(t.to);
        // Not even --force replaces a directory: a rename onto it would fail after other files were already in place.
        if (kind === 'other') throw new UserError(`${t.to} exists and is not a file; nothing written`);
        if (kind === 'file' && !opts.force) clash.push(t.to);
      }
      if (clash.length > 0) throw new UserError(`${opts.out} already has ${clash.join(', ')}; nothing written (use --force to overwrite)`);
      try {
        await writeFilesAllOrNothing(opts.out, result.files);
      } catch (e) {
        throw new UserError(`cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; nothing written`);
      }
    }
    const written = opts.dryRun ? [] : targets.map((t) => t.to);
    printDiagnostics(io, g, result.diagnostics, { written, summary });
    if (g.format === 'pretty') {
      const s = summary!;
      const what = `${s.providers} providers, ${s.deployments} deployments, ${s.modelGroups} model groups, ${s.gpuPools} GPU pools`;
      io.stdout(
        opts.dryRun
          ? `would write ${targets.length} files to ${opts.out}/ (${what}); nothing written (--dry-run)\n`
          : `wrote ${opts.out}/ (${targets.map((t) => t.path).join(', ')}): ${what} from ${config}\n` +
              `next: review the comments, then run\n  switchyard validate -p ${opts.out}\n  switchyard compile -p ${opts.out}\n`,
      );
    }
    done(EXIT.ok);
  });
  return new Command('import').description('turn an existing setup into policies: switchyard import litellm CONFIG').addCommand(litellm);
}
