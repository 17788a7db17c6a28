/**
 * Whether the router's state store is up: what /readyz reports and
 * `switchyard_state_store_up` exports. A shared store syncs in the
 * background (every syncIntervalMs); a sync that fails or outlasts its
 * command timeout marks the store degraded while routing goes on on the
 * local mirror, and the next sync that succeeds clears it. So the store's
 * own flag is the signal, at most one interval and one command timeout old,
 * and reading it costs nothing. The memory store is never degraded.
 */
import type { RouterStore } from '../runtime/stores/store.ts';

export interface StoreHealth {
  readonly kind: string;
  up(): boolean;
  /** Completed syncs with the shared state (0 for the memory store): /readyz shows it, so an operator (or a test) can see syncs happen. */
  syncs(): number;
}

/** Reads the store of the current generation each time: a plan reload may bring a new store (a new connection to the same shared state). */
export const storeHealth = (store: () => RouterStore): StoreHealth => ({
  get kind() {
    return store().kind;
  },
  up: () => !store().metrics().degraded,
  syncs: () => store().metrics().syncs,
});
