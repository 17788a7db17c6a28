/**
 * DESIGN.md's rule for the serving side, edge by edge: src/batch reaches
 * plan types and the plan reader, observability, secrets, net, the request
 * log contract, the error base class, the runtime and publish, Node
 * built-ins and its two packages (openai, prom-client), and never the
 * loader, the model (zod), the compiler, the targets or the CLI.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf } from '../fixtures/imports.ts';
import { REPO } from '../fixtures/workspace.ts';

const BATCH = join(REPO, 'src/batch');
const ALLOWED_DIRS = ['src/batch/', 'src/observability/', 'src/secrets/', 'src/net/', 'src/request-log/', 'src/runtime/', 'src/publish/'];
const ALLOWED_FILES = new Set(['src/plan/read.ts', 'src/plan/hash.ts', 'src/plan/canonical-json.ts', 'src/plan/types.ts', 'src/errors.ts']);
const ALLOWED_TYPE_FILES = new Set(['src/diagnostics/diagnostic.ts', 'src/diagnostics/path.ts']);
const ALLOWED_PACKAGES = new Set(['openai', 'prom-client', 'ioredis', 'jiti']);

describe('batch import graph', () => {
  it('reaches only the serving side, plan types and reader, Node built-ins, openai and prom-client', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    const queue = filesUnder(BATCH);
    expect(queue.length).toBeGreaterThan(20);
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
        if (ALLOWED_FILES.has(rel) || ALLOWED_DIRS.some((d) => rel.startsWith(d)) || (imp.typeOnly && ALLOWED_TYPE_FILES.has(rel))) {
          if (!imp.typeOnly && rel.endsWith('.ts')) queue.push(target);
          continue;
        }
        problems.push(`${from} imports ${rel}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...seen].map((f) => relative(REPO, f))).toEqual(
      expect.arrayContaining(['src/batch/client.ts', 'src/secrets/resolve.ts', 'src/net/limited-fetch.ts']),
    );
  });
});
