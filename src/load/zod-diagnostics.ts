/**
 * zod issues -> Diagnostics with stable codes and one-sentence messages.
 * Values are never echoed: the field might hold a secret someone pasted.
 */
import { z } from 'zod';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { formatPath } from '../diagnostics/path.ts';
import { SECRET_REF_PATTERN } from '../model/common.ts';
import { SECRET_HINT, article, quoteList, sentence, subject } from './messages.ts';
import { keysAt, schemaAt } from './schema-at.ts';
import { closest } from '../diagnostics/suggest.ts';
import { secretKind } from '../diagnostics/secret-text.ts';

const ZOD_DEFAULT_SIZE_MESSAGE = /^(Array|String|Number|BigInt|Set|Date) must/;

export function zodIssuesToDiagnostics(root: z.ZodTypeAny, issues: readonly z.ZodIssue[], input: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    for (const d of issueToDiagnostics(root, issue, input)) {
      const key = `${d.code}\0${d.path}\0${d.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(d);
      }
    }
  }
  // Infinity also fails `max`: "must be a finite number" is the one thing to say about it
  const notFinite = new Set(out.filter((d) => d.code === 'invalid-number').map((d) => d.path));
  return out.filter((d) => !(notFinite.has(d.path) && (d.code === 'too-big' || d.code === 'too-small')));
}

function error(code: string, message: string, path: Path, hint?: string, capitalize = true): Diagnostic {
  return diagnostic('error', code, sentence(message, capitalize), formatPath(path), hint ? { hint } : {});
}

function issueToDiagnostics(root: z.ZodTypeAny, issue: z.ZodIssue, input: unknown): Diagnostic[] {
  const path = issue.path;
  const what = subject(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      // One Diagnostic per key, located at the key itself, which is what the user has to delete or fix.
      const valid = keysAt(root, path, input);
      return issue.keys.map((key) => {
        const where = path.length ? ` in \`${formatPath(path)}\`` : '';
        // a key that is itself a credential is not printed (literal-secret reports it too)
        if (secretKind(key)) return error('unknown-key', `Unknown property${where} (its name is not shown: it looks like a credential)`, path);
        const suggestion = closest(key, valid);
        return error('unknown-key', `Unknown property \`${key}\`${where}`, [...path, key], suggestion ? `Did you mean \`${suggestion}\`?` : undefined);
      });
    }
    case 'invalid_type':
      if (issue.received === 'undefined') return [error('missing-property', `${what} is required`, path)];
      if (issue.expected === 'integer' && issue.received === 'float') return [error('not-integer', `${what} must be a whole number`, path)];
      if (issue.received === 'nan') return [error('invalid-number', `${what} must be a finite number, not NaN`, path)];
      return [error('invalid-type', `${what} must be ${article(issue.expected)}, not ${article(issue.received)}`, path)];
    case 'invalid_enum_value':
      return [enumError(what, path, issue.options, issue.received)];
    case 'invalid_union_discriminator':
      return [enumError(what, path, issue.options, valueAt(input, path))];
    case 'invalid_literal':
      return [enumError(what, path, [issue.expected], issue.received)];
    case 'invalid_string':
      if (issue.validation === 'regex' && isSecretRef(schemaAt(root, path, input)))
        return [error('literal-secret', `${what} must be a secret reference: a literal secret is not allowed in a policy`, path, SECRET_HINT)];
      if (issue.validation === 'url') return [error('invalid-format', `${what} must be a URL`, path)];
      if (issue.message && issue.message !== 'Invalid') return [error('invalid-format', `${what} ${issue.message}`, path)];
      return [error('invalid-format', `${what} has an invalid format`, path)];
    case 'too_small':
      return [error('too-small', sizeMessage(what, issue.message, 'at least', issue.type, Number(issue.minimum), issue.inclusive), path)];
    case 'too_big':
      return [error('too-big', sizeMessage(what, issue.message, 'at most', issue.type, Number(issue.maximum), issue.inclusive), path)];
    case 'not_finite':
      return [error('invalid-number', `${what} must be a finite number`, path)];
    case 'not_multiple_of':
      return [error('invalid-number', `${what} must be a multiple of ${String(issue.multipleOf)}`, path)];
    case 'invalid_union':
      return [error('invalid-value', `${what} does not match any allowed form`, path)];
    case 'custom':
      // "must be …" refinements (ranges, formats) read after the property's name; others are whole sentences
      return /^(must|is) /.test(issue.message)
        ? [error('invalid-value', `${what} ${issue.message}`, path)]
        : [error('invalid-value', issue.message, path, undefined, false)];
    default:
      return [error('invalid-value', `${what}: ${issue.message}`, path)];
  }
}

function enumError(what: string, path: Path, options: readonly unknown[], received: unknown): Diagnostic {
  const suggestion = typeof received === 'string' ? closest(received, options.map(String)) : undefined;
  return error(
    'invalid-enum-value',
    `${what} must be one of ${quoteList(options)}`,
    path,
    suggestion ? `Did you mean ${JSON.stringify(suggestion)}?` : undefined,
  );
}

function sizeMessage(what: string, zodMessage: string, bound: string, type: string, limit: number, inclusive: boolean): string {
  // A message written in the schema (e.g. "a model group needs at least one deployment") says it best.
  if (!ZOD_DEFAULT_SIZE_MESSAGE.test(zodMessage)) return zodMessage;
  const n = inclusive ? limit : bound === 'at least' ? limit + 1 : limit - 1;
  if (type === 'array') return `${what} must have ${bound} ${n} item${n === 1 ? '' : 's'}`;
  if (type === 'string') return n === 1 && bound === 'at least' ? `${what} must not be empty` : `${what} must have ${bound} ${n} characters`;
  if (!inclusive) return `${what} must be ${bound === 'at least' ? 'greater' : 'less'} than ${limit}`;
  return `${what} must be ${bound} ${limit}`;
}

function isSecretRef(schema: z.ZodTypeAny | undefined): boolean {
  if (!(schema instanceof z.ZodString)) return false;
  return schema._def.checks.some((c) => c.kind === 'regex' && c.regex.source === SECRET_REF_PATTERN.source);
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}
