/** Which file a policy entry names, and how paths appear in Diagnostics. */
import { lstatSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import type { InputFileError } from '../fs/input-file.ts';

export type EntryKind = 'ts' | 'yaml' | 'json';

/** Codes that mean the input itself is missing or unreadable (the CLI exits 2 for these, 1 for the rest). */
export const UNREADABLE_CODES: ReadonlySet<string> = new Set([
  'policy-not-found',
  'policy-unreadable',
  'unsupported-policy-file',
  // a policy that cannot be imported within its time or memory: the input cannot be read, like a missing file
  'policy-load-timeout',
  'policy-out-of-memory',
]);

const DIRECTORY_ENTRIES = ['index.ts', 'policy.yaml', 'policy.yml', 'policy.json'];
const KIND_BY_EXTENSION: Record<string, EntryKind> = { '.ts': 'ts', '.mts': 'ts', '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

/** Relative to the working directory when inside it, so CI annotations (`file=policies/routing.ts`) resolve; absolute otherwise. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : file;
}

export function resolveEntry(entry: string): { file: string; kind: EntryKind } | { diagnostic: Diagnostic } {
  const abs = resolve(entry);
  const stat = statOrUndefined(abs);
  if (!stat) return { diagnostic: diagnostic('error', 'policy-not-found', `No policy file or directory at ${displayPath(abs)}.`, '') };
  if (stat.isDirectory()) {
    for (const name of DIRECTORY_ENTRIES) {
      const file = join(abs, name);
      // Whatever is there (a link, a pipe) is the entry, so the reader can say why it refuses it.
      const st = lstatOrUndefined(file);
      if (st && !st.isDirectory()) return { file, kind: KIND_BY_EXTENSION[extname(name)]! };
    }
    return {
      diagnostic: diagnostic('error', 'policy-not-found', `Directory ${displayPath(abs)} has no ${DIRECTORY_ENTRIES.join(', ')}.`, '', {
        hint: 'Pass the policy file itself, or a directory holding index.ts or policy.yaml.',
      }),
    };
  }
  const kind = KIND_BY_EXTENSION[extname(abs).toLowerCase()];
  if (!kind)
    return {
      diagnostic: diagnostic('error', 'unsupported-policy-file', `${displayPath(abs)} is not a policy file: expected .ts, .mts, .yaml, .yml or .json.`, '', {
        source: { file: displayPath(abs), line: 1, column: 1 },
      }),
    };
  return { file: abs, kind };
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A policy file that is a link, a FIFO or too large, as the Diagnostic the CLI exits 2 for. */
export function inputFileDiagnostic(e: InputFileError): Diagnostic {
  // The message names the absolute path; Diagnostics name files as the user sees them.
  const message = e.message.replace(/\/\S+/g, (p) => displayPath(p));
  return diagnostic('error', 'policy-unreadable', `${message[0]!.toUpperCase()}${message.slice(1)}.`, '');
}
