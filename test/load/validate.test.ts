import { describe, expect, it } from 'vitest';
import { validatePolicy } from '../../src/load/index.ts';

const base = () => ({
  name: 'p',
  providers: [{ id: 'openai', kind: 'openai', apiKey: 'env:OPENAI_API_KEY' }],
  deployments: [{ id: 'd', provider: 'openai', model: 'gpt-4o', contextWindow: 128000, pricing: { inputPer1M: 1, outputPer1M: 2 } }],
  modelGroups: [{ name: 'chat', deployments: ['d'] }],
});

const errorsOf = (value: unknown) => {
  const r = validatePolicy(value);
  expect(r.policy).toBeUndefined();
  return r.diagnostics;
};

describe('validatePolicy', () => {
  it('returns the policy with defaults and no diagnostics for a valid value', () => {
    const r = validatePolicy(base());
    expect(r.diagnostics).toEqual([]);
    expect(r.policy?.modelGroups[0]?.strategy).toBe('usage_based');
    expect(r.policy?.circuitBreaker.errorRateThreshold).toBe(0.05);
  });

  it('gives every diagnostic a code, a path, one sentence and no location', () => {
    const v = { ...base(), modelGroups: [{ name: 'Chat!', deployments: [], strategy: 'fastest', retries: { count: 1.5 } }], extra: true };
    for (const d of errorsOf(v)) {
      expect(d.severity).toBe('error');
      expect(d.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(d.message).toMatch(/^[^\n]+\.$/);
      expect(d.source).toBeUndefined();
    }
  });

  it('reports an unknown key at the key itself, one per key, with the closest valid key', () => {
    const v = base();
    Object.assign(v.modelGroups[0]!, { fallback: ['x'], zzzzzzzz: 1 });
    const ds = errorsOf(v);
    expect(ds).toEqual([
      {
        severity: 'error',
        code: 'unknown-key',
        message: 'Unknown property `fallback` in `modelGroups[0]`.',
        path: 'modelGroups[0].fallback',
        hint: 'Did you mean `fallbacks`?',
      },
      { severity: 'error', code: 'unknown-key', message: 'Unknown property `zzzzzzzz` in `modelGroups[0]`.', path: 'modelGroups[0].zzzzzzzz' },
    ]);
  });

  it('suggests keys of the union option the tag selects', () => {
    const ds = errorsOf({ ...base(), routerState: { kind: 'redis', url: 'env:REDIS_URL', keyprefix: 'x:' } });
    expect(ds).toEqual([expect.objectContaining({ code: 'unknown-key', path: 'routerState.keyprefix', hint: 'Did you mean `keyPrefix`?' })]);
  });

  it('reports wrong types, missing properties and enum values with stable codes', () => {
    const v = base() as Record<string, any>;
    v.deployments[0].contextWindow = '128k';
    delete v.deployments[0].model;
    v.modelGroups[0].strategy = 'usage-based';
    v.deployments[0].order = 1.5;
    const ds = errorsOf(v);
    const byPath = Object.fromEntries(ds.map((d) => [d.path, d]));
    expect(byPath['deployments[0].contextWindow']).toMatchObject({ code: 'invalid-type', message: '`contextWindow` must be a number, not a string.' });
    expect(byPath['deployments[0].model']).toMatchObject({ code: 'missing-property', message: '`model` is required.' });
    expect(byPath['deployments[0].order']).toMatchObject({ code: 'not-integer' });
    expect(byPath['modelGroups[0].strategy']).toMatchObject({
      code: 'invalid-enum-value',
      message: '`strategy` must be one of "weighted", "usage_based", "latency_based", "cost_based", "ordered".',
      hint: 'Did you mean "usage_based"?',
    });
  });

  it('reports too-small values in the words of the schema when it has them', () => {
    const v = base() as Record<string, any>;
    v.modelGroups[0].deployments = [];
    v.deployments[0].contextWindow = 0;
    v.name = '';
    const byPath = Object.fromEntries(errorsOf(v).map((d) => [d.path, d]));
    expect(byPath['modelGroups[0].deployments']).toMatchObject({ code: 'too-small', message: 'A model group needs at least one deployment.' });
    expect(byPath['deployments[0].contextWindow']).toMatchObject({ code: 'too-small', message: '`contextWindow` must be greater than 0.' });
    expect(byPath.name).toMatchObject({ code: 'too-small', message: '`name` must not be empty.' });
  });

  it('reports a literal secret without echoing it, wherever a secret reference is expected', () => {
    const secret = 'sk-ant-api03-verysecretvalue';
    const v = {
      ...base(),
      routerState: { kind: 'redis', url: `redis://user:${secret}@host:6379` },
      tenants: [{ id: 't', apiKeys: [secret], allowedGroups: ['chat'] }],
    };
    v.providers[0]!.apiKey = secret;
    const ds = errorsOf(v);
    expect(ds.map((d) => [d.code, d.path])).toEqual([
      ['literal-secret', 'providers[0].apiKey'],
      ['literal-secret', 'routerState.url'],
      ['literal-secret', 'tenants[0].apiKeys[0]'],
    ]);
    for (const d of ds) {
      expect(d.message).toContain('a literal secret is not allowed');
      expect(d.hint).toContain('`env:NAME`');
      expect(d.hint).toContain('`vault:path#field`');
      expect(JSON.stringify(d)).not.toContain('verysecret');
    }
  });

  it('reports other pattern failures as invalid-format with the schema message', () => {
    const v = base() as Record<string, any>;
    v.deployments[0].timeout = '30 seconds';
    v.providers[0].apiBase = 'not a url';
    const byPath = Object.fromEntries(errorsOf(v).map((d) => [d.path, d]));
    expect(byPath['deployments[0].timeout']).toMatchObject({
      code: 'invalid-format',
      message: '`timeout` must be a duration such as 500ms, 30s, 10m, 2h or 1d.',
    });
    expect(byPath['providers[0].apiBase']).toMatchObject({ code: 'invalid-format', message: '`apiBase` must be an http:// or https:// URL, or env:NAME.' });
  });

  it('reports refinements as invalid-value at the path they name', () => {
    const v = base();
    v.providers[0] = { id: 'az', kind: 'azure_openai', apiKey: 'env:AZ' };
    const ds = errorsOf(v);
    expect(ds).toContainEqual({
      severity: 'error',
      code: 'invalid-value',
      message: 'azure_openai providers need an apiVersion.',
      path: 'providers[0].apiVersion',
    });
  });

  it('reports a bad union tag as an invalid enum value at the tag', () => {
    const ds = errorsOf({ ...base(), routerState: { kind: 'redys' } });
    expect(ds).toEqual([
      expect.objectContaining({
        code: 'invalid-enum-value',
        path: 'routerState.kind',
        message: '`kind` must be one of "memory", "redis".',
        hint: 'Did you mean "redis"?',
      }),
    ]);
  });

  it('reports a value that is not an object at the root', () => {
    expect(errorsOf(null)).toEqual([expect.objectContaining({ code: 'invalid-type', path: '', message: 'The policy must be an object, not null.' })]);
  });
});
