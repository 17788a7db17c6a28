/**
 * Reading a request body with a size limit: a declared Content-Length over
 * the limit is refused before a byte is read, a chunked body as soon as it
 * crosses it. The caller answers 413 and closes the connection (the rest of
 * the body is never read).
 */
import type { IncomingMessage } from 'node:http';

export const TOO_LARGE = 1;
export const ABORTED = 2;

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_LARGE | typeof ABORTED> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | typeof TOO_LARGE | typeof ABORTED) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(v);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause();
        return finish(TOO_LARGE);
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('close', () => finish(ABORTED));
    req.once('error', () => finish(ABORTED));
  });
}

/** `10mb`, `512kb`, `1048576`: a size in bytes (binary multiples), or null. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
