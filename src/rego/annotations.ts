/**
 * `# METADATA` blocks, as OPA reads them: a comment line `# METADATA`
 * followed by comment lines of YAML, directly above the package or a rule.
 * The YAML becomes the annotation object rego.metadata.rule() and
 * rego.metadata.chain() return (scope, title, description,
 * related_resources, authors, organizations, schemas, entrypoint, custom).
 * A block above the package defaults to scope package, above a rule to rule.
 */
import { parse as parseYaml } from 'yaml';
import type { Annotation } from './ast.ts';
import { RegoFailure, type Location } from './errors.ts';
import type { Comment } from './lexer.ts';
import { fromJSON, type ObjectValue } from './value.ts';

export interface MetadataBlock {
  /** Row of the `# METADATA` line and of the block's last line. */
  firstRow: number;
  lastRow: number;
  yaml: string;
}

const SCOPES = new Set(['rule', 'document', 'package', 'subpackages']);

/** Consecutive comment lines starting with `# METADATA`. */
export function metadataBlocks(comments: readonly Comment[]): MetadataBlock[] {
  const out: MetadataBlock[] = [];
  for (let i = 0; i < comments.length; i++) {
    if (comments[i]!.text.trim() !== 'METADATA') continue;
    const lines: string[] = [];
    let j = i + 1;
    while (j < comments.length && comments[j]!.row === comments[j - 1]!.row + 1) {
      // The first space after `#` belongs to the comment marker, not the YAML.
      lines.push(comments[j]!.text.replace(/^ /, ''));
      j++;
    }
    out.push({ firstRow: comments[i]!.row, lastRow: comments[j - 1]!.row, yaml: lines.join('\n') });
    i = j - 1;
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function normalise(raw: Record<string, unknown>, fail: (why: string) => never): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'scope':
      case 'title':
      case 'description':
        if (typeof v !== 'string') fail(`${k} must be a string`);
        out[k] = v;
        break;
      case 'entrypoint':
        if (typeof v !== 'boolean') fail('entrypoint must be a boolean');
        out[k] = v;
        break;
      case 'organizations':
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail('organizations must be a list of strings');
        out[k] = v;
        break;
      case 'related_resources':
        if (!Array.isArray(v)) fail('related_resources must be a list');
        out[k] = (v as unknown[]).map((r) => {
          if (typeof r === 'string') return { ref: r };
          if (isRecord(r) && typeof r.ref === 'string') return { ref: r.ref, ...(typeof r.description === 'string' ? { description: r.description } : {}) };
          return fail('a related resource must be a URL or an object with ref');
        });
        break;
      case 'authors':
        if (!Array.isArray(v)) fail('authors must be a list');
        out[k] = (v as unknown[]).map((a) => {
          if (isRecord(a) && (typeof a.name === 'string' || typeof a.email === 'string')) return a;
          if (typeof a !== 'string') return fail('an author must be a string or an object with name or email');
          // "Name <email>", as OPA splits it.
          const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(a);
          return m ? { ...(m[1] ? { name: m[1] } : {}), email: m[2] } : { name: a.trim() };
        });
        break;
      case 'custom':
        if (!isRecord(v)) fail('custom must be a map');
        out[k] = v;
        break;
      case 'schemas':
        out[k] = v;
        break;
      default:
        fail(`unknown annotation key ${JSON.stringify(k)}`);
    }
  }
  return out;
}

/** The annotation of a block; `defaultScope` is package above the package, rule above a rule. */
export function parseAnnotation(block: MetadataBlock, file: string, defaultScope: 'rule' | 'package'): Annotation {
  const loc: Location = { file, row: block.firstRow, col: 1 };
  const fail = (why: string): never => {
    throw new RegoFailure('rego_parse_error', `invalid annotation: ${why}`, loc);
  };
  let raw: unknown;
  try {
    raw = block.yaml.trim() === '' ? {} : parseYaml(block.yaml, { maxAliasCount: 100 });
  } catch (e) {
    return fail(`yaml: ${(e as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isRecord(raw)) return fail('expected a map of annotation keys');
  const value = normalise(raw, fail);
  const scope = (value.scope as string | undefined) ?? defaultScope;
  if (!SCOPES.has(scope)) fail(`invalid annotation scope ${JSON.stringify(scope)}`);
  if (defaultScope === 'rule' && (scope === 'package' || scope === 'subpackages')) fail(`scope ${scope} must be above the package`);
  if (defaultScope === 'package' && (scope === 'rule' || scope === 'document')) fail(`scope ${scope} must be above a rule`);
  value.scope = scope;
  return { scope: scope as Annotation['scope'], value: fromJSON(value) as ObjectValue, loc };
}
