import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Entry, RowQueue } from '../../src/request-log/queue.ts';
import type { RequestRow } from '../../src/request-log/types.ts';

const entry = (id: number, rows: number): Entry => ({ request: { requestId: `r${id}` } as RequestRow, attempts: [], rows });
const ids = (es: Entry[]) => es.map((e) => e.request.requestId);

describe('RowQueue', () => {
  it('refuses an entry that would pass maxRows, whole, and takes smaller ones after', () => {
    const q = new RowQueue(10);
    expect(q.tryPush(entry(1, 4))).toBe(true);
    expect(q.tryPush(entry(2, 5))).toBe(true);
    expect(q.tryPush(entry(3, 2))).toBe(false);
    expect(q.tryPush(entry(4, 1))).toBe(true);
    expect(q.rows).toBe(10);
    expect(q.length).toBe(3);
    expect(q.tryPush(entry(5, 11))).toBe(false);
  });

  it('peeks whole entries up to a row budget, at least one even when it alone is over', () => {
    const q = new RowQueue(100);
    for (const [i, n] of [7, 2, 3, 1].entries()) q.tryPush(entry(i, n));
    expect(ids(q.peek(5))).toEqual(['r0']);
    expect(ids(q.peek(9))).toEqual(['r0', 'r1']);
    expect(ids(q.peek(12))).toEqual(['r0', 'r1', 'r2']);
    expect(q.shift(1)).toBe(7);
    expect(ids(q.peek(5))).toEqual(['r1', 'r2']);
    expect(q.shift(10)).toBe(6);
    expect(q.length).toBe(0);
    expect(q.rows).toBe(0);
    expect(q.peek(5)).toEqual([]);
  });

  it('behaves as a FIFO bounded in rows under any mix of pushes and shifts (model-based)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 6 }) }), fc.record({ shift: fc.integer({ min: 0, max: 1500 }) })), { maxLength: 400 }),
        (ops) => {
          const q = new RowQueue(3_000);
          const model: Entry[] = [];
          let next = 0;
          for (const op of ops) {
            if ('push' in op) {
              // Bursts, so the queue grows past the point where it compacts.
              for (let k = 0; k < 50; k++) {
                const e = entry(next++, op.push);
                const fits = model.reduce((n, m) => n + m.rows, 0) + e.rows <= 3_000;
                expect(q.tryPush(e)).toBe(fits);
                if (fits) model.push(e);
              }
            } else {
              const taken = model.splice(0, op.shift);
              expect(q.shift(op.shift)).toBe(taken.reduce((n, m) => n + m.rows, 0));
            }
            expect(q.length).toBe(model.length);
            expect(q.rows).toBe(model.reduce((n, m) => n + m.rows, 0));
            expect(ids(q.peek(Number.MAX_SAFE_INTEGER))).toEqual(ids(model));
          }
          expect(q.clear()).toBe(model.reduce((n, m) => n + m.rows, 0));
          expect(q.length).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
