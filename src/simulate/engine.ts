/**
 * One vLLM engine as a queue in front of a batch:
 * - a sequence runs when fewer than max-num-seqs run and the KV cache has
 *   room for its whole context (input + output tokens, reserved up front);
 *   otherwise it waits, first come first served (vLLM's scheduler does not
 *   let a later, smaller request pass a waiting one);
 * - its service time (prefill, then decode) comes from a ServiceModel, with
 *   the batch it joins: the roofline model (roofline.ts) in real runs, an
 *   exponential one in the queueing-theory tests;
 * - the caller hears at the first token (clients stream); the sequence keeps
 *   its slot until its last token;
 * - a caller that gives up (the router's timeout) aborts the sequence, as
 *   vLLM does when the client disconnects: a waiting one leaves the queue, a
 *   running one frees its slot.
 * Utilisation is running sequences / max-num-seqs averaged over the
 * simulated window: the vllm_batch_utilization SLO's measure.
 */
import { type EventLoop, TimedEvent } from './event-loop.ts';

export interface ServiceTimes {
  prefillMs: number;
  decodeMs: number;
}

export interface ServiceModel {
  /** `batch`: sequences running once this one starts (itself included); `contextTokens`: KV tokens they hold. */
  times(inputTokens: number, outputTokens: number, batch: number, contextTokens: number): ServiceTimes;
}

const QUEUED = 0;
const PREFILL = 1;
const DECODE = 2;
const DONE = 3;
const ABORTED = 4;

/** Who waits for a sequence's first token (the transport's call). */
export interface FirstTokenListener {
  firstToken(): void;
}

/**
 * One sequence. It is its own event: due at its first token while it
 * prefills, then (scheduled again) at its last token while it decodes.
 */
export class Job extends TimedEvent {
  // Assigned in the constructor, not as field initializers (see TimedEvent).
  declare state: number;
  /** KV tokens reserved while it runs. */
  readonly kv: number;
  /** Context it holds on average over its decode (for the step time of the others). */
  readonly ctx: number;
  declare decodeMs: number;

  constructor(
    private readonly engine: Engine,
    readonly input: number,
    readonly output: number,
    readonly enqueuedAt: number,
    private readonly listener: FirstTokenListener,
  ) {
    super();
    this.state = QUEUED;
    this.decodeMs = 0;
    this.kv = input + output;
    // A sequence holds, on average over its decode, its input and half its output.
    this.ctx = input + output / 2;
  }

  /** Started, with its first token due no later than `deadline` (an event due at the same time as one scheduled after it fires first). */
  firstTokenBy(deadline: number): boolean {
    return this.state === PREFILL && this.t <= deadline;
  }

  fire(): void {
    if (this.state === PREFILL) {
      this.state = DECODE;
      this.engine.decode(this);
      this.listener.firstToken();
    } else if (this.state === DECODE) this.engine.finish(this);
  }
}

/** Growable Float64 samples (waits, latencies) without boxing. */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
  sum(): number {
    let s = 0;
    for (let i = 0; i < this.length; i++) s += this.data[i]!;
    return s;
  }
}

export interface EngineFigures {
  submitted: number;
  started: number;
  /** Gave up (timed out) while waiting / while running. */
  abortedWaiting: number;
  abortedRunning: number;
  /** Larger than the whole KV cache: refused. */
  refused: number;
  maxQueue: number;
  /** ∫ running dt over the window, in sequence-ms. */
  runningArea: number;
  waits: Samples;
}

export class Engine {
  private running = 0;
  private kvUsed = 0;
  private contextTokens = 0;
  private readonly queue: Job[] = [];
  private head = 0;
  /** Queued and not aborted. */
  private waiting = 0;
  private lastChange = 0;
  readonly figures: EngineFigures = {
    submitted: 0,
    started: 0,
    abortedWaiting: 0,
    abortedRunning: 0,
    refused: 0,
    maxQueue: 0,
    runningArea: 0,
    waits: new Samples(),
  };

  constructor(
    readonly id: string,
    readonly maxNumSeqs: number,
    readonly kvTokens: number,
    private readonly service: ServiceModel,
    private readonly loop: EventLoop,
    /** Utilisation is measured over [start, end). */
    private readonly start: number,
    private readonly end: number,
  ) {
    this.lastChange = start;
  }

  private account(now: number): void {
    const a = Math.min(Math.max(this.lastChange, this.start), this.end);
    const b = Math.min(Math.max(now, this.start), this.end);
    this.figures.runningArea += this.running * (b - a);
    this.lastChange = now;
  }

  /** Queues a sequence; null when it can never fit (larger than the KV cache). */
  submit(input: number, output: number, listener: FirstTokenListener): Job | null {
    const f = this.figures;
    f.submitted++;
    if (input + output > this.kvTokens) {
      f.refused++;
      return null;
    }
    const job = new Job(this, input, output, this.loop.now(), listener);
    this.queue.push(job);
    this.waiting++;
    this.pump();
    if (this.waiting > f.maxQueue) f.maxQueue = this.waiting;
    return job;
  }

  private pump(): void {
    const q = this.queue;
    while (this.head < q.length) {
      const job = q[this.head]!;
      if (job.state === ABORTED) {
        this.head++;
        continue;
      }
      if (this.running >= this.maxNumSeqs || this.kvUsed + job.kv > this.kvTokens) break;
      this.head++;
      this.waiting--;
      this.begin(job);
    }
    // Drop the consumed prefix now and then, so the array does not grow with the run.
    if (this.head > 4096 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  private begin(job: Job): void {
    const now = this.loop.now();
    this.account(now);
    this.running++;
    this.kvUsed += job.kv;
    this.contextTokens += job.ctx;
    job.state = PREFILL;
    const f = this.figures;
    f.started++;
    f.waits.push(now - job.enqueuedAt);
    const t = this.service.times(job.input, job.output, this.running, this.contextTokens);
    job.decodeMs = t.decodeMs;
    this.loop.schedule(job, now + t.prefillMs);
  }

  /** First token out: the sequence decodes until its last. */
  decode(job: Job): void {
    this.loop.schedule(job, this.loop.now() + job.decodeMs);
  }

  finish(job: Job): void {
    this.account(this.loop.now());
    job.state = DONE;
    this.running--;
    this.kvUsed -= job.kv;
    this.contextTokens -= job.ctx;
    this.pump();
  }

  /** The caller gave up before the first token. */
  abort(job: Job): void {
    if (job.state === QUEUED) {
      job.state = ABORTED;
      this.waiting--;
      this.figures.abortedWaiting++;
      return;
    }
    if (job.state !== PREFILL) return;
    job.cancelled = true;
    this.figures.abortedRunning++;
    this.finish(job);
    job.state = ABORTED;
  }

  /** Closes the utilisation integral at the end of the window. */
  close(): void {
    this.account(Math.max(this.loop.now(), this.end));
  }

  get queued(): number {
    return this.waiting;
  }
}
