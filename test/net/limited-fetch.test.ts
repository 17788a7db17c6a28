import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/ports.ts';
import { displayUrl, type FetchError, limitedFetch } from '../../src/net/limited-fetch.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/small') return res.end('hello');
    if (req.url === '/declared-big') {
      res.writeHead(200, { 'content-length': String(10_000_000) });
      return res.write('x');
    }
    if (req.url === '/chunked-big') {
      // No content-length: the limit must hold while streaming.
      const chunk = Buffer.alloc(64 * 1024, 'y');
      let sent = 0;
      const more = () => {
        while (sent < 100 && res.write(chunk)) sent++;
        if (sent < 100) res.once('drain', more);
        else res.end();
      };
      return more();
    }
    if (req.url === '/stall-body') {
      res.writeHead(200);
      return res.write('partial');
    }
    // /stall-headers: never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const err = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as FetchError,
  );

describe('limitedFetch', () => {
  it('reads a body within the limits', async () => {
    expect((await limitedFetch(`${base}/small`, { timeoutMs: 2000, maxBytes: 5 })).text).toBe('hello');
  });

  it('refuses a body one byte over the limit, declared or streamed', async () => {
    expect((await err(limitedFetch(`${base}/small`, { timeoutMs: 2000, maxBytes: 4 })))?.reason).toBe('too-large');
    expect((await err(limitedFetch(`${base}/declared-big`, { timeoutMs: 2000, maxBytes: 1_000_000 })))?.reason).toBe('too-large');
    const e = await err(limitedFetch(`${base}/chunked-big`, { timeoutMs: 5000, maxBytes: 1_000_000 }));
    expect([e?.reason, e?.message]).toEqual(['too-large', `${base}/chunked-big sent more than the 1000000 bytes allowed`]);
  });

  it('times out while waiting for headers and while reading the body', async () => {
    expect((await err(limitedFetch(`${base}/stall-headers`, { timeoutMs: 300, maxBytes: 100 })))?.reason).toBe('timeout');
    expect((await err(limitedFetch(`${base}/stall-body`, { timeoutMs: 300, maxBytes: 100 })))?.reason).toBe('timeout');
  });

  it('names a refused connection, and never prints credentials or query strings of the URL', async () => {
    const e = await err(limitedFetch(`http://user:hunter2@127.0.0.1:${await freePort()}/x?token=abc`, { timeoutMs: 2000, maxBytes: 100 }));
    expect(e?.reason).toBe('unreachable');
    expect(e?.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:[0-9]+\/x \(ECONNREFUSED\)$/);
    expect(displayUrl('https://a:b@h:1/p?q=1')).toBe('https://h:1/p');
  });
});
