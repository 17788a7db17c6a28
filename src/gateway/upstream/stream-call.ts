/**
 * One streamed upstream call relayed to the client as it arrives. Until the
 * first byte goes to the client, every failure (an error status, a timeout
 * before the first event, a stream that breaks early) is an ordinary failed
 * call that routing may retry or fall back from. The first client byte
 * commits: from then on a failure ends the client's stream with an error
 * event and the call reports itself final.
 *
 * Backpressure: when the client's socket buffer is full the upstream is
 * paused, and resumed on 'drain', so a slow reader holds at most a socket
 * buffer's worth of the answer in the gateway.
 */
import type { Dispatcher } from 'undici';
import type { Abortable, Exchange } from '../exchange.ts';
import type { StreamFailure, StreamRelay } from '../providers/types.ts';
import { type CallSpec, type Interrupted, interruption } from './call.ts';
import type { Headers } from './retry-after.ts';
import { DONE_EVENT, dataEvent } from './sse.ts';

/** Error bodies of failed streams are read only to be discarded; a little is enough. */
const MAX_ERROR_BODY = 64 * 1024;

export type StreamOutcome =
  /** The upstream answered with an error status before streaming. */
  | { kind: 'response'; status: number; headers: Headers }
  /** Interrupted; `committed` when part of the answer had reached the client. */
  | { kind: Interrupted; committed: boolean }
  /** The stream ended wrong (error event, early end). */
  | { kind: 'broken'; failure: StreamFailure; committed: boolean }
  | { kind: 'complete'; firstByteMs: number };

export interface StreamSpec extends CallSpec {
  /** Limit before the first client byte. */
  firstByteMs: number;
  /** Limit between upstream chunks once streaming. */
  idleMs: number;
  /** Sent to the client with the stream's headers. */
  deployment: string;
}

/** An error event in OpenAI's mid-stream form (what the OpenAI SDKs raise on), then the end marker. */
function errorEvents(message: string): string {
  return `${dataEvent(JSON.stringify({ error: { message, type: 'server_error', param: null, code: 'upstream_stream_error' } }))}${DONE_EVENT}`;
}

export class StreamCall implements Dispatcher.DispatchHandler, Abortable {
  readonly outcome: Promise<StreamOutcome>;
  private resolve!: (o: StreamOutcome) => void;
  private controller: Dispatcher.DispatchController | null = null;
  private interrupted: Interrupted | null = null;
  private settled = false;
  private status = 0;
  private responseHeaders: Headers = {};
  private errorBytes = 0;
  private committed = false;
  private readonly started = performance.now();
  private firstByteMs = 0;
  private timer: NodeJS.Timeout | null;

  constructor(
    dispatcher: Dispatcher,
    private readonly spec: StreamSpec,
    private readonly ex: Exchange,
    private readonly relay: StreamRelay,
  ) {
    this.outcome = new Promise((r) => (this.resolve = r));
    this.timer = setTimeout(this.onTimeout, spec.firstByteMs);
    dispatcher.dispatch(
      {
        origin: spec.origin,
        path: spec.path,
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
        headersTimeout: spec.firstByteMs,
        bodyTimeout: spec.idleMs,
      },
      this,
    );
  }

  private readonly onTimeout = (): void => this.interrupt('timeout');

  private readonly onDrain = (): void => this.controller?.resume();

  cancel(): void {
    this.interrupt('cancelled');
  }

  private interrupt(why: Interrupted): void {
    if (this.settled) return;
    this.interrupted = why;
    this.controller?.abort(new Error(why));
    this.fail(why);
  }

  /** Ends the call as interrupted; a committed client stream gets an error event (unless the client is gone). */
  private fail(why: Interrupted): void {
    if (this.committed && why !== 'cancelled')
      this.endClient(errorEvents(why === 'timeout' ? 'the provider stopped sending within the time limit' : 'the provider connection failed mid-stream'));
    this.settle({ kind: why, committed: this.committed });
  }

  private settle(o: StreamOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.ex.res.off('drain', this.onDrain);
    this.resolve(o);
  }

  private commit(): void {
    this.committed = true;
    this.ex.committed = true;
    this.firstByteMs = performance.now() - this.started;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const res = this.ex.res;
    res.writeHead(200, [
      'content-type',
      'text/event-stream; charset=utf-8',
      'cache-control',
      'no-cache',
      'x-request-id',
      this.ex.requestId,
      'x-switchyard-deployment',
      this.spec.deployment,
    ]);
    res.on('drain', this.onDrain);
  }

  private write(bytes: Buffer | string): void {
    if (!this.committed) this.commit();
    if (!this.ex.res.write(bytes)) this.controller?.pause();
  }

  private endClient(tail: string | null): void {
    const res = this.ex.res;
    if (res.writableEnded || res.destroyed) return;
    if (tail !== null) res.end(tail);
    else res.end();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.interrupted !== null) controller.abort(new Error(this.interrupted));
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Headers): void {
    this.status = status;
    this.responseHeaders = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.status < 200 || this.status > 299) {
      this.errorBytes += chunk.length;
      if (this.errorBytes > MAX_ERROR_BODY) this.interrupt('too-large');
      return;
    }
    const out = this.relay.push(chunk);
    if (out !== null && out.length > 0) this.write(out);
  }

  onResponseEnd(_c: Dispatcher.DispatchController, _trailers: Headers): void {
    if (this.settled) return;
    if (this.status < 200 || this.status > 299) {
      this.settle({ kind: 'response', status: this.status, headers: this.responseHeaders });
      return;
    }
    const { tail, failure } = this.relay.end();
    if (tail !== null && tail.length > 0) this.write(tail);
    if (failure !== null) {
      if (this.committed) this.endClient(failure.reported ? null : errorEvents(failure.message));
      this.settle({ kind: 'broken', failure, committed: this.committed });
      return;
    }
    if (!this.committed) this.commit();
    this.endClient(null);
    this.settle({ kind: 'complete', firstByteMs: this.firstByteMs });
  }

  onResponseError(_c: Dispatcher.DispatchController, e: Error): void {
    if (this.settled) return;
    this.fail(this.interrupted ?? interruption(e));
  }
}
