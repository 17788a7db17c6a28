/** The default store: state in this process only, one LocalState that every request reads and updates in place. */
import { LocalState } from '../state.ts';
import { emptyStoreMetrics, type RouterStore, type StoreContext, type StoreMetrics } from './store.ts';

export class MemoryStore implements RouterStore {
  readonly kind = 'memory';
  private state: LocalState | null = null;
  private readonly stats: StoreMetrics = emptyStoreMetrics();

  attach(ctx: StoreContext): void {
    if (this.state) throw new Error('a store serves one router; create one store per router');
    this.state = new LocalState(ctx.tables);
  }
  session(): LocalState {
    return this.local();
  }
  local(): LocalState {
    if (!this.state) throw new Error('store is not attached to a router');
    return this.state;
  }
  async sync(): Promise<void> {}
  metrics(): StoreMetrics {
    return this.stats;
  }
  async close(): Promise<void> {}
}

export const memoryStore = (): MemoryStore => new MemoryStore();
