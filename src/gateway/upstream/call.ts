/**
 * One non-streamed upstream call: the request goes out through the pool, the
 * whole answer is read (bounded in size and time), and the outcome is handed
 * back as data. The handler object is the undici dispatch handler itself, so
 * a call allocates one object and no stream.
 */
import type { Dispatcher } from 'undici';
import type { Abortable } from '../exchange.ts';
import type { Headers } from './retry-after.ts';

export type Interrupted = 'timeout' | 'connection' | 'cancelled' | 'too-large';

export type CallOutcome = { kind: 'response'; status: number; headers: Headers; body: Buffer } | { kind: Interrupted };

export interface CallSpec {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | string;
  timeoutMs: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** How an undici error reads to routing. */
export const interruption = (e: Error): Interrupted => (TIMEOUT_CODES.has((e as { code?: string }).code ?? '') ? 'timeout' : 'connection');

export class BufferedCall implements Dispatcher.DispatchHandler, Abortable {
  readonly outcome: Promise<CallOutcome>;
  private resolve!: (o: CallOutcome) => void;
  private controller: Dispatcher.DispatchController | null = null;
  private interrupted: Interrupted | null = null;
  private settled = false;
  private status = 0;
  private headers: Headers = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    dispatcher: Dispatcher,
    spec: CallSpec,
    private readonly maxBytes: number,
  ) {
    this.outcome = new Promise((r) => (this.resolve = r));
    this.timer = setTimeout(this.onTimeout, spec.timeoutMs);
    dispatcher.dispatch(
      {
        origin: spec.origin,
        path: spec.path,
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
        headersTimeout: spec.timeoutMs,
        bodyTimeout: spec.timeoutMs,
      },
      this,
    );
  }

  private readonly onTimeout = (): void => this.interrupt('timeout');

  cancel(): void {
    this.interrupt('cancelled');
  }

  private interrupt(why: Interrupted): void {
    if (this.settled) return;
    this.interrupted = why;
    // Before onRequestStart there is no controller yet: it aborts on arrival.
    this.controller?.abort(new Error(why));
    this.settle({ kind: why });
  }

  private settle(o: CallOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(o);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.interrupted !== null) controller.abort(new Error(this.interrupted));
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Headers): void {
    this.status = status;
    this.headers = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.interrupt('too-large');
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.settle({ kind: 'response', status: this.status, headers: this.headers, body });
  }

  onResponseError(_c: Dispatcher.DispatchController, e: Error): void {
    this.settle({ kind: this.interrupted ?? interruption(e) });
  }
}
