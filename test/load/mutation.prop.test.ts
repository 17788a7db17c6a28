/**
 * Properties of the loader over the reference policy: break any one leaf and
 * validation points at it; write the broken policy as a TS file and the
 * Diagnostic's line is the line of that property.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Path } from '../../src/diagnostics/path.ts';
import { formatPath } from '../../src/diagnostics/path.ts';
import { loadPolicy, validatePolicy } from '../../src/load/index.ts';
import { REPO, fixture } from './fixtures.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function leafPaths(value: Json, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return [path];
}

function getIn(value: Json, path: Path): Json {
  return path.reduce<Json>((v, seg) => (v as Record<string | number, Json>)[seg]!, value);
}

function setIn(value: Json, path: Path, leaf: Json): Json {
  const copy = structuredClone(value);
  const parent = getIn(copy, path.slice(0, -1)) as Record<string | number, Json>;
  parent[path[path.length - 1]!] = leaf;
  return copy;
}

/** A value of another JSON type than the leaf's: invalid for every leaf of the policy language. */
const wrongType = (leaf: Json): Json => (typeof leaf === 'string' ? 42 : typeof leaf === 'number' ? 'forty-two' : typeof leaf === 'boolean' ? 'yes' : 7);

const related = (a: string, b: string) => a === b || a.startsWith(b) || b.startsWith(a);

/**
 * Prints a value like JSON.stringify(v, null, 2) (one property or element per
 * line) and records the line each path starts on.
 */
function printWithLines(root: Json): { text: string; lines: Map<string, number> } {
  const out = ['export default {'];
  const lines = new Map<string, number>([['', 1]]);
  const entriesOf = (v: Json): [string | number, Json][] => (Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v as Record<string, Json>));
  const emitEntries = (v: Json, path: Path, indent: string) => {
    const entries = entriesOf(v);
    entries.forEach(([k, x], i) => emit(x, [...path, k], indent, typeof k === 'number' ? '' : `${JSON.stringify(k)}: `, i < entries.length - 1 ? ',' : ''));
  };
  const emit = (v: Json, path: Path, indent: string, prefix: string, suffix: string) => {
    lines.set(formatPath(path), out.length + 1);
    if (v !== null && typeof v === 'object') {
      out.push(`${indent}${prefix}${Array.isArray(v) ? '[' : '{'}`);
      emitEntries(v, path, `${indent}  `);
      out.push(`${indent}${Array.isArray(v) ? ']' : '}'}${suffix}`);
    } else out.push(`${indent}${prefix}${JSON.stringify(v)}${suffix}`);
  };
  emitEntries(root, [], '  ');
  out.push('};', '');
  return { text: out.join('\n'), lines };
}

describe('mutating one leaf of the reference policy', () => {
  let reference: Json;
  let leaves: Path[];
  beforeAll(async () => {
    const { createJiti } = await import('jiti');
    const mod = (await createJiti(import.meta.url).import(join(REPO, 'policies/index.ts'))) as { default: unknown };
    // Through JSON: the reference shares objects (piiRules, interactiveRetries) that a mutation must not alias.
    reference = JSON.parse(JSON.stringify(mod.default)) as Json;
    leaves = leafPaths(reference);
    expect(validatePolicy(reference).diagnostics).toEqual([]);
    expect(leaves.length).toBeGreaterThan(300);
  });

  it('yields an error Diagnostic at (or around) the mutated path', () => {
    const mutation = fc.oneof(fc.constant('wrong-type' as const), fc.constant('bad-enum' as const), fc.constant('negative' as const));
    fc.assert(
      fc.property(fc.nat(), mutation, (n, kind) => {
        const path = leaves[n % leaves.length]!;
        const leaf = getIn(reference, path);
        let replacement: Json;
        if (kind === 'wrong-type') replacement = wrongType(leaf);
        else if (kind === 'bad-enum' && typeof leaf === 'string') replacement = 'Not A Valid Value!';
        else if (kind === 'negative' && typeof leaf === 'number') replacement = -1 - leaf;
        else replacement = wrongType(leaf);
        const { policy, diagnostics } = validatePolicy(setIn(reference, path, replacement));
        // Not every string rejects another string, nor every number a negative one (a weight, an SLO value):
        // only a wrong type is invalid everywhere. When the mutation is valid, there is nothing to point at.
        if (kind !== 'wrong-type' && policy) return;
        expect(policy).toBeUndefined();
        const target = formatPath(path);
        const errors = diagnostics.filter((d) => d.severity === 'error');
        expect(
          errors.some((d) => related(d.path, target)),
          `${target}: ${JSON.stringify(errors)}`,
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('written as a TS object literal, the Diagnostic is on the line of the property', async () => {
    const dir = fixture({});
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (n) => {
        const path = leaves[n % leaves.length]!;
        const mutated = setIn(reference, path, wrongType(getIn(reference, path)));
        const { text, lines } = printWithLines(mutated);
        const file = join(dir, `policy-${run++}.ts`);
        writeFileSync(file, text);
        const result = await loadPolicy(file);
        const target = formatPath(path);
        const d = result.diagnostics.find((x) => x.path === target);
        expect(d, `${target}: ${JSON.stringify(result.diagnostics)}`).toBeDefined();
        expect(d!.source).toMatchObject({ file, line: lines.get(target) });
      }),
      { numRuns: 20 },
    );
  }, 60_000);
});
