/**
 * What the emulated model answers for one request of a batch. Answers are
 * deterministic: a chat reply echoes the start of the last user message
 * (so placeholders from redaction come back and can be re-identified),
 * embeddings are derived from a hash of the input, and usage counts one
 * token per four characters. A request whose output limit passes the
 * context window fails with the same 400 as the real API (the
 * `batch_error.jsonl` fixture); with a failure rate set, some requests fail
 * with a 500 `server_error`, chosen by a hash of batch and custom_id.
 */
import { createHash } from 'node:crypto';

const CONTEXT_WINDOW = 128_000;
const REPLY_CHARS = 200;

export interface Outcome {
  status: number;
  body: unknown;
  promptTokens: number;
  completionTokens: number;
}

/** A number in [0, 1) from a hash of the parts: the same for the same batch and request, on every machine. */
export function unitHash(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

export function hexId(bytes: number, ...parts: string[]): string {
  return createHash('sha256')
    .update(parts.join('\u0000'))
    .digest('hex')
    .slice(0, bytes * 2);
}

const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown };
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content))
      return m.content
        .map((p) => (typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
        .filter(Boolean)
        .join(' ');
  }
  const input = body.input ?? body.prompt;
  return typeof input === 'string' ? input : JSON.stringify(input ?? '');
}

const errorBody = (message: string, type: string, param: string | null, code: string | null) => ({ error: { message, type, param, code } });

export function answer(endpoint: string, body: Record<string, unknown>, batchId: string, customId: string, createdSec: number, failureRate: number): Outcome {
  const model = String(body.model);
  const prompt = tokens(JSON.stringify(body.messages ?? body.input ?? body.prompt ?? ''));
  const limit = [body.max_tokens, body.max_completion_tokens, body.max_output_tokens].find((v) => typeof v === 'number') as number | undefined;
  if (limit !== undefined && prompt + limit > CONTEXT_WINDOW)
    return {
      status: 400,
      body: errorBody(
        `This model's maximum context length is ${CONTEXT_WINDOW} tokens. However, you requested ${prompt + limit} tokens (${prompt} in the messages, ${limit} in the completion). Please reduce the length of the messages or completion.`,
        'invalid_request_error',
        'messages',
        'context_length_exceeded',
      ),
      promptTokens: 0,
      completionTokens: 0,
    };
  if (failureRate > 0 && unitHash('fail', batchId, customId) < failureRate)
    return {
      status: 500,
      body: errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null, null),
      promptTokens: 0,
      completionTokens: 0,
    };
  const id = hexId(12, batchId, customId);
  const reply = `Emulated reply to: ${lastUserText(body).slice(0, REPLY_CHARS)}`;
  const completion = Math.min(tokens(reply), limit ?? Number.POSITIVE_INFINITY);
  switch (endpoint) {
    case '/v1/embeddings': {
      const inputs = Array.isArray(body.input) && typeof body.input[0] !== 'number' ? body.input : [body.input];
      const data = inputs.map((x, index) => ({
        object: 'embedding',
        index,
        embedding: Array.from({ length: 8 }, (_, k) => Math.round((unitHash('emb', JSON.stringify(x), String(k)) * 2 - 1) * 10_000) / 10_000),
      }));
      return {
        status: 200,
        body: { object: 'list', data, model, usage: { prompt_tokens: prompt, total_tokens: prompt } },
        promptTokens: prompt,
        completionTokens: 0,
      };
    }
    case '/v1/completions':
      return {
        status: 200,
        body: {
          id: `cmpl-${id}`,
          object: 'text_completion',
          created: createdSec,
          model,
          system_fingerprint: 'fp_emulator',
          choices: [{ text: reply, index: 0, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        },
        promptTokens: prompt,
        completionTokens: completion,
      };
    case '/v1/responses':
      return {
        status: 200,
        body: {
          id: `resp_${id}`,
          object: 'response',
          created_at: createdSec,
          status: 'completed',
          model,
          output: [
            { type: 'message', id: `msg_${id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply, annotations: [] }] },
          ],
          usage: { input_tokens: prompt, output_tokens: completion, total_tokens: prompt + completion },
        },
        promptTokens: prompt,
        completionTokens: completion,
      };
    default:
      return {
        status: 200,
        body: {
          id: `chatcmpl-${id}`,
          object: 'chat.completion',
          created: createdSec,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
          system_fingerprint: 'fp_emulator',
        },
        promptTokens: prompt,
        completionTokens: completion,
      };
  }
}
