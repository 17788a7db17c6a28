/**
 * Invalid, ambiguous or inexpressible input (issue 18, point 3): a located
 * error, and no policy. Each case changes one thing in a small valid config
 * and expects exactly its finding, at the line of the change.
 */
import { describe, expect, it } from 'vitest';
import { importLitellm } from '../../src/import/litellm.ts';

const VALID = `model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
    model_info:
      max_input_tokens: 128000
      input_cost_per_token: 0.0000025
      output_cost_per_token: 0.00001
  - model_name: chat-backup
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
      api_key: os.environ/ANTHROPIC_API_KEY
    model_info:
      max_input_tokens: 200000
      input_cost_per_token: 0.000003
      output_cost_per_token: 0.000015
router_settings:
  fallbacks:
    - chat: ["chat-backup"]
`;

const run = (text: string) => importLitellm(text, { name: 't', file: 'config.yaml' });
const errors = (text: string) =>
  run(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.code}@${d.source?.line}:${d.source?.column}`);

describe('importer errors', () => {
  it('the valid config imports', () => {
    const r = run(VALID);
    expect(errors(VALID)).toEqual([]);
    expect(r.files!.map((f) => f.path)).toEqual(['index.ts', 'providers.ts', 'routing.ts']);
  });

  const cases: Array<[string, string, string[], RegExp?]> = [
    ['unparsable YAML', VALID.replace('    - chat: ["chat-backup"]', '    - chat: ["chat-backup"'), ['syntax-error@21:1'], /Syntax error/],
    [
      'a key twice in one mapping',
      VALID.replace('      model: openai/gpt-4o\n', '      model: openai/gpt-4o\n      model: openai/gpt-4o-mini\n'),
      ['syntax-error@5:7'],
    ],
    [
      'a fallback to a group the model list lacks',
      VALID.replace('["chat-backup"]', '["chat-backup", "chat-bakup"]'),
      ['import-unknown-group@20:29'],
      /"chat-bakup", which is no model_name/,
    ],
    ['fallbacks of a group the model list lacks', VALID.replace('- chat: [', '- chat-main: ['), ['import-unknown-group@20:7']],
    [
      'fallbacks in router_settings and litellm_settings',
      `${VALID}litellm_settings:\n  fallbacks:\n    - chat: ["chat-backup"]\n`,
      ['import-ambiguous@22:3'],
      /set both here and in router_settings \(config.yaml:19\)/,
    ],
    [
      'one group given two fallback lists',
      VALID.replace('    - chat: ["chat-backup"]', '    - chat: ["chat-backup"]\n    - chat: ["chat"]'),
      ['import-ambiguous@21:7'],
    ],
    [
      'the same deployment id twice in a group',
      VALID.replace(
        '  - model_name: chat-backup',
        '  - model_name: chat\n    litellm_params:\n      model: openai/gpt-4o\n      api_key: os.environ/OPENAI_API_KEY\n    model_info:\n      id: chat/openai-gpt-4o\n  - model_name: chat-backup',
      ).replace('    model_info:\n      max_input_tokens: 128000', '    model_info:\n      id: chat/openai-gpt-4o\n      max_input_tokens: 128000'),
      ['import-duplicate@16:7'],
    ],
    [
      'a fallback cycle (found by the compiler, reported at the input)',
      VALID.replace('    - chat: ["chat-backup"]', '    - chat: ["chat-backup"]\n    - chat-backup: ["chat"]'),
      ['fallback-cycle@21:21'],
      /cycle/,
    ],
    [
      'a provider LiteLLM does not have',
      VALID.replace('anthropic/claude-3-5-sonnet-20241022', 'antrophic/claude-3-5-sonnet'),
      ['import-unsupported-provider@12:7'],
      /"antrophic"/,
    ],
    [
      'an api_base read from a variable of no valid name',
      VALID.replace('      model: openai/gpt-4o\n', '      model: openai/gpt-4o\n      api_base: os.environ/OPENAI-BASE\n'),
      ['import-secret-name@5:7'],
    ],
    ['a group name clients could not send', VALID.replaceAll('chat-backup', 'chat backup'), ['import-group-name@10:5']],
    ['a hosted_vllm deployment without api_base', VALID.replace('openai/gpt-4o', 'hosted_vllm/llama'), ['import-invalid@3:5']],
    [
      'a timeout that is not seconds',
      VALID.replace('      model: openai/gpt-4o\n', '      model: openai/gpt-4o\n      timeout: soon\n'),
      ['import-invalid@5:7'],
    ],
    ['no model_list', 'router_settings:\n  num_retries: 2\n', ['import-invalid@1:1']],
    ['an unknown routing strategy', `${VALID}  routing_strategy: fastest\n`, ['import-invalid@21:3']],
  ];

  it.each(cases)('%s: a located error, no files', (_name, text, expected, message) => {
    const r = run(text);
    expect(r.files).toBeUndefined();
    expect(errors(text)).toEqual(expected);
    if (message) expect(r.diagnostics.find((d) => d.severity === 'error')!.message).toMatch(message);
  });
});
