import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventEnd, parseEvent, SseSplitter } from '../../../src/gateway/upstream/sse.ts';
import { wireText } from '../../fixtures/upstream-standins.ts';

describe('server-sent events', () => {
  it('splits a stream into the same events however the bytes are chunked (LF, CRLF and CR line endings)', () => {
    const source = wireText('anthropic/messages_stream_tool_use.sse');
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = source.replace(/\n/g, eol);
      const whole = Buffer.from(text);
      const expected = text
        .split(`${eol}${eol}`)
        .filter(Boolean)
        .map((e) => parseEvent(e));
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: whole.length - 1 }), { maxLength: 12 }), (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const s = new SseSplitter();
          const events: ReturnType<typeof parseEvent>[] = [];
          let from = 0;
          for (const to of [...points, whole.length]) {
            const { buffer, ends } = s.push(whole.subarray(from, to));
            let start = 0;
            for (const e of ends) {
              events.push(parseEvent(buffer.toString('utf8', start, e)));
              start = e;
            }
            from = to;
          }
          expect(events).toEqual(expected);
          expect(s.rest()).toBeNull();
        }),
        { numRuns: 60 },
      );
    }
  });

  it('parses event and multi-line data fields, skipping comments', () => {
    expect(parseEvent(': ping\nevent: message_stop\ndata: {"a":\ndata: 1}\n\n')).toEqual({ event: 'message_stop', data: '{"a":\n1}' });
    expect(eventEnd(Buffer.from('data: x\n'), 0)).toBe(-1);
    expect(eventEnd(Buffer.from('data: x\n\ndata: y\n\n'), 0)).toBe(9);
  });
});
