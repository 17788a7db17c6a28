/**
 * DESIGN.md: simulate -> plan (types), runtime and the capacity arithmetic;
 * never the loader, the compiler, zod or the emitters. Checked over
 * everything src/simulate reaches, transitively (the runtime's own imports
 * are checked by test/runtime/imports.test.ts).
 */
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf } from '../fixtures/imports.ts';
import { REPO } from '../fixtures/workspace.ts';

const SIMULATE = join(REPO, 'src/simulate');
/** Folders and files the simulator may load (by value); types may also come from the policy language. */
const ALLOWED_VALUE = [
  /^src\/simulate\//,
  /^src\/runtime\//,
  /^src\/capacity\//,
  /^src\/plan\/(types|baseline|defaults|canonical-json|read|hash)\.ts$/,
  /^src\/model\/duration\.ts$/,
  /^src\/diagnostics\/(diagnostic|path|suggest|markdown|format)\.ts$/,
];
const ALLOWED_PACKAGES = new Set(['ioredis']);

describe('simulate import graph', () => {
  it('reaches plan types, the runtime, capacity arithmetic and the zod-free helpers, nothing else', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    const queue = filesUnder(SIMULATE);
    expect(queue.length).toBeGreaterThan(10);
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const from = relative(REPO, file);
      for (const imp of importsOf(file)) {
        const s = imp.specifier;
        if (s.startsWith('node:')) continue;
        if (!s.startsWith('.')) {
          if (!ALLOWED_PACKAGES.has(s)) problems.push(`${from} imports package ${s}`);
          continue;
        }
        const rel = relative(REPO, resolve(dirname(file), s));
        // A type-only import is erased: types from the policy language load no zod.
        const typeOk = imp.typeOnly && /^src\/model\//.test(rel);
        if (!typeOk && !ALLOWED_VALUE.some((re) => re.test(rel))) problems.push(`${from} imports ${imp.typeOnly ? 'types from ' : ''}${rel}`);
        if (!imp.typeOnly) queue.push(resolve(dirname(file), s));
      }
    }
    expect(problems).toEqual([]);
    expect([...seen].map((f) => relative(REPO, f))).toEqual(
      expect.arrayContaining(['src/simulate/run.ts', 'src/runtime/router.ts', 'src/capacity/gpu-bandwidth.ts']),
    );
  });
});
