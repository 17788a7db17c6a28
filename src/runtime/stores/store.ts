/**
 * Where the router's state lives. A store hands the router a Session for
 * each request (the state the decision reads, and the sink for the updates
 * it makes) and is told when the request is over. The memory store answers
 * synchronously; shared stores may take one round trip to begin and one to
 * commit.
 */
import type { CompiledPlan } from '../../plan/types.ts';
import type { LocalState, Session } from '../state.ts';
import type { RouterTables, RtLink, RtTenant } from '../tables.ts';
import type { RouterEvents } from '../types.ts';

export interface StoreMetrics {
  roundTrips: number;
  errors: number;
  degraded: boolean;
  degradedCount: number;
  recoveredCount: number;
}

export interface StoreContext {
  plan?: CompiledPlan;
  tables: RouterTables;
  events?: RouterEvents;
}

export interface RouterStore {
  readonly kind: string;
  /** Called once by createRouter; a store serves one router. */
  attach(ctx: StoreContext): void;
  /** The state for one request over these groups (and tenant). */
  begin(tenant: RtTenant | null, links: readonly RtLink[], now: number): Session | Promise<Session>;
  /** The request is over; persist what it changed. */
  commit(session: Session, now: number): void | Promise<void>;
  /** The local view of the state (the mirror, for shared stores). */
  local(): LocalState;
  metrics(): StoreMetrics;
  close(): Promise<void>;
}
