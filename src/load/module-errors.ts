/**
 * Turns what jiti throws while importing a policy into one Diagnostic with a
 * location, never a stack trace: a syntax error (babel's message carries
 * `file:line:column`) or an exception thrown by the policy's own code (its
 * stack carries the policy frame).
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import { displayPath } from './entry.ts';
import { sentence } from './messages.ts';
import { thrownText } from './plain-data.ts';

// jiti reports parse errors as `ParseError: <message>\n <file>:<line>:<column>` with babel's 0-based column.
const PARSE_ERROR_RE = /^(?:\w*Error: )?([\s\S]*?)\s*\n\s*(\/[^\n]*?|[A-Za-z]:\\[^\n]*?):(\d+):(\d+)\s*$/;

export function moduleErrorToDiagnostic(err: unknown, policyFiles: readonly string[], entry: string): Diagnostic {
  const message = thrownText(err);
  const parse = PARSE_ERROR_RE.exec(message);
  if (parse && /ParseError|SyntaxError/.test(message + (err instanceof Error ? err.name : ''))) {
    const text = parse[1]!.replace(/^ParseError:\s*/, '').replace(/\s*\(\d+:\d+\)$/, '');
    return diagnostic('error', 'syntax-error', sentence(`Syntax error: ${text}`), '', {
      source: { file: displayPath(parse[2]!), line: Number(parse[3]), column: Number(parse[4]) + 1 },
    });
  }
  if (err instanceof SyntaxError) {
    // A syntax error found by V8 after transpiling has only a stack to go by.
    const source = policyFrame(err.stack, policyFiles) ?? { file: displayPath(entry), line: 1, column: 1 };
    return diagnostic('error', 'syntax-error', sentence(`Syntax error: ${message}`), '', { source });
  }
  const source = policyFrame(err instanceof Error ? err.stack : undefined, policyFiles);
  return diagnostic('error', 'policy-module-threw', sentence(firstLine(message) || 'The policy module threw while it was imported'), '', {
    source: source ?? { file: displayPath(entry), line: 1, column: 1 },
    hint: 'A policy module must build plain data; the error above was thrown by its code while it was imported.',
  });
}

/** The first stack frame in one of the policy files (the user's code, not jiti's or ours). */
function policyFrame(stack: string | undefined, policyFiles: readonly string[]): SourceLocation | undefined {
  if (!stack) return undefined;
  const files = new Set(policyFiles);
  for (const m of stack.matchAll(/\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/gm)) {
    const file = m[1]!.replace(/^file:\/\//, '');
    if (!files.has(file)) continue;
    const line = Number(m[2]);
    return { file: displayPath(file), line, column: refineColumn(file, line, Number(m[3])) };
  }
  return undefined;
}

/**
 * jiti keeps line numbers when it strips types but not columns, so a column
 * from the stack can be off; point at the `throw` on that line when there is
 * one, else at the first non-blank character.
 */
function refineColumn(file: string, line: number, column: number): number {
  try {
    const text = readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
    const at = text.search(/\bthrow\b/);
    if (at !== -1) return at + 1;
    const first = text.search(/\S/);
    return first === -1 ? column : first + 1;
  } catch {
    return column;
  }
}

const firstLine = (s: string) => s.split('\n')[0]!.trim();
