/** The default store: state in this process only. Begin and commit are synchronous no-ops over one LocalState. */
import { LocalState, type Session } from '../state.ts';
import type { RouterStore, StoreContext, StoreMetrics } from './store.ts';

export class MemoryStore implements RouterStore {
  readonly kind = 'memory';
  private state: LocalState | null = null;
  private readonly stats: StoreMetrics = { roundTrips: 0, errors: 0, degraded: false, degradedCount: 0, recoveredCount: 0 };

  attach(ctx: StoreContext): void {
    if (this.state) throw new Error('a store serves one router; create one store per router');
    this.state = new LocalState(ctx.tables);
  }
  begin(): Session {
    return this.local();
  }
  commit(): void {}
  local(): LocalState {
    if (!this.state) throw new Error('store is not attached to a router');
    return this.state;
  }
  metrics(): StoreMetrics {
    return this.stats;
  }
  async close(): Promise<void> {}
}

export const memoryStore = (): MemoryStore => new MemoryStore();
