/**
 * The request log is serving-side code (DESIGN.md): it reaches the shared
 * contracts (the tables' DDL and the metric names in src/observability, the
 * error base class) and its two database clients, never the loader, the
 * compiler or a target. And the targets, which read its tables, do not
 * import it: the DDL both use lives in src/observability.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, importsOf } from '../fixtures/imports.ts';
import { REPO } from '../fixtures/workspace.ts';

const HERE = join(REPO, 'src/request-log');
const ALLOWED_VALUE = new Set(['src/observability/request-log-tables.ts', 'src/errors.ts']);
const ALLOWED_TYPE = new Set(['src/observability/metrics.ts']);
const ALLOWED_PACKAGES = new Set(['pg', '@electric-sql/pglite']);

describe('request-log import graph', () => {
  it('reaches only the observability contracts, the error base class, Node built-ins, pg and PGlite', () => {
    const problems: string[] = [];
    const files = filesUnder(HERE);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const from = relative(REPO, file);
      for (const { specifier: s, typeOnly } of importsOf(file)) {
        if (s.startsWith('node:')) continue;
        if (!s.startsWith('.')) {
          if (!ALLOWED_PACKAGES.has(s)) problems.push(`${from} imports package ${s}`);
          continue;
        }
        const target = resolve(dirname(file), s);
        const rel = relative(REPO, target);
        if (target.startsWith(`${HERE}/`) || ALLOWED_VALUE.has(rel) || (typeOnly && ALLOWED_TYPE.has(rel))) continue;
        problems.push(`${from} imports ${typeOnly ? 'types from ' : ''}${rel}`);
      }
    }
    expect(problems).toEqual([]);
    // The allowed files are leaves: they import nothing that would widen the graph.
    for (const rel of ALLOWED_VALUE) expect(importsOf(join(REPO, rel))).toEqual([]);
  });

  it('is not imported by the targets, which share only its tables through src/observability', () => {
    const offenders = filesUnder(join(REPO, 'src/targets')).filter((f) =>
      importsOf(f).some((i) => resolve(dirname(f), i.specifier).startsWith(`${HERE}/`) || resolve(dirname(f), i.specifier) === HERE),
    );
    expect(offenders).toEqual([]);
    expect(importsOf(join(REPO, 'src/targets/sql.ts'))).toContainEqual({ specifier: '../observability/request-log-tables.ts', typeOnly: false });
  });
});
