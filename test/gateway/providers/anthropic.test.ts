/**
 * The Anthropic adapter against the wire fixtures (shared/fixtures/wire/anthropic):
 * OpenAI requests become the documented Messages requests, Messages answers
 * and event streams become OpenAI completions and chunks, stop reasons map
 * as stop_reason_mapping.json says.
 */
import { describe, expect, it } from 'vitest';
import { AnthropicRelay } from '../../../src/gateway/providers/anthropic-stream.ts';
import { FINISH_REASONS, toChatCompletion, toMessagesRequest } from '../../../src/gateway/providers/anthropic-translate.ts';
import { UnsupportedRequest } from '../../../src/gateway/providers/types.ts';
import { parseEvent } from '../../../src/gateway/upstream/sse.ts';
import { wireJson, wireText } from '../../fixtures/upstream-standins.ts';

type Json = Record<string, any>;

/** The OpenAI chat request that means what messages_request.json means. */
const openAiWeatherRequest: Json = {
  model: 'chat-anthropic',
  max_tokens: 512,
  messages: [
    { role: 'system', content: 'You are a terse weather assistant.' },
    { role: 'user', content: [{ type: 'text', text: "What's the weather in Paris?" }] },
  ],
  stop: ['\n\nHuman:'],
  temperature: 0.3,
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather for one city.',
        parameters: wireJson<Json>('anthropic/messages_request.json').tools[0].input_schema,
      },
    },
  ],
  tool_choice: 'auto',
  user: 'fixture-user-1',
};

/** Every chunk's JSON, and the raw data lines, of relayed client bytes. */
function chunksOf(text: string): { json: Json[]; data: string[] } {
  const data = text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => parseEvent(e).data);
  return { json: data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Json), data };
}

function relay(file: string, clientUsage: boolean, chunkSize = 7) {
  const r = new AnthropicRelay(clientUsage, 1750000000);
  const bytes = Buffer.from(wireText(file));
  let out = '';
  for (let i = 0; i < bytes.length; i += chunkSize) out += r.push(bytes.subarray(i, i + chunkSize)) ?? '';
  return { r, out, end: r.end() };
}

describe('Anthropic requests', () => {
  it('an OpenAI chat request with system, parts, stop, tools and user becomes messages_request.json', () => {
    const { model: _m, stream: _s, ...expected } = wireJson('anthropic/messages_request.json');
    const { model, ...got } = toMessagesRequest(openAiWeatherRequest, 'claude-sonnet-4-5', false);
    expect(model).toBe('claude-sonnet-4-5');
    expect(got).toEqual(expected);
  });

  it('a tool round trip (assistant tool_calls, then a tool message) becomes tool_use and tool_result blocks', () => {
    const fixture = wireJson('anthropic/messages_followup_request.json');
    const out = toMessagesRequest(
      {
        max_tokens: 512,
        messages: [
          { role: 'system', content: 'You are a terse weather assistant.' },
          { role: 'user', content: "What's the weather in Paris?" },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [{ id: 'toolu_01FXFIXTURE0000000000001', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'toolu_01FXFIXTURE0000000000001', content: '{"temp_c":21,"sky":"clear"}' },
        ],
      },
      'claude-sonnet-4-5',
      true,
    );
    const expectedMessages = structuredClone(fixture.messages) as Json[];
    expectedMessages[0]!.content = [{ type: 'text', text: "What's the weather in Paris?" }];
    delete expectedMessages[2]!.content[0].is_error;
    expect(out.messages).toEqual(expectedMessages);
    expect(out.system).toBe('You are a terse weather assistant.');
    expect(out.stream).toBe(true);
  });

  it('defaults max_tokens, maps tool_choice and parallel_tool_calls, keeps images, and refuses what Anthropic cannot take', () => {
    const out = toMessagesRequest(
      {
        messages: [
          { role: 'developer', content: 'a' },
          { role: 'system', content: [{ type: 'text', text: 'b' }] },
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
          { role: 'user', content: 'more' },
        ],
        tool_choice: 'required',
        parallel_tool_calls: false,
        max_completion_tokens: 99,
        stop: 'END',
      },
      'm',
      false,
    );
    expect(out).toMatchObject({
      max_tokens: 99,
      system: [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'text', text: 'more' },
          ],
        },
      ],
    });
    expect(toMessagesRequest({ messages: [{ role: 'user', content: 'x' }] }, 'm', false).max_tokens).toBe(4096);
    expect(() => toMessagesRequest({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'm', false)).toThrow(
      UnsupportedRequest,
    );
    expect(() => toMessagesRequest({ messages: [{ role: 'function', content: 'x' }] }, 'm', false)).toThrow(/role "function"/);
  });
});

