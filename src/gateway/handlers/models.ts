/** GET /v1/models: the model groups the calling tenant may use, in OpenAI's list shape. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { unauthorized } from '../errors.ts';
import { sendError, sendJson } from '../respond.ts';
import type { GatewayState } from '../state.ts';

export function models(state: GatewayState, req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const gen = state.gen;
  const tenant = gen.keys.authenticate(req.headers.authorization);
  if (tenant === null) {
    state.metrics.reject('', 'unauthorized');
    sendError(res, requestId, unauthorized(req.headers.authorization !== undefined));
  } else sendJson(res, 200, requestId, gen.models[tenant.index]!);
}
