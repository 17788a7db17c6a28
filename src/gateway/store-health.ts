/**
 * Whether the router's state store answers: what /readyz reports and
 * `switchyard_state_store_up` exports. The memory store is always up. A
 * shared store is pinged periodically (and is down while the router runs
 * degraded on its local mirror); a ping has a time limit.
 */
import type { Router } from '../runtime/router.ts';
import type { RouterStore } from '../runtime/stores/store.ts';

export interface StoreHealth {
  readonly kind: string;
  up(): boolean;
  /** Pings now; resolves to the new state. */
  check(): Promise<boolean>;
  stop(): void;
}

interface Pingable {
  ping(): Promise<unknown>;
}

/** The store's client when it has one that answers PING (the Redis store does). */
function clientOf(store: RouterStore): Pingable | null {
  const client = (store as { client?: Partial<Pingable> }).client;
  return client && typeof client.ping === 'function' ? (client as Pingable) : null;
}

export function storeHealth(store: RouterStore, router: Router, o: { intervalMs?: number; timeoutMs?: number } = {}): StoreHealth {
  const client = clientOf(store);
  if (store.kind === 'memory' || client === null)
    return { kind: store.kind, up: () => !router.metrics().degraded, check: async () => !router.metrics().degraded, stop() {} };
  let answered = false;
  const check = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), o.timeoutMs ?? 1_000)));
    answered = await Promise.race([
      client.ping().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
    clearTimeout(timer);
    return answered && !router.metrics().degraded;
  };
  const interval = setInterval(() => void check(), o.intervalMs ?? 5_000);
  interval.unref();
  void check();
  return { kind: store.kind, up: () => answered && !router.metrics().degraded, check, stop: () => clearInterval(interval) };
}
