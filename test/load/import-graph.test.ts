import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCycle, findCycle, lineColumnAt, localSpecifiers, scanImportGraph } from '../../src/load/import-graph.ts';
import { REPO, fixture } from './fixtures.ts';

describe('import graph', () => {
  it('finds relative runtime imports and re-exports, not type-only imports or strings', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { T } from './types.ts';",
      'import {',
      '  b,',
      '  c as d,',
      "} from '../b.ts';",
      "export { e } from './e.ts';",
      "export * from './f.ts';",
      "import './side-effect.ts';",
      "import { z } from 'zod';",
      'const s = "import { x } from \'./not-an-import.ts\'";',
      "export const t = 'from \\'./nope.ts\\'';",
    ].join('\n');
    expect(localSpecifiers(text).map((s) => s.specifier)).toEqual(['./a.ts', '../b.ts', './e.ts', './f.ts', './side-effect.ts']);
    const [first] = localSpecifiers(text);
    expect(lineColumnAt(text, first!.offset)).toEqual({ line: 1, column: 19 });
  });

  it('lists the reference policy files, sorted and absolute', () => {
    const graph = scanImportGraph(join(REPO, 'policies/index.ts'));
    expect(graph.files.map((f) => f.slice(REPO.length))).toEqual([
      'policies/batch-profiles.ts',
      'policies/gpu-pools.ts',
      'policies/index.ts',
      'policies/providers.ts',
      'policies/routing.ts',
      'policies/slos.ts',
      'policies/tenants.ts',
    ]);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds a cycle that does not pass through the entry and names it from where it starts', () => {
    const dir = fixture({
      'index.ts': "import { a } from './a.ts';\nexport default a;\n",
      'a.ts': "import { b } from './b';\nexport const a = b;\n",
      'b.ts': "import { c } from './c.ts';\nexport const b = c;\n",
      'c.ts': "export { a as c } from './a.ts';\n",
    });
    const graph = scanImportGraph(join(dir, 'index.ts'));
    const cycle = findCycle(graph)!;
    expect(describeCycle(cycle, join(dir, 'index.ts'))).toBe('a.ts -> b.ts -> c.ts -> a.ts');
    expect(cycle.at(-1)).toMatchObject({ from: join(dir, 'c.ts'), line: 1, column: 24 });
  });

  it('does not count a type-only import as a cycle', () => {
    const dir = fixture({
      'index.ts': "import { a } from './a.ts';\nexport type T = number;\nexport default a;\n",
      'a.ts': "import type { T } from './index.ts';\nexport const a: T = 1;\n",
    });
    expect(findCycle(scanImportGraph(join(dir, 'index.ts')))).toBeUndefined();
  });
});
