/**
 * The `npx switchyard ...` command lines of a pipeline's shell scripts, and
 * their check against the real CLI: the commander program built by
 * buildProgram (subcommands, long and short options, which take a value) and
 * the text of `switchyard <subcommand> --help` from the real bin.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { REPO } from '../fixtures/workspace.ts';

/** The subcommands the pipelines may call: what the README and the CI/CD issue name. */
export const PIPELINE_SUBCOMMANDS = ['validate', 'check', 'compile', 'diff', 'publish', 'rollback', 'gate', 'bundles'] as const;

export interface SwitchyardCall {
  /** Where it was found, e.g. `jobs.pull-request.steps[3]`. */
  where: string;
  line: string;
  subcommand: string;
  args: string[];
}

const STOP = new Set(['>', '>>', '2>', '2>&1', '|', '||', '&&', ';', '<', ')', '&']);

/** Shell words of one line (quotes removed, variables kept as written), up to the first operator. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    if (/[>|;&<)]/.test(ch)) {
      if (ch === '>' && /^\d$/.test(cur)) inWord = false; // 2> is a redirection, not an argument
      break; // an operator (outside quotes) ends the command
    }
    cur += ch;
    inWord = true;
  }
  if (inWord && !quote) words.push(cur);
  const end = words.findIndex((w) => STOP.has(w) || /^\d?>/.test(w));
  return end < 0 ? words : words.slice(0, end);
}

/** Every `npx switchyard ...` in a script, one per occurrence. */
export function switchyardCalls(where: string, script: string): SwitchyardCall[] {
  const calls: SwitchyardCall[] = [];
  for (const line of script.split('\n')) {
    let from = 0;
    for (;;) {
      const i = line.indexOf('npx switchyard', from);
      if (i < 0) break;
      const words = shellWords(line.slice(i + 'npx switchyard'.length));
      calls.push({ where, line: line.trim(), subcommand: words[0] ?? '', args: words.slice(1) });
      from = i + 1;
    }
  }
  return calls;
}

/** The CLI's commander program (buildProgram may build it synchronously or not). */
export async function program(): Promise<Command> {
  return await Promise.resolve(buildProgram({ stdout: () => {}, stderr: () => {} }, () => {}));
}

export async function registeredSubcommands(): Promise<Set<string>> {
  return new Set((await program()).commands.map((c) => c.name()));
}

/** Problems of one call against the commander program: unknown subcommand or option, a missing option value, extra arguments. */
export function checkCall(call: SwitchyardCall, prog: Command): string[] {
  const cmd = prog.commands.find((c) => c.name() === call.subcommand);
  if (!cmd) return [`${call.where}: unknown subcommand "${call.subcommand}" in: ${call.line}`];
  const problems: string[] = [];
  const options = cmd.options as readonly Option[];
  const byFlag = new Map<string, Option>();
  for (const o of options) {
    if (o.long) byFlag.set(o.long, o);
    if (o.short) byFlag.set(o.short, o);
  }
  let positional = 0;
  for (let i = 0; i < call.args.length; i++) {
    const arg = call.args[i]!;
    if (!arg.startsWith('-')) {
      positional++;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const opt = byFlag.get(flag!);
    if (!opt) {
      problems.push(`${call.where}: switchyard ${call.subcommand} has no option ${flag} (in: ${call.line})`);
      continue;
    }
    if (opt.required && inline === undefined) {
      const value = call.args[i + 1];
      if (value === undefined || value.startsWith('-'))
        problems.push(`${call.where}: ${flag} of switchyard ${call.subcommand} needs a value (in: ${call.line})`);
      else i++;
    }
  }
  if (positional > cmd.registeredArguments.length)
    problems.push(`${call.where}: switchyard ${call.subcommand} takes ${cmd.registeredArguments.length} arguments, got ${positional} (in: ${call.line})`);
  return problems;
}

/** `switchyard <subcommand> --help` from the real bin, as a user's runner would run it. */
export function helpText(subcommand: string): string {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/switchyard.mjs'), subcommand, '--help'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.status !== 0) throw new Error(`switchyard ${subcommand} --help exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export const flagsOf = (call: SwitchyardCall): string[] => call.args.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]!);
