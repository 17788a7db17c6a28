import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/model/policy.ts';
import { loadPolicy } from '../../src/load/index.ts';
import { REPO, fixture, lineOf } from './fixtures.ts';

const POLICY_YAML = `name: yaml-policy
providers:
  - id: openai
    kind: openai
    apiKey: env:OPENAI_API_KEY
deployments:
  - id: gpt-4o
    provider: openai
    model: gpt-4o
    contextWindow: 128000
    pricing: { inputPer1M: 2.5, outputPer1M: 10 }
modelGroups:
  - name: chat
    deployments: [gpt-4o]
    timeouts:
      request: 30s
`;

async function onlyError(file: string, text: string) {
  const dir = fixture({ [file]: text });
  const result = await loadPolicy(join(dir, file));
  expect(result.policy).toBeUndefined();
  expect(result.diagnostics).toHaveLength(1);
  return { d: result.diagnostics[0]!, file: join(dir, file) };
}

describe('YAML and JSON policies', () => {
  let reference: Policy;
  let referenceInput: unknown;
  beforeAll(async () => {
    const result = await loadPolicy(join(REPO, 'policies'));
    reference = result.policy!;
    const { createJiti } = await import('jiti');
    referenceInput = ((await createJiti(import.meta.url).import(join(REPO, 'policies/index.ts'))) as { default: unknown }).default;
  });

  it('loads the reference policy written as YAML or JSON to the same Policy as the TS one', async () => {
    const dir = fixture({ 'policy.yaml': stringify(referenceInput), 'reference.json': JSON.stringify(referenceInput, null, 2) });
    const fromYaml = await loadPolicy(dir);
    expect(fromYaml.diagnostics).toEqual([]);
    expect(fromYaml.policy).toEqual(reference);
    expect(fromYaml.files).toEqual([join(dir, 'policy.yaml')]);
    const fromJson = await loadPolicy(join(dir, 'reference.json'));
    expect(fromJson.diagnostics).toEqual([]);
    expect(fromJson.policy).toEqual(reference);
  });

  it('locates policy paths in the YAML text', async () => {
    const dir = fixture({ 'policy.yml': POLICY_YAML });
    const result = await loadPolicy(dir);
    expect(result.diagnostics).toEqual([]);
    expect(await result.locate('modelGroups[0].timeouts.request')).toEqual({
      file: join(dir, 'policy.yml'),
      line: lineOf(POLICY_YAML, 'request: 30s'),
      column: 7,
    });
    expect(await result.locate('deployments[0].pricing.outputPer1M')).toMatchObject({ line: lineOf(POLICY_YAML, 'pricing:') });
    expect(await result.locate('providers[0]')).toMatchObject({ line: lineOf(POLICY_YAML, 'id: openai'), column: 5 });
  });

  it('reports a YAML syntax error with its line', async () => {
    const text = POLICY_YAML.replace('  - name: chat\n', '  - name: chat\n   bad: [1, 2\n');
    const { d, file } = await onlyError('policy.yaml', text);
    expect(d.code).toBe('syntax-error');
    expect(d.source?.file).toBe(file);
    expect(d.source?.line).toBeGreaterThanOrEqual(lineOf(text, 'bad: [1, 2'));
  });

  it('reports a duplicate key as a syntax error at the second key', async () => {
    const text = POLICY_YAML.replace('    kind: openai\n', '    kind: openai\n    kind: anthropic\n');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({ code: 'syntax-error', source: { line: lineOf(text, 'kind: anthropic'), column: 5 } });
  });

  it('reports a JSON syntax error with its line and column', async () => {
    const text = '{\n  "name": "x",\n  "providers": [],\n}\n';
    const { d } = await onlyError('policy.json', text);
    expect(d).toMatchObject({ code: 'syntax-error', source: { line: 4, column: 1 } });
  });

  it('reports an unknown key once, at the key, with a suggestion', async () => {
    const text = POLICY_YAML.replace('    deployments: [gpt-4o]\n', '    deployments: [gpt-4o]\n    fallback: [chat]\n');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({
      code: 'unknown-key',
      path: 'modelGroups[0].fallback',
      hint: 'Did you mean `fallbacks`?',
      source: { line: lineOf(text, 'fallback:'), column: 5 },
    });
  });

  it('reports a wrong type once, in the same words as for a TS policy', async () => {
    const text = POLICY_YAML.replace('contextWindow: 128000', 'contextWindow: 128k');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({
      code: 'invalid-type',
      path: 'deployments[0].contextWindow',
      message: '`contextWindow` must be a number, not a string.',
      source: { line: lineOf(text, '128k') },
    });
  });

  it('reports a missing required property once, at the mapping that lacks it', async () => {
    const text = POLICY_YAML.replace('    model: gpt-4o\n', '');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({ code: 'missing-property', path: 'deployments[0].model', source: { line: lineOf(text, 'id: gpt-4o') } });
  });

  it('reports a literal secret once, without echoing it, at its line', async () => {
    const text = POLICY_YAML.replace('env:OPENAI_API_KEY', 'sk-live-1234567890abcdef');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({ code: 'literal-secret', path: 'providers[0].apiKey', source: { line: lineOf(text, 'apiKey:'), column: 5 } });
    expect(d.hint).toContain('env:NAME');
    expect(JSON.stringify(d)).not.toContain('1234567890abcdef');
  });

  it('reports a literal secret inside the union option the tag selects', async () => {
    const text = `${POLICY_YAML}routerState:\n  kind: redis\n  url: redis://admin:hunter2@cache:6379\n`;
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({ code: 'literal-secret', path: 'routerState.url', source: { line: lineOf(text, 'url: redis') } });
    expect(JSON.stringify(d)).not.toContain('hunter2');
  });

  it('reports a bad union tag once, listing the valid tags', async () => {
    const text = `${POLICY_YAML}routerState:\n  kind: redys\n`;
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({
      code: 'invalid-enum-value',
      path: 'routerState.kind',
      message: '`kind` must be one of "memory", "redis".',
      hint: 'Did you mean "redis"?',
    });
  });

  it('reports a union value of the wrong JSON type as a wrong type', async () => {
    const text = `${POLICY_YAML}routerState: redis\n`;
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({ code: 'invalid-type', path: 'routerState', message: '`routerState` must be an object, not a string.' });
  });

  it('uses the schema author’s words for a pattern failure', async () => {
    const text = POLICY_YAML.replace('request: 30s', 'request: 30 seconds');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({
      code: 'invalid-format',
      message: '`request` must be a duration such as 500ms, 30s, 10m, 2h or 1d.',
      source: { line: lineOf(text, 'request:') },
    });
  });

  it('reports refinements JSON Schema cannot express, from zod, located', async () => {
    const text = POLICY_YAML.replace('    kind: openai\n    apiKey: env:OPENAI_API_KEY\n', '    kind: openai\n');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({
      code: 'invalid-value',
      path: 'providers[0].apiKey',
      message: 'openai providers need an apiKey secret reference.',
      source: { line: lineOf(text, 'id: openai') },
    });
  });

  it('reports an invalid URL (a format ajv leaves to zod) once', async () => {
    const text = POLICY_YAML.replace('    kind: openai\n', '    kind: openai\n    apiBase: not a url\n');
    const { d } = await onlyError('policy.yaml', text);
    expect(d).toMatchObject({ code: 'invalid-format', path: 'providers[0].apiBase', source: { line: lineOf(text, 'apiBase:') } });
  });

  it('reports an empty document as a policy that is not an object', async () => {
    const { d } = await onlyError('policy.yaml', '# nothing yet\n');
    expect(d).toMatchObject({ code: 'invalid-type', path: '', source: { line: 1 } });
  });
});
