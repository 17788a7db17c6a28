/**
 * ajv errors -> the same Diagnostic codes and phrasing the zod errors get, so
 * a YAML policy reads like a TS one. ajv reports every branch of an `anyOf`
 * (our discriminated unions); only the branch the value's tag selects is kept.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import type { Path, PathSegment } from '../diagnostics/path.ts';
import { formatPath } from '../diagnostics/path.ts';
import { SECRET_REF_PATTERN } from '../model/common.ts';
import { SECRET_HINT, article, quoteList, sentence, subject, typeOf } from './messages.ts';
import { closest } from '../diagnostics/suggest.ts';
import { secretKind } from '../diagnostics/secret-text.ts';

/** Which error to keep when ajv reports several for one path: the most basic problem first. */
const PRIORITY = ['type', 'required', 'additionalProperties', 'const', 'enum'];
const rank = (k: string) => (PRIORITY.includes(k) ? PRIORITY.indexOf(k) : PRIORITY.length);

export function ajvErrorsToDiagnostics(errors: readonly ErrorObject[], data: unknown): Diagnostic[] {
  const byPath = new Map<string, Diagnostic & { rank: number }>();
  for (const e of selectUnionBranches(errors)) {
    const d = toDiagnostic(e, data);
    const r = rank(e.keyword);
    const prev = byPath.get(d.path);
    if (!prev || r < prev.rank) byPath.set(d.path, { ...d, rank: r });
  }
  return [...byPath.values()].map(({ rank: _, ...d }) => d);
}

/** `/modelGroups/0/fallbacks` -> ['modelGroups', 0, 'fallbacks'], numbers only where the data is an array. */
function instancePath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let v = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg = Array.isArray(v) && /^\d+$/.test(key) ? Number(key) : key;
    out.push(seg);
    v = v && typeof v === 'object' ? (v as Record<PathSegment, unknown>)[seg] : undefined;
  }
  return out;
}

function selectUnionBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  let out = [...errors];
  for (const union of errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of out) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    // A branch with a failing `const` is one whose tag (`kind`) does not match: not the one the user meant.
    const meant = [...branches.values()].filter((es) => !es.some((e) => e.keyword === 'const'));
    const inUnion = (e: ErrorObject) => e === union || e.schemaPath.startsWith(prefix);
    if (meant.length === 1) out = out.filter((e) => !inUnion(e) || meant[0]!.includes(e));
    else if (meant.length === 0) {
      const tags = [...branches.values()].flat().filter((e) => e.keyword === 'const');
      const first = tags[0];
      const merged = first && { ...first, keyword: 'enum', params: { allowedValues: tags.map((t) => t.params.allowedValue) } };
      out = [...out.filter((e) => !inUnion(e)), ...(merged ? [merged] : [union])];
    } else {
      // Not even the right JSON type (say, a string where an object belongs): say that, as zod would.
      const typeErrors = meant.map((es) => es.find((e) => e.keyword === 'type' && e.instancePath === union.instancePath));
      const keep = typeErrors.every(Boolean) ? typeErrors[0]! : union;
      out = out.filter((e) => !inUnion(e) || e === keep);
    }
  }
  return out;
}

function toDiagnostic(e: ErrorObject, data: unknown): Diagnostic {
  const path = instancePath(e.instancePath, data);
  const what = subject(path);
  const err = (code: string, message: string, at: Path = path, hint?: string) =>
    diagnostic('error', code, sentence(message), formatPath(at), hint ? { hint } : {});
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const at = [...path, String(p.missingProperty)];
      return err('missing-property', `${subject(at)} is required`, at);
    }
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const where0 = path.length ? ` in \`${formatPath(path)}\`` : '';
      // a key that is itself a credential is not printed (literal-secret reports it too)
      if (secretKind(key)) return err('unknown-key', `Unknown property${where0} (its name is not shown: it looks like a credential)`, path);
      const props = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = closest(key, props);
      const where = path.length ? ` in \`${formatPath(path)}\`` : '';
      return err('unknown-key', `Unknown property \`${key}\`${where}`, [...path, key], suggestion ? `Did you mean \`${suggestion}\`?` : undefined);
    }
    case 'type': {
      const expected = String(p.type);
      // YAML's .inf and .nan, and numbers too large to hold (1e309), are numbers ajv refuses as such
      if (typeof e.data === 'number' && !Number.isFinite(e.data)) return err('invalid-number', `${what} must be a finite number`);
      if (expected === 'integer' && typeof e.data === 'number') return err('not-integer', `${what} must be a whole number`);
      return err('invalid-type', `${what} must be ${article(expected)}, not ${typeOf(e.data)}`);
    }
    case 'enum':
      return enumError(err, what, p.allowedValues as unknown[], e.data);
    case 'const':
      return enumError(err, what, [p.allowedValue], e.data);
    case 'pattern':
      if (p.pattern === SECRET_REF_PATTERN.source)
        return err('literal-secret', `${what} must be a secret reference: a literal secret is not allowed in a policy`, path, SECRET_HINT);
      return err('invalid-format', `${what} does not match the pattern /${String(p.pattern)}/`);
    case 'minItems': {
      const n = Number(p.limit);
      return err('too-small', `${what} must have at least ${n} item${n === 1 ? '' : 's'}`);
    }
    case 'minLength':
      return err('too-small', Number(p.limit) === 1 ? `${what} must not be empty` : `${what} must have at least ${String(p.limit)} characters`);
    case 'minimum':
      return err('too-small', `${what} must be at least ${String(p.limit)}`);
    case 'exclusiveMinimum':
      return err('too-small', `${what} must be greater than ${String(p.limit)}`);
    case 'maxItems':
      return err('too-big', `${what} must have at most ${String(p.limit)} items`);
    case 'maxLength':
      return err('too-big', `${what} must have at most ${String(p.limit)} characters`);
    case 'maximum':
      return err('too-big', `${what} must be at most ${String(p.limit)}`);
    case 'exclusiveMaximum':
      return err('too-big', `${what} must be less than ${String(p.limit)}`);
    case 'anyOf':
    case 'oneOf':
      return err('invalid-value', `${what} does not match any allowed form`);
    default:
      return err('invalid-value', `${what} ${e.message ?? 'is invalid'}`);
  }
}

function enumError(
  err: (code: string, message: string, at?: Path, hint?: string) => Diagnostic,
  what: string,
  options: unknown[],
  received: unknown,
): Diagnostic {
  const suggestion = typeof received === 'string' ? closest(received, options.map(String)) : undefined;
  return err(
    'invalid-enum-value',
    `${what} must be one of ${quoteList(options)}`,
    undefined,
    suggestion ? `Did you mean ${JSON.stringify(suggestion)}?` : undefined,
  );
}
