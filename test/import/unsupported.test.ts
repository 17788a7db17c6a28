/**
 * What a LiteLLM config says that a policy cannot (issue 18, point 3):
 * guardrails, caching, team and key management, proxy administration and
 * keys nobody knows, at every level of the config. Each is a warning at its
 * line, kept as YAML in a comment at the top of the file it belongs to, and
 * the import still writes; a literal key inside such a setting is left out
 * of the comment and warned about at its own line.
 */
import { describe, expect, it } from 'vitest';
import { importLitellm } from '../../src/import/litellm.ts';
import { findings } from './import-fixture.ts';

const LITERAL = 'aporia-literal-key-0123456789';

const CONFIG = `model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      frobnicate: true
    model_info:
      max_input_tokens: 128000
      input_cost_per_token: 0.0000025
      output_cost_per_token: 0.00001
      team_id: team-a
router_settings:
  num_retries: 2
  some_future_setting: 7
litellm_settings:
  cache: true
  default_team_settings:
    - team_id: team-a
      success_callback: ["langfuse"]
  key_generation_settings:
    team_key_generation:
      allowed_team_member_roles: ["admin"]
general_settings:
  default_team_disabled: true
  alerting: ["slack"]
guardrails:
  - guardrail_name: aporia-pre-guard
    litellm_params:
      guardrail: aporia
      mode: during_call
      api_key: ${LITERAL}
      api_base: https://example.aporia.com
team_budgets: {}
`;

describe('settings with no policy equivalent', () => {
  const r = importLitellm(CONFIG, { name: 't', file: 'config.yaml' });
  const file = (path: string) => r.files!.find((f) => f.path === path)!.content;
  const notes = (path: string) =>
    file(path)
      .split('\n')
      .filter((l) => l.startsWith('// config.yaml:'));

  it('are each a warning at their line, and the import still writes', () => {
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(findings(r.diagnostics)).toEqual([
      'import-unsupported@config.yaml:6',
      'import-unsupported@config.yaml:11',
      'import-unsupported@config.yaml:14',
      'import-unsupported@config.yaml:16',
      'import-unsupported@config.yaml:17',
      'import-unsupported@config.yaml:20',
      'import-unsupported@config.yaml:24',
      'import-unsupported@config.yaml:25',
      'import-unsupported@config.yaml:26',
      'import-literal-secret@config.yaml:31',
      'import-unsupported@config.yaml:33',
    ]);
    expect(r.diagnostics.find((d) => d.path === 'guardrails')!.message).toBe(
      'guardrails has no equivalent in a Switchyard policy (guardrails run inside LiteLLM); kept as a comment in index.ts',
    );
    expect(Object.keys(r.plan!.groups)).toEqual(['chat']);
  });

  it('are kept, as YAML, in the file they belong to', () => {
    expect(notes('index.ts')).toEqual([
      '// config.yaml:26: guardrails (guardrails run inside LiteLLM)',
      '// config.yaml:33: team_budgets (not part of a routing policy)',
      '// config.yaml:16: litellm_settings.cache (response caching is LiteLLM configuration)',
      '// config.yaml:17: litellm_settings.default_team_settings (a LiteLLM module setting with no policy equivalent)',
      '// config.yaml:20: litellm_settings.key_generation_settings (a LiteLLM module setting with no policy equivalent)',
      "// config.yaml:24: general_settings.default_team_disabled (proxy administration (keys, teams, routes, alerting) stays LiteLLM's)",
      "// config.yaml:25: general_settings.alerting (proxy administration (keys, teams, routes, alerting) stays LiteLLM's)",
    ]);
    expect(notes('routing.ts')).toEqual([
      '// config.yaml:14: router_settings.some_future_setting (a LiteLLM router setting with no policy equivalent)',
      '// config.yaml:6: model_list[0].litellm_params.frobnicate (not a deployment setting of a Switchyard policy)',
      '// config.yaml:11: model_list[0].model_info.team_id (not a deployment setting of a Switchyard policy)',
    ]);
    expect(file('index.ts')).toContain(
      [
        '//   guardrails:',
        '//     - guardrail_name: aporia-pre-guard',
        '//       litellm_params:',
        '//         guardrail: aporia',
        '//         mode: during_call',
        '//         api_key: <literal secret, not copied>',
        '//         api_base: https://example.aporia.com',
      ].join('\n'),
    );
    expect(file('index.ts')).toContain('//   key_generation_settings:\n//     team_key_generation:\n//       allowed_team_member_roles:\n//         - admin\n');
    expect(file('routing.ts')).toContain('//   some_future_setting: 7\n');
  });

  it('never carry a literal key into a file or a message', () => {
    for (const f of r.files!) expect(f.content).not.toContain(LITERAL);
    expect(JSON.stringify(r.diagnostics)).not.toContain(LITERAL);
  });
});
