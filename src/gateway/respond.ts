/**
 * Writing answers: JSON bodies and OpenAI-shaped errors, each with the
 * request id header. Headers are passed to writeHead as one flat array (the
 * cheapest form for Node's HTTP server).
 */
import type { ServerResponse } from 'node:http';
import { type ApiError, errorBody } from './errors.ts';

export function sendJson(res: ServerResponse, status: number, requestId: string, body: Buffer | string, extra?: readonly string[]): void {
  if (res.headersSent || res.destroyed) return;
  const headers = ['content-type', 'application/json', 'x-request-id', requestId, 'content-length', String(Buffer.byteLength(body))];
  if (extra) headers.push(...extra);
  res.writeHead(status, headers);
  res.end(body);
}

/** An error answer; `close` ends the connection after it (a request body left unread). */
export function sendError(res: ServerResponse, requestId: string, e: ApiError, close = false): void {
  const extra: string[] = [];
  if (e.retryAfterS !== undefined) extra.push('retry-after', String(e.retryAfterS));
  if (close) extra.push('connection', 'close');
  sendJson(res, e.status, requestId, errorBody(e), extra);
}
