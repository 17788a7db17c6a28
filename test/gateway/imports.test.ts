/**
 * DESIGN.md: the gateway imports the runtime, publish, observability, plan
 * types (and the plan reader), secrets, net, request-log and errors; never
 * the loader, the compiler, zod or ts-morph. Checked over everything it
 * reaches, transitively, value imports only (types are erased).
 */
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf } from '../fixtures/import-walk.ts';
import { REPO } from '../fixtures/workspace.ts';

const GATEWAY = join(REPO, 'src/gateway');
const ALLOWED_DIRS = ['src/gateway/', 'src/runtime/', 'src/publish/', 'src/observability/', 'src/secrets/', 'src/net/', 'src/request-log/'];
const ALLOWED_FILES = new Set([
  'src/errors.ts',
  'src/plan/read.ts',
  'src/plan/hash.ts',
  'src/plan/canonical-json.ts',
  'src/plan/types.ts',
  'src/plan/defaults.ts',
]);
const ALLOWED_PACKAGES = new Set(['undici', 'prom-client', 'ioredis']);

describe('gateway import graph', () => {
  it('reaches no loader, compiler, zod or ts-morph', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    const queue = filesUnder(GATEWAY);
    expect(queue.length).toBeGreaterThan(20);
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const from = relative(REPO, file);
      for (const imp of importsOf(file)) {
        if (imp.typeOnly || imp.specifier.startsWith('node:')) continue;
        if (!imp.specifier.startsWith('.')) {
          if (!ALLOWED_PACKAGES.has(imp.specifier)) problems.push(`${from} imports package ${imp.specifier}`);
          continue;
        }
        const target = resolve(dirname(file), imp.specifier);
        const rel = relative(REPO, target);
        if (!ALLOWED_FILES.has(rel) && !ALLOWED_DIRS.some((d) => rel.startsWith(d))) problems.push(`${from} imports ${rel}`);
        queue.push(target);
      }
    }
    expect(problems).toEqual([]);
    expect([...seen].map((f) => relative(REPO, f))).toEqual(
      expect.arrayContaining(['src/gateway/server.ts', 'src/runtime/router.ts', 'src/observability/metrics.ts']),
    );
  });
});
