/**
 * The runtime must run from plan.json alone: src/runtime imports plan types
 * (type-only) and the plan reader, Node built-ins and ioredis, and nothing
 * that would load the compiler, zod or ts-morph.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf } from '../fixtures/import-walk.ts';
import { REPO } from '../fixtures/workspace.ts';

const RUNTIME = join(REPO, 'src/runtime');
const ALLOWED_VALUE = new Set(['src/plan/read.ts', 'src/plan/hash.ts', 'src/plan/canonical-json.ts', 'src/plan/types.ts']);
const ALLOWED_TYPE = new Set(['src/plan/types.ts', 'src/diagnostics/diagnostic.ts', 'src/diagnostics/path.ts']);
const ALLOWED_PACKAGES = new Set(['ioredis']);

describe('runtime import graph', () => {
  it('reaches only plan types, the plan reader, Node built-ins and ioredis', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    const queue = filesUnder(RUNTIME);
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
        const target = resolve(dirname(file), s);
        const rel = relative(REPO, target);
        const inRuntime = target.startsWith(`${RUNTIME}/`);
        if (imp.typeOnly) {
          if (!inRuntime && !ALLOWED_TYPE.has(rel)) problems.push(`${from} imports types from ${rel}`);
          continue;
        }
        if (!inRuntime && !ALLOWED_VALUE.has(rel)) problems.push(`${from} imports ${rel}`);
        queue.push(target);
      }
    }
    expect(problems).toEqual([]);
    // The walk did reach the plan reader's own imports, and found them clean.
    expect([...seen].map((f) => relative(REPO, f))).toEqual(expect.arrayContaining(['src/runtime/router.ts', 'src/runtime/stores/redis.ts']));
  });

  it('tells value imports from type-only ones (checked on the compiler, which may import anything)', () => {
    const imports = importsOf(join(REPO, 'src/plan/compile.ts'));
    expect(imports).toContainEqual({ specifier: './normalize/index.ts', typeOnly: false });
    expect(imports).toContainEqual({ specifier: '../model/policy.ts', typeOnly: true });
  });
});
