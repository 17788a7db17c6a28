/**
 * time.now_ns. OPA fixes "now" once per query, so every call in one
 * evaluation sees the same instant; an evaluator does that by passing
 * `nowNs` on the builtin context (see ClockContext). Without it, the wall
 * clock is read (at millisecond resolution; float64 cannot hold every
 * nanosecond of today anyway).
 */
import type { Builtin, BuiltinContext } from './types.ts';

export interface ClockContext extends BuiltinContext {
  /** Nanoseconds since the Unix epoch, fixed for the whole query. */
  nowNs?: number;
}

export const TIME: Builtin[] = [
  {
    name: 'time.now_ns',
    arity: 0,
    call: (_args, ctx) => (ctx as ClockContext).nowNs ?? Date.now() * 1e6,
  },
];
