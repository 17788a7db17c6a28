/**
 * Server-sent events, incrementally: upstream bytes arrive in arbitrary
 * chunks and an event ends at a blank line (LF LF, CRLF CRLF or CR CR, per
 * the HTML event-stream format). The splitter hands back whole events as
 * byte ranges so a relay can forward them untouched.
 */

const LF = 0x0a;
const CR = 0x0d;

/** Index just past the blank line that ends the event starting at `from`, or -1 when it has not arrived yet. */
export function eventEnd(b: Buffer, from: number): number {
  let i = b.indexOf(LF, from);
  // The common case (LF line endings): the first "\n\n".
  while (i >= 0) {
    if (b[i + 1] === LF) return i + 2;
    if (b[i - 1] === CR && b[i + 1] === CR && b[i + 2] === LF) return i + 3;
    i = b.indexOf(LF, i + 1);
  }
  // CR-only line endings.
  i = b.indexOf(CR, from);
  while (i >= 0 && i + 1 < b.length) {
    if (b[i + 1] === CR) return i + 2;
    i = b.indexOf(CR, i + 1);
  }
  return -1;
}

export class SseSplitter {
  private pending: Buffer | null = null;

  /**
   * Adds a chunk; returns the buffer holding every complete event received so
   * far, and where they end (events are b[0, end)). The rest waits for more.
   */
  push(chunk: Buffer): { buffer: Buffer; ends: number[] } {
    const b = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    const ends: number[] = [];
    let from = 0;
    for (let e = eventEnd(b, 0); e > 0; e = eventEnd(b, from)) {
      ends.push(e);
      from = e;
    }
    this.pending = from < b.length ? b.subarray(from) : null;
    return { buffer: b, ends };
  }

  /** Bytes received after the last complete event (an event cut off by the end of the stream). */
  rest(): Buffer | null {
    return this.pending;
  }
}

export interface SseEvent {
  /** The `event:` field, or '' (a plain `message`). */
  event: string;
  /** The `data:` lines joined with LF. */
  data: string;
}

/** Parses one event's text (comments, `id:` and `retry:` ignored). */
export function parseEvent(text: string): SseEvent {
  let event = '';
  let data: string | null = null;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    if (raw === '' || raw.startsWith(':')) continue;
    const colon = raw.indexOf(':');
    const field = colon < 0 ? raw : raw.slice(0, colon);
    let value = colon < 0 ? '' : raw.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data = data === null ? value : `${data}\n${value}`;
  }
  return { event, data: data ?? '' };
}

/** One `data:` event as bytes on the wire. */
export const dataEvent = (json: string): string => `data: ${json}\n\n`;

export const DONE_EVENT = 'data: [DONE]\n\n';
