/**
 * OpenAI chat completions <-> Anthropic Messages, both ways, as pure
 * functions (the wire formats are in shared/fixtures/wire/anthropic):
 * system and developer messages become `system`; tool calls become
 * `tool_use` blocks and tool messages `tool_result` blocks in a user turn;
 * `max_tokens` (required by Anthropic) comes from max_completion_tokens or
 * max_tokens; `stop` becomes `stop_sequences`; stop reasons map to finish
 * reasons as LiteLLM maps them (stop_reason_mapping.json); usage counts
 * cached prompt tokens as prompt tokens.
 */
import type { Usage } from '../../runtime/types.ts';
import { UnsupportedRequest } from './types.ts';

/** Anthropic requires max_tokens; what a request without one gets. */
const DEFAULT_MAX_TOKENS = 4096;

export const ANTHROPIC_VERSION = '2023-06-01';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

type Block = Json;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

function textOf(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content))
    return content
      .map((p) => {
        if (isObject(p) && p.type === 'text' && typeof p.text === 'string') return p.text;
        throw new UnsupportedRequest(`${where}: only text parts can be sent to Anthropic here`);
      })
      .join('');
  throw new UnsupportedRequest(`${where}: content must be a string or an array of parts`);
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imageBlock(part: Json, where: string): Block {
  const url = isObject(part.image_url) ? part.image_url.url : part.image_url;
  if (typeof url !== 'string') throw new UnsupportedRequest(`${where}: image_url.url must be a string`);
  const m = DATA_URL.exec(url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } };
  if (/^https?:\/\//.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw new UnsupportedRequest(`${where}: image_url.url must be an http(s) or base64 data URL`);
}

function userBlocks(content: unknown, where: string): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw new UnsupportedRequest(`${where}: content must be a string or an array of parts`);
  return content.map((p, i) => {
    if (!isObject(p)) throw new UnsupportedRequest(`${where}[${i}]: a content part must be an object`);
    if (p.type === 'text' && typeof p.text === 'string') return { type: 'text', text: p.text };
    if (p.type === 'image_url') return imageBlock(p, `${where}[${i}]`);
    throw new UnsupportedRequest(`${where}[${i}]: content part type ${JSON.stringify(String(p.type))} cannot be sent to Anthropic`);
  });
}

function assistantBlocks(m: Json, where: string): Block[] {
  const blocks: Block[] = [];
  const text = textOf(m.content, `${where}.content`);
  if (text !== '') blocks.push({ type: 'text', text });
  if (Array.isArray(m.tool_calls))
    for (const [i, c] of m.tool_calls.entries()) {
      const fn = isObject(c) && isObject(c.function) ? c.function : null;
      if (!fn || typeof fn.name !== 'string' || !isObject(c) || typeof c.id !== 'string')
        throw new UnsupportedRequest(`${where}.tool_calls[${i}]: needs id and function.name`);
      let input: unknown = {};
      if (typeof fn.arguments === 'string' && fn.arguments.trim() !== '') {
        try {
          input = JSON.parse(fn.arguments);
        } catch {
          throw new UnsupportedRequest(`${where}.tool_calls[${i}].function.arguments is not JSON`);
        }
      }
      blocks.push({ type: 'tool_use', id: c.id, name: fn.name, input: isObject(input) ? input : {} });
    }
  return blocks;
}

