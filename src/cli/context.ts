/**
 * What every command shares: output format, colour, debug, and the way
 * results reach the terminal. Commands return an exit code; only main.ts
 * calls process.exit.
 */
import { EXIT, type ExitCode, SwitchyardError } from '../errors.ts';
import { MAX_POLICY_FILE_BYTES, readInputFile } from '../fs/input-file.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { renderGithub, renderJson, renderPretty, type OutputFormat } from '../diagnostics/render.ts';

export { EXIT } from '../errors.ts';

/** A mistake the user can fix (bad flag, unreadable file): one line, no stack trace. */
export class UserError extends SwitchyardError {
  constructor(message: string, exitCode: ExitCode = EXIT.usage) {
    super(message, 'usage', { exitCode });
  }
}

export interface GlobalOptions {
  format: OutputFormat;
  color: boolean;
  debug: boolean;
  /** Print every info Diagnostic instead of a count per code. */
  verbose: boolean;
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** NO_COLOR (https://no-color.org) wins; otherwise colour only on a terminal. */
export function useColor(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTty;
}

export function resolveFormat(opts: { json?: boolean; format?: string }): OutputFormat {
  if (opts.json) return 'json';
  const f = opts.format ?? 'pretty';
  if (f === 'pretty' || f === 'json' || f === 'github') return f;
  throw new UserError(`unknown --format ${JSON.stringify(f)}; use pretty, json or github`);
}

/** A policy file's text for a code frame: never through a link, a FIFO or a huge file (the frame could print what it holds). */
const readSource = (file: string): string | undefined => {
  try {
    return readInputFile(file, { maxBytes: MAX_POLICY_FILE_BYTES });
  } catch {
    return undefined;
  }
};

/** Prints Diagnostics in the chosen format; `extra` goes into the JSON object only. */
export function printDiagnostics(io: Io, g: GlobalOptions, ds: readonly Diagnostic[], extra: Record<string, unknown> = {}): void {
  if (g.format === 'json') {
    io.stdout(renderJson(ds, extra));
    return;
  }
  // Info notes (what a target cannot express) repeat on every run; people
  // get a count per code unless they ask for --verbose. JSON always has all.
  const shown = g.verbose ? ds : ds.filter((d) => d.severity !== 'info');
  const folded = g.verbose ? [] : foldInfo(ds);
  if (g.format === 'github') io.stdout(renderGithub(shown));
  else if (shown.length > 0 || folded.length > 0) {
    if (shown.length > 0) io.stderr(renderPretty(shown, { color: g.color, readSource }));
    for (const line of folded) io.stderr(`${line}\n`);
  }
}

function foldInfo(ds: readonly Diagnostic[]): string[] {
  const counts = new Map<string, number>();
  for (const d of ds) if (d.severity === 'info') counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, n]) => `${n} info note${n === 1 ? '' : 's'} ${code} (run with --verbose to list them)`);
}
