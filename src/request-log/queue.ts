/**
 * The bounded FIFO between record() and the database: whole requests (a
 * request row with its attempt rows), bounded in rows. Pushing past the bound
 * fails instead of evicting, so what was accepted is what gets written.
 */
import type { AttemptRow, RequestRow } from './types.ts';

export interface Entry {
  request: RequestRow;
  attempts: readonly AttemptRow[];
  /** 1 + attempts.length */
  rows: number;
}

export class RowQueue {
  private items: Entry[] = [];
  private head = 0;
  /** Rows queued. */
  rows = 0;

  constructor(readonly maxRows: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Whether `rows` more rows fit. */
  fits(rows: number): boolean {
    return this.rows + rows <= this.maxRows;
  }

  /** Appends the entry unless it would take the queue past maxRows. */
  tryPush(e: Entry): boolean {
    if (!this.fits(e.rows)) return false;
    this.items.push(e);
    this.rows += e.rows;
    return true;
  }

  /** The oldest entries holding at most maxRows rows (at least one entry, which may hold more). */
  peek(maxRows: number): Entry[] {
    const out: Entry[] = [];
    let rows = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const e = this.items[i]!;
      if (out.length > 0 && rows + e.rows > maxRows) break;
      out.push(e);
      rows += e.rows;
    }
    return out;
  }

  /** Removes the n oldest entries; returns their rows. */
  shift(n: number): number {
    let rows = 0;
    const end = Math.min(this.head + n, this.items.length);
    for (let i = this.head; i < end; i++) rows += this.items[i]!.rows;
    this.head = end;
    this.rows -= rows;
    // Drop the consumed prefix now and then, so shifting stays O(1) amortised without holding rows already written.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return rows;
  }

  /** Empties the queue; returns the rows it held. */
  clear(): number {
    const rows = this.rows;
    this.items = [];
    this.head = 0;
    this.rows = 0;
    return rows;
  }
}
