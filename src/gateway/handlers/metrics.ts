/** GET /metrics: the Prometheus text exposition of the gateway's metrics. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayState } from '../state.ts';

export async function metrics(state: GatewayState, _req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const text = await state.metrics.text();
  res.writeHead(200, ['content-type', state.metrics.contentType, 'x-request-id', requestId, 'content-length', String(Buffer.byteLength(text))]);
  res.end(text);
}
