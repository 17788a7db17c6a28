/** Table-driven check tests: an edit of the base policy and the one diagnostic it must produce. */
import { expect, it } from 'vitest';
import { codesAt, compileEdited, type BasePolicyInput } from '../../fixtures/policies.ts';

export interface CheckCase {
  name: string;
  edit: (p: BasePolicyInput) => void;
  /** `code @ path` of the only diagnostic expected. */
  expected: string;
  /** Ids (or text) the message must name. */
  mentions: string[];
  severity?: 'error' | 'warning';
}

export function checkCases(cases: readonly CheckCase[]): void {
  for (const c of cases)
    it(c.name, () => {
      const r = compileEdited(c.edit);
      expect(codesAt(r.diagnostics)).toEqual([c.expected]);
      const d = r.diagnostics[0]!;
      expect(d.severity).toBe(c.severity ?? 'error');
      for (const m of c.mentions) expect(d.message).toContain(m);
      if (d.severity === 'error') expect(r.plan).toBeUndefined();
      else expect(r.plan).toBeDefined();
    });
}
