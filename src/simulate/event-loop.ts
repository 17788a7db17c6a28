/**
 * Virtual time for the simulator: a priority queue of timed callbacks and a
 * Clock the real router runs on. The router is async (it awaits the
 * transport and clock.sleep), so after each event the loop lets every
 * request it woke run until it waits again, before time moves on. It knows
 * when that is by counting: a request is active from the moment it is woken
 * until it parks (in the transport, in sleep, or by finishing), and every
 * park point is code of the simulator. The last request to park runs the
 * next events itself (from the microtask it parked in), so no promise or
 * timer is spent per event. No timers, no I/O: a run is a pure function of
 * its inputs and seed.
 */
import type { Clock } from '../runtime/types.ts';

/**
 * Something that happens at a time: the loop calls fire() when it comes,
 * unless it was cancelled. The hot parts of the models (transport replies,
 * engine sequences, deadlines) subclass it, so an event is one object
 * rather than an object and a closure.
 */
export abstract class TimedEvent {
  t = 0;
  seq = 0;
  cancelled = false;
  abstract fire(): void;
}

class Callback extends TimedEvent {
  constructor(private readonly fn: () => void) {
    super();
  }
  fire(): void {
    this.fn();
  }
}

export class EventLoop implements Clock {
  private time: number;
  private readonly heap: TimedEvent[] = [];
  private seq = 0;
  /** Requests woken and not yet parked again. */
  private active = 0;
  /** True while step() runs events: a park inside an event must not start another step. */
  private stepping = false;
  private finished: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  /** Events run, for the speed figures. */
  events = 0;

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** The router's backoff: parks the caller until the loop reaches now + ms. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.at(this.time + Math.max(0, ms), () => {
        this.unpark();
        resolve();
      });
      this.park();
    });
  }

  at(t: number, fn: () => void): TimedEvent {
    return this.schedule(new Callback(fn), t);
  }

  /** Schedules an event object (again, once it has fired) at t, or now if t is past. */
  schedule<E extends TimedEvent>(e: E, t: number): E {
    e.t = Math.max(t, this.time);
    e.seq = this.seq++;
    e.cancelled = false;
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.t < e.t || (parent.t === e.t && parent.seq < e.seq)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
    return e;
  }

  /** A request starts or is woken: it runs until it parks. */
  unpark(): void {
    this.active++;
  }

  /**
   * A request waits (or is done): when none is left running, time moves on,
   * from a microtask, so the code that parked finishes its synchronous part
   * (the router awaiting the call it just made) before any other event runs.
   */
  park(): void {
    if (--this.active === 0 && !this.stepping && this.finished !== null) queueMicrotask(this.resume);
  }

  private readonly resume = (): void => {
    if (this.active === 0 && !this.stepping && this.finished !== null) this.step();
  };
  private pop(): TimedEvent | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (h[r]!.t < h[l]!.t || (h[r]!.t === h[l]!.t && h[r]!.seq < h[l]!.seq))) c = r;
        const child = h[c]!;
        if (last.t < child.t || (last.t === child.t && last.seq < child.seq)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Runs events while no request is running; returns when one is (its park resumes the loop) or when none is left. */
  private step(): void {
    this.stepping = true;
    try {
      while (this.active === 0) {
        const e = this.pop();
        if (e === undefined) {
          const f = this.finished!;
          this.finished = null;
          f.resolve();
          return;
        }
        if (e.cancelled) continue;
        this.time = e.t;
        this.events++;
        e.fire();
      }
    } catch (err) {
      const f = this.finished!;
      this.finished = null;
      f.reject(err);
    } finally {
      this.stepping = false;
    }
  }

  /** Runs every event in time order until none is left. */
  run(): Promise<void> {
    if (this.finished !== null) return Promise.reject(new Error('the event loop is already running'));
    return new Promise((resolve, reject) => {
      this.finished = { resolve, reject };
      if (this.active === 0) this.step();
    });
  }

  get pending(): number {
    return this.heap.length;
  }
}