describe('Anthropic answers', () => {
  it('a text message becomes a chat completion with usage (cache tokens counted as prompt tokens)', () => {
    const { completion, usage } = toChatCompletion(wireJson('anthropic/messages_response_text.json'), 1750000000)!;
    expect(completion).toEqual({
      id: 'msg_01FXFIXTURE00000000000001',
      object: 'chat.completion',
      created: 1750000000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: 'It is sunny and 21 °C in Paris.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 31, completion_tokens: 14, total_tokens: 45, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(usage).toEqual({ inputTokens: 31, outputTokens: 14, cached: 0 });
    const cached = toChatCompletion(
      {
        ...wireJson<Json>('anthropic/messages_response_text.json'),
        usage: { input_tokens: 5, cache_creation_input_tokens: 7, cache_read_input_tokens: 11, output_tokens: 2 },
      },
      0,
    )!;
    expect(cached.completion.usage).toEqual({ prompt_tokens: 23, completion_tokens: 2, total_tokens: 25, prompt_tokens_details: { cached_tokens: 11 } });
  });

  it('tool_use blocks become tool calls with JSON arguments; stop_sequence ends as stop', () => {
    const tool = toChatCompletion(wireJson('anthropic/messages_response_tool_use.json'), 0)!.completion as Json;
    expect(tool.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'Checking.',
        tool_calls: [{ id: 'toolu_01FXFIXTURE0000000000001', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
    });
    expect((toChatCompletion(wireJson('anthropic/messages_response_stop_sequence.json'), 0)!.completion as Json).choices[0].finish_reason).toBe('stop');
    expect(toChatCompletion({ type: 'error' }, 0)).toBeNull();
  });

  it('maps every stop reason as stop_reason_mapping.json does', () => {
    const fixture = wireJson('anthropic/stop_reason_mapping.json');
    const table = fixture.anthropic_to_openai__litellm_map_finish_reason as Record<string, string>;
    for (const [reason, mapped] of Object.entries(table)) expect(FINISH_REASONS[reason], reason).toBe(mapped.split(' ')[0]);
    for (const reason of fixture.anthropic_stop_reason_values as string[]) expect(FINISH_REASONS[reason], reason).toBeDefined();
  });
});

describe('Anthropic streams', () => {
  it('text events become the role chunk, content deltas, the finish chunk, the usage chunk and [DONE]', () => {
    const { out, end, r } = relay('anthropic/messages_stream_text.sse', true);
    const { json, data } = chunksOf(out);
    expect(json.map((c) => c.choices[0]?.delta ?? null)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello' }, { content: ' there!' }, {}, null]);
    expect(json.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, null, null, 'stop', null]);
    expect(json.at(-1)!.usage).toEqual({ prompt_tokens: 25, completion_tokens: 6, total_tokens: 31, prompt_tokens_details: { cached_tokens: 0 } });
    expect(json.every((c) => c.id === 'msg_01FXFIXTURE00000000000004' && c.object === 'chat.completion.chunk')).toBe(true);
    expect(data.at(-1)).toBe('[DONE]');
    expect(end.failure).toBeNull();
    expect(r.usage()).toEqual({ inputTokens: 25, outputTokens: 6 });
  });

  it('tool_use streams become indexed tool calls; message_delta usage is cumulative, not added up', () => {
    const { out, r } = relay('anthropic/messages_stream_tool_use.sse', false, 13);
    const { json } = chunksOf(out);
    const calls = json.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toEqual({ index: 0, id: 'toolu_01FXFIXTURE0000000000001', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.map((c: Json) => c.function.arguments).join('')).toBe('{"city": "Paris"}');
    expect(json.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    // No usage chunk unless the client asked; the relay still knows it (2 at message_start, 55 at message_delta).
    expect(json.some((c) => c.usage)).toBe(false);
    expect(r.usage()).toEqual({ inputTokens: 402, outputTokens: 55 });
  });

  it('an error event becomes an OpenAI error chunk and [DONE]; the failure reads as a 503 (overloaded)', () => {
    const { out, end } = relay('anthropic/messages_stream_error.sse', true);
    const { json, data } = chunksOf(out);
    expect(json.at(-1)).toEqual({
      error: { message: 'the provider ended the stream with an error event (overloaded_error)', type: 'overloaded_error', param: null, code: null },
    });
    expect(data.at(-1)).toBe('[DONE]');
    expect(end.failure).toEqual({ status: 503, message: expect.any(String), reported: true });
  });

  it('a stream cut before message_stop is a failure the client has not been told about', () => {
    const text = wireText('anthropic/messages_stream_text.sse');
    const r = new AnthropicRelay(false, 0);
    r.push(Buffer.from(text.slice(0, text.indexOf('event: message_delta'))));
    expect(r.end().failure).toMatchObject({ status: 502, reported: false });
  });
});
