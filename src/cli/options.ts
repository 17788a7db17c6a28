import type { Command } from 'commander';
import { resolveFormat, useColor, type GlobalOptions } from './context.ts';

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
  return cmd.option('-p, --policies <path>', 'policy directory (index.ts or policy.yaml inside) or policy file', DEFAULT_POLICIES);
}

export function globalOptions(opts: { json?: boolean; format?: string; debug?: boolean; verbose?: boolean }): GlobalOptions {
  return {
    verbose: Boolean(opts.verbose),
    format: resolveFormat(opts),
    color: useColor(process.env, Boolean(process.stderr.isTTY)),
    debug: Boolean(opts.debug),
  };
}
