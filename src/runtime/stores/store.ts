/**
 * Where the router's state lives. A store hands the router a Session (the
 * state a decision reads, and the sink for the updates it makes). Sessions
 * are synchronous: no store puts a network round trip on a request's path.
 * A shared store keeps a local mirror, decides on it, and syncs it with the
 * shared state in the background (`sync()`), within a stated staleness bound.
 */
import type { CompiledPlan } from '../../plan/types.ts';
import type { LocalState, Session } from '../state.ts';
import type { RouterTables } from '../tables.ts';
import type { Clock, RouterEvents } from '../types.ts';

export interface StoreMetrics {
  /** Commands sent to the shared store (each script call is one round trip); none is on a request's path. */
  roundTrips: number;
  errors: number;
  degraded: boolean;
  degradedCount: number;
  recoveredCount: number;
  /** Completed syncs with the shared store (each pushes this router's changes and pulls the others'). */
  syncs: number;
  /** Longest sync round trip so far (ms). */
  maxSyncMs: number;
  /** Breaker records dropped because too many piled up while the store was unreachable. */
  droppedRecords: number;
}

export const emptyStoreMetrics = (): StoreMetrics => ({
  roundTrips: 0,
  errors: 0,
  degraded: false,
  degradedCount: 0,
  recoveredCount: 0,
  syncs: 0,
  maxSyncMs: 0,
  droppedRecords: 0,
});

export interface StoreContext {
  plan?: CompiledPlan;
  tables: RouterTables;
  /** The router's clock: a shared store times its windows with it when it loads the shared state. */
  clock: Clock;
  events?: RouterEvents;
}

export interface RouterStore {
  readonly kind: string;
  /** Called once by createRouter; a store serves one router. */
  attach(ctx: StoreContext): void;
  /** The state requests decide on and record into (the mirror, for a shared store). */
  session(): Session;
  /** The local view of the state. */
  local(): LocalState;
  /** Pushes this router's changes and pulls the others' now; resolves when done (at once for the memory store). Never rejects. */
  sync(): Promise<void>;
  metrics(): StoreMetrics;
  /** Stops background work (a shared store syncs one last time) and releases connections. */
  close(): Promise<void>;
}
