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
  // Assigned in the constructor rather than as class fields: V8 defines
  // fields with define semantics through a separate initializer, which
  // showed as a tenth of a long run's profile for these hot objects.
  declare t: number;
  declare seq: number;
  declare cancelled: boolean;
  constructor() {
    this.t = 0;
    this.seq = 0;
    this.cancelled = false;
  }
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

/**
 * The queue is a binary heap of events whose keys (time, then sequence) live
 * in typed arrays beside it: the events are of several classes, and reading
 * `t` and `seq` off them in every comparison made each sift a megamorphic
 * property lookup, the loop's main cost.
 */
/** The end of a sleep: wakes the sleeper. */
class Wake extends TimedEvent {
  constructor(
    private readonly loop: EventLoop,
    private readonly resolve: () => void,
  ) {
    super();
  }
  fire(): void {
    this.loop.unpark();
    this.resolve();
  }
}

// One shared promise executor that hands its resolve over through this
// variable (it runs synchronously inside new Promise): a sleep allocates no
// closure to learn its resolve.
let capturedWake: (() => void) | null = null;
const captureWake = (resolve: () => void): void => {
  capturedWake = resolve;
};

const SETTLED = Promise.resolve();

export class EventLoop implements Clock {
  private time: number;
  private readonly heap: TimedEvent[] = [];
  private heapT = new Float64Array(1024);
  private heapSeq = new Float64Array(1024);
  private size = 0;
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
    const promise = new Promise<void>(captureWake);
    const wake = new Wake(this, capturedWake!);
    capturedWake = null;
    this.schedule(wake, this.time + Math.max(0, ms));
    this.park();
    return promise;
  }

  at(t: number, fn: () => void): TimedEvent {
    return this.schedule(new Callback(fn), t);
  }

  /** Schedules an event object (again, once it has fired) at t, or now if t is past. */
  schedule<E extends TimedEvent>(e: E, t: number): E {
    const et = Math.max(t, this.time);
    const es = this.seq++;
    e.t = et;
    e.seq = es;
    e.cancelled = false;
    if (this.size === this.heapT.length) this.grow();
    const h = this.heap;
    const ht = this.heapT;
    const hs = this.heapSeq;
    let i = this.size++;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p]!;
      if (pt < et || (pt === et && hs[p]! < es)) break;
      h[i] = h[p]!;
      ht[i] = pt;
      hs[i] = hs[p]!;
      i = p;
    }
    h[i] = e;
    ht[i] = et;
    hs[i] = es;
    return e;
  }

  private grow(): void {
    const t = new Float64Array(this.heapT.length * 2);
    t.set(this.heapT);
    this.heapT = t;
    const s = new Float64Array(this.heapSeq.length * 2);
    s.set(this.heapSeq);
    this.heapSeq = s;
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
    // A reaction on a settled promise rather than queueMicrotask: the same
    // microtask queue, in the same order, without Node's per-call wrapper.
    if (--this.active === 0 && !this.stepping && this.finished !== null) void SETTLED.then(this.resume);
  }

  private readonly resume = (): void => {
    if (this.active === 0 && !this.stepping && this.finished !== null) this.step();
  };
  private pop(): TimedEvent | undefined {
    if (this.size === 0) return undefined;
    const h = this.heap;
    const ht = this.heapT;
    const hs = this.heapSeq;
    const top = h[0]!;
    const n = --this.size;
    const last = h.pop()!;
    const lt = ht[n]!;
    const ls = hs[n]!;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (ht[r]! < ht[l]! || (ht[r]! === ht[l]! && hs[r]! < hs[l]!))) c = r;
        const ct = ht[c]!;
        if (lt < ct || (lt === ct && ls < hs[c]!)) break;
        h[i] = h[c]!;
        ht[i] = ct;
        hs[i] = hs[c]!;
        i = c;
      }
      h[i] = last;
      ht[i] = lt;
      hs[i] = ls;
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
    return this.size;
  }
}
