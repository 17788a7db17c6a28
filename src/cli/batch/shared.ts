/** What the batch subcommands share: the plan they read, the journal and client options, number formatting. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { ClientOptions } from '../../batch/client.ts';
import { Journal } from '../../batch/journal.ts';
import { type RunnerContext, runnerContext } from '../../batch/runner.ts';
import { parsePlan } from '../../plan/read.ts';
import type { CompiledPlan } from '../../plan/types.ts';
import { SECRET_REF_PATTERN } from '../../model/common.ts';
import { UserError, type Io } from '../context.ts';
import { DEFAULT_OUT } from '../options.ts';

const DEFAULT_STATE = '.switchyard/batch';

export interface PlanOpts {
  plan: string;
  debug?: boolean;
  json?: boolean;
}

export interface RunnerOpts extends PlanOpts {
  state: string;
  baseUrl?: string;
  apiKeyRef?: string;
}

export function withPlanOption(cmd: Command): Command {
  return cmd
    .option('--plan <file>', 'compiled plan to read the batch profiles from', `${DEFAULT_OUT}/plan.json`)
    .option('--json', 'machine-readable JSON on stdout')
    .option('--debug', 'print stack traces for internal errors');
}

export function withRunnerOptions(cmd: Command): Command {
  return withPlanOption(cmd)
    .option('--state <dir>', 'journal directory (which batches exist for which files)', DEFAULT_STATE)
    .option('--base-url <url>', "Batch API base URL instead of the profile provider's apiBase (e.g. the emulator's)")
    .option('--api-key-ref <ref>', "secret reference of the API key instead of the provider's (env:NAME or vault:path#field; never the key itself)");
}

export function readPlan(file: string): CompiledPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`cannot read ${file}; run switchyard compile first or pass --plan`);
  }
  try {
    return parsePlan(text);
  } catch (e) {
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
}

function clientOptions(opts: RunnerOpts): ClientOptions {
  if (opts.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(opts.baseUrl))
    throw new UserError(`--base-url must be an http(s) URL, got ${JSON.stringify(opts.baseUrl)}`);
  if (opts.apiKeyRef !== undefined && !SECRET_REF_PATTERN.test(opts.apiKeyRef))
    throw new UserError('--api-key-ref must be a secret reference (env:NAME or vault:path#field), never the key itself');
  return { ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}), ...(opts.apiKeyRef ? { apiKeyRef: opts.apiKeyRef } : {}) };
}

export async function openRunner(io: Io, opts: RunnerOpts): Promise<RunnerContext> {
  const plan = readPlan(opts.plan);
  const journal = await Journal.open(opts.state);
  return runnerContext({ plan, journal, client: clientOptions(opts), log: opts.json ? () => {} : (l) => io.stderr(`${l}\n`) });
}

export const int = (n: number) => n.toLocaleString('en-US');

/** `1 request`, `2 requests`. */
export const requestCount = (n: number) => `${int(n)} request${n === 1 ? '' : 's'}`;

export function bytesText(n: number): string {
  if (n < 1_000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)} kB`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1)} MB`;
  return `${(n / 1_000_000_000).toFixed(2)} GB`;
}

/** Dollars with enough digits that small batches do not print as $0.00. */
export function usd(n: number): string {
  if (n === 0) return '$0';
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toPrecision(3)}`;
}

/** A path or id from outside as it may be printed: quoted when it holds anything but plain characters. */
export function shown(s: string): string {
  return /^[\w./@:+-]+$/.test(s) ? s : JSON.stringify(s);
}

export function printJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
