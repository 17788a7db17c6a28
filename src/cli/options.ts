import type { Command } from 'commander';
import type { LoadOptions } from '../load/index.ts';
import { durationMs } from '../model/common.ts';
import { resolveFormat, UserError, useColor, type GlobalOptions } from './context.ts';

export const DEFAULT_POLICIES = 'policies';
export const DEFAULT_OUT = 'generated';

/** Options every command that prints Diagnostics accepts. */
export function withOutputOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'machine-readable JSON on stdout (same as --format json)')
    .option('--format <format>', 'output format: pretty, json or github (GitHub Actions annotations)', 'pretty')
    .option('--verbose', 'list every info note (what a target cannot express) instead of a count')
    .option('--debug', 'print stack traces for internal errors');
}

export function withPolicyOption(cmd: Command): Command {
  return cmd
    .option('-p, --policies <path>', 'policy directory (index.ts or policy.yaml inside) or policy file', DEFAULT_POLICIES)
    .option('--load-timeout <duration>', 'how long importing a TypeScript policy may take before it is stopped (e.g. 30s, 2m)', '30s');
}

/** The largest --load-timeout: a day is already more than any CI job waits. */
const MAX_LOAD_TIMEOUT_MS = 86_400_000;

/** How the loader runs a policy module, from the options of withPolicyOption. */
export function loadOptions(opts: { loadTimeout?: string }): LoadOptions {
  const text = opts.loadTimeout ?? '30s';
  const ms = /^[0-9]{1,9}(ms|s|m|h)$/.test(text) ? durationMs(text) : Number.NaN;
  if (!(ms >= 1 && ms <= MAX_LOAD_TIMEOUT_MS))
    throw new UserError(`--load-timeout ${JSON.stringify(text)} must be a duration from 1ms to 24h, such as 30s or 2m`);
  return { timeoutMs: ms };
}

export function globalOptions(opts: { json?: boolean; format?: string; debug?: boolean; verbose?: boolean }): GlobalOptions {
  return {
    verbose: Boolean(opts.verbose),
    format: resolveFormat(opts),
    color: useColor(process.env, Boolean(process.stderr.isTTY)),
    debug: Boolean(opts.debug),
  };
}