function toolChoice(choice: unknown, parallel: unknown): Json | undefined {
  let out: Json | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') out = { type: 'tool', name: choice.function.name };
  if (parallel === false && out?.type !== 'none') out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

/** An OpenAI chat completion request as an Anthropic Messages request for `model`. */
export function toMessagesRequest(body: Json, model: string, stream: boolean): Json {
  if (!Array.isArray(body.messages)) throw new UnsupportedRequest('messages must be an array');
  const system: string[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    // Anthropic alternates user and assistant turns: consecutive ones of a role are one turn.
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  body.messages.forEach((raw, i) => {
    const where = `messages[${i}]`;
    if (!isObject(raw)) throw new UnsupportedRequest(`${where} must be an object`);
    switch (raw.role) {
      case 'system':
      case 'developer':
        system.push(textOf(raw.content, `${where}.content`));
        break;
      case 'user':
        push('user', userBlocks(raw.content, `${where}.content`));
        break;
      case 'assistant':
        push('assistant', assistantBlocks(raw, where));
        break;
      case 'tool':
        if (typeof raw.tool_call_id !== 'string') throw new UnsupportedRequest(`${where}: a tool message needs tool_call_id`);
        push('user', [{ type: 'tool_result', tool_use_id: raw.tool_call_id, content: textOf(raw.content, `${where}.content`) }]);
        break;
      default:
        throw new UnsupportedRequest(`${where}: role ${JSON.stringify(String(raw.role))} cannot be sent to Anthropic`);
    }
  });
  const max = body.max_completion_tokens ?? body.max_tokens;
  const out: Json = { model, max_tokens: typeof max === 'number' ? max : DEFAULT_MAX_TOKENS };
  if (system.length === 1) out.system = system[0];
  else if (system.length > 1) out.system = system.map((text) => ({ type: 'text', text }));
  out.messages = turns;
  if (typeof body.stop === 'string') out.stop_sequences = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.length > 0) out.stop_sequences = body.stop;
  if (typeof body.temperature === 'number') out.temperature = body.temperature;
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (Array.isArray(body.tools) && body.tools.length > 0)
    out.tools = body.tools.map((t, i) => {
      const fn = isObject(t) && isObject(t.function) ? t.function : null;
      if (!fn || typeof fn.name !== 'string') throw new UnsupportedRequest(`tools[${i}]: only function tools with a name can be sent to Anthropic`);
      return {
        name: fn.name,
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        input_schema: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
      };
    });
  const choice = toolChoice(body.tool_choice, body.parallel_tool_calls);
  if (choice) out.tool_choice = choice;
  if (typeof body.user === 'string') out.metadata = { user_id: body.user };
  if (stream) out.stream = true;
  return out;
}

/** Anthropic stop_reason -> OpenAI finish_reason (LiteLLM's map; unknown reasons end as "stop"). */
export const FINISH_REASONS: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
  compaction: 'length',
  pause_turn: 'stop',
  model_context_window_exceeded: 'stop',
};

export const finishReason = (stop: unknown): string => (typeof stop === 'string' ? (FINISH_REASONS[stop] ?? 'stop') : 'stop');

/** Prompt tokens as OpenAI counts them: Anthropic's input_tokens exclude cache writes and reads. */
export function usageOfMessage(u: unknown): Usage & { cached: number } {
  const o = isObject(u) ? u : {};
  const n = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : 0);
  const cached = n('cache_read_input_tokens');
  return { inputTokens: n('input_tokens') + n('cache_creation_input_tokens') + cached, outputTokens: n('output_tokens'), cached };
}

export function openAiUsage(u: Usage & { cached: number }): Json {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cached },
  };
}

/** An Anthropic message as an OpenAI chat completion; null when it is not a message. */
export function toChatCompletion(msg: unknown, created: number): { completion: Json; usage: Usage } | null {
  if (!isObject(msg) || msg.type !== 'message' || !Array.isArray(msg.content)) return null;
  let text = '';
  let hasText = false;
  const toolCalls: Json[] = [];
  for (const b of msg.content) {
    if (!isObject(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') {
      text += b.text;
      hasText = true;
    } else if (b.type === 'tool_use') toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    // thinking and server-tool blocks have no chat-completions form: left out.
  }
  const usage = usageOfMessage(msg.usage);
  const message: Json = { role: 'assistant', content: hasText ? text : null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    completion: {
      id: msg.id,
      object: 'chat.completion',
      created,
      model: msg.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(msg.stop_reason) }],
      usage: openAiUsage(usage),
    },
    usage,
  };
}
