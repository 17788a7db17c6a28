/**
 * Anthropic's streaming events as OpenAI chat completion chunks:
 * message_start -> the role chunk; text deltas -> content deltas; a tool_use
 * block -> a tool call (id and name first, then argument fragments, indexed
 * in tool-call order); message_delta -> the finish chunk (its usage is
 * cumulative: the last value counts, nothing is added up); message_stop ->
 * the usage chunk when the client asked for one, then `data: [DONE]`. An
 * `error` event becomes OpenAI's mid-stream error form, followed by
 * `[DONE]`. Pings and unknown events and deltas are skipped.
 */
import type { Usage } from '../../runtime/types.ts';
import { DONE_EVENT, dataEvent, parseEvent, SseSplitter } from '../upstream/sse.ts';
import { finishReason, openAiUsage, usageOfMessage } from './anthropic-translate.ts';
import type { StreamFailure, StreamRelay } from './types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Routing reads an error event by its type: overloaded (the 529 family) like a 503. */
const ERROR_STATUS: Record<string, number> = {
  overloaded_error: 503,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
};

export class AnthropicRelay implements StreamRelay {
  private readonly splitter = new SseSplitter();
  private id = '';
  private model = '';
  private readonly tools = new Map<number, number>();
  private input = 0;
  private cached = 0;
  private output = 0;
  private done = false;
  failure: StreamFailure | null = null;

  constructor(
    private readonly clientUsage: boolean,
    /** Epoch seconds for the chunks' `created`. */
    private readonly created: number,
  ) {}

  private chunk(delta: Json, finish: string | null = null): string {
    return dataEvent(
      JSON.stringify({
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      }),
    );
  }

  push(chunk: Buffer): string | null {
    const { buffer, ends } = this.splitter.push(chunk);
    let out = '';
    let start = 0;
    for (const end of ends) {
      out += this.translate(buffer.toString('utf8', start, end));
      start = end;
    }
    return out === '' ? null : out;
  }

  private translate(text: string): string {
    if (this.done || this.failure?.reported) return '';
    const { event, data } = parseEvent(text);
    let e: Json;
    try {
      const v = JSON.parse(data) as unknown;
      if (!isObject(v)) return '';
      e = v;
    } catch {
      return '';
    }
    const type = typeof e.type === 'string' ? e.type : event;
    switch (type) {
      case 'message_start': {
        const m = isObject(e.message) ? e.message : {};
        this.id = typeof m.id === 'string' ? m.id : '';
        this.model = typeof m.model === 'string' ? m.model : '';
        const u = usageOfMessage(m.usage);
        this.input = u.inputTokens;
        this.cached = u.cached;
        this.output = u.outputTokens;
        return this.chunk({ role: 'assistant', content: '' });
      }
      case 'content_block_start': {
        const b = isObject(e.content_block) ? e.content_block : {};
        if (b.type !== 'tool_use' || typeof e.index !== 'number') return '';
        const index = this.tools.size;
        this.tools.set(e.index, index);
        return this.chunk({ tool_calls: [{ index, id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] });
      }
      case 'content_block_delta': {
        const d = isObject(e.delta) ? e.delta : {};
        if (d.type === 'text_delta' && typeof d.text === 'string') return this.chunk({ content: d.text });
        if (d.type === 'input_json_delta' && typeof d.partial_json === 'string' && d.partial_json !== '' && typeof e.index === 'number') {
          const index = this.tools.get(e.index);
          if (index === undefined) return '';
          return this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] });
        }
        return '';
      }
      case 'message_delta': {
        const u = isObject(e.usage) ? e.usage : {};
        // Cumulative counts: the latest replaces what came before.
        if (typeof u.output_tokens === 'number') this.output = u.output_tokens;
        if (typeof u.input_tokens === 'number') {
          const next = usageOfMessage(u);
          this.input = next.inputTokens;
          this.cached = next.cached;
        }
        const d = isObject(e.delta) ? e.delta : {};
        return this.chunk({}, finishReason(d.stop_reason));
      }
      case 'message_stop': {
        this.done = true;
        const usage = this.clientUsage
          ? dataEvent(
              JSON.stringify({
                id: this.id,
                object: 'chat.completion.chunk',
                created: this.created,
                model: this.model,
                choices: [],
                usage: openAiUsage({ inputTokens: this.input, outputTokens: this.output, cached: this.cached }),
              }),
            )
          : '';
        return `${usage}${DONE_EVENT}`;
      }
      case 'error': {
        const err = isObject(e.error) ? e.error : {};
        const kind = typeof err.type === 'string' ? err.type : 'api_error';
        // The provider's own text is not relayed: the gateway sends clients only what it wrote itself.
        const message = `the provider ended the stream with an error event (${kind})`;
        this.failure = { status: ERROR_STATUS[kind] ?? 500, message, reported: true };
        return `${dataEvent(JSON.stringify({ error: { message, type: kind, param: null, code: null } }))}${DONE_EVENT}`;
      }
      default:
        return '';
    }
  }

  end(): { tail: null; failure: StreamFailure | null } {
    if (this.failure) return { tail: null, failure: this.failure };
    if (!this.done) return { tail: null, failure: { status: 502, message: 'the upstream stream ended before message_stop', reported: false } };
    return { tail: null, failure: null };
  }

  usage(): Usage {
    return { inputTokens: this.input, outputTokens: this.output };
  }
}
