import { describe, expect, it } from 'vitest';
import { OPENAI_COMPATIBLE_SERVICE_NAMES, OPENAI_COMPATIBLE_SERVICES, serviceOfLitellmPrefix } from '../../src/model/closed-sets.ts';
import { GroupName } from '../../src/model/common.ts';
import { Provider, type ProviderInput } from '../../src/model/provider.ts';

const issues = (p: ProviderInput): string[] => {
  const r = Provider.safeParse(p);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('model group names', () => {
  it('accept what clients send as model', () => {
    for (const name of ['gpt-4o', 'openai/gpt-4o-mini', 'Llama-3.1-8B-Instruct', 'qwen2.5:7b', 'claude@2024', 'a', 'x'.repeat(128)])
      expect([name, GroupName.safeParse(name).success]).toEqual([name, true]);
  });

  it('refuse what a file name, shell or YAML key could misread, and length past 128', () => {
    for (const name of ['', '-x', '.hidden', '/abs', 'a b', 'a\nb', 'a"b', "a'b", 'a`b', 'a|b', 'a#b', 'a$b', 'x'.repeat(129), 'é'])
      expect([name, GroupName.safeParse(name).success]).toEqual([name, false]);
  });
});

describe('openai_compatible providers', () => {
  it('need a service, and an apiBase when the service has no public endpoint', () => {
    expect(issues({ id: 'g', kind: 'openai_compatible' })).toEqual([expect.stringMatching(/^service: openai_compatible providers need a service/)]);
    expect(issues({ id: 'o', kind: 'openai_compatible', service: 'ollama' })).toEqual([expect.stringMatching(/^apiBase: ollama has no public endpoint/)]);
    expect(issues({ id: 'g', kind: 'openai_compatible', service: 'groq', apiKey: 'env:GROQ_API_KEY' })).toEqual([]);
    expect(issues({ id: 'o', kind: 'openai_compatible', service: 'ollama', apiBase: 'env:OLLAMA_API_BASE' })).toEqual([]);
  });

  it('refuse credentials and gateway-owned headers in compat.headers, and header injection', () => {
    const h = (headers: Record<string, string>) => issues({ id: 'r', kind: 'openai_compatible', service: 'openrouter', compat: { headers } });
    expect(h({ 'HTTP-Referer': 'https://x.example', 'X-Title': 'x' })).toEqual([]);
    expect(h({ Authorization: 'Bearer sk' })).toEqual([expect.stringMatching(/^compat\.headers\.Authorization: .*apiKey/)]);
    expect(h({ 'Content-Length': '1' })).toEqual([expect.stringMatching(/set by the gateway/)]);
    expect(h({ 'X-A': 'a\r\nX-B: b' })).toEqual([expect.stringMatching(/printable ASCII/)]);
    expect(h({ 'Bad Name': 'x' })).toEqual([expect.stringMatching(/header name/)]);
  });

  it('refuse a path prefix that is not plain path segments', () => {
    const p = (pathPrefix: string) => issues({ id: 'l', kind: 'openai_compatible', service: 'generic', apiBase: 'http://l:8080', compat: { pathPrefix } });
    expect(p('/v1')).toEqual([]);
    expect(p('')).toEqual([]);
    for (const bad of ['v1', '/v1/', '/../x', '/a?b', '/a b']) expect([bad, p(bad).length]).toEqual([bad, 1]);
  });
});

describe('apiBase and apiVersion from the environment', () => {
  it('take env:NAME, but no other reference or a malformed name', () => {
    expect(issues({ id: 'a', kind: 'azure_openai', apiBase: 'env:AZURE_API_BASE', apiVersion: 'env:AZURE_API_VERSION', apiKey: 'env:K' })).toEqual([]);
    expect(issues({ id: 'v', kind: 'vllm', apiBase: 'vault:secret/x#key' })).toHaveLength(1);
    expect(issues({ id: 'v', kind: 'vllm', apiBase: 'env:1BAD' })).toHaveLength(1);
    expect(issues({ id: 'a', kind: 'azure_openai', apiBase: 'https://x.openai.azure.com', apiVersion: 'env:', apiKey: 'env:K' })).toHaveLength(1);
  });
});

describe('passthrough providers', () => {
  it('need litellm settings, and only they take them', () => {
    expect(issues({ id: 'b', kind: 'passthrough' })).toEqual([expect.stringMatching(/^litellm: passthrough providers need/)]);
    expect(issues({ id: 'b', kind: 'passthrough', litellm: { provider: 'bedrock', params: { aws_region_name: 'eu-west-1' } } })).toEqual([]);
    expect(issues({ id: 'o', kind: 'openai', apiKey: 'env:K', litellm: { provider: 'bedrock' } })).toEqual([
      expect.stringMatching(/^litellm: only passthrough/),
    ]);
  });

  it('take no LiteLLM environment reference among plain parameters', () => {
    const r = issues({ id: 'b', kind: 'passthrough', litellm: { provider: 'bedrock', params: { aws_region_name: 'os.environ/AWS_REGION' } } });
    expect(r).toEqual([expect.stringMatching(/^litellm\.params\.aws_region_name: .*env:NAME/)]);
  });

  it('take credentials only as secret references', () => {
    const s = (secrets: Record<string, string>) => issues({ id: 'b', kind: 'passthrough', litellm: { provider: 'bedrock', secrets } });
    expect(s({ aws_secret_access_key: 'env:AWS_SECRET_ACCESS_KEY' })).toEqual([]);
    expect(s({ aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG' })).toEqual([expect.stringMatching(/secret reference/)]);
  });
});

describe('serviceOfLitellmPrefix (reading a LiteLLM config back)', () => {
  it("maps every service's prefix back to it, both Ollama prefixes to ollama, and nothing else", () => {
    for (const name of OPENAI_COMPATIBLE_SERVICE_NAMES)
      if (name !== 'generic') expect([name, serviceOfLitellmPrefix(OPENAI_COMPATIBLE_SERVICES[name].litellmPrefix)]).toEqual([name, name]);
    expect(serviceOfLitellmPrefix('ollama')).toBe('ollama');
    expect(serviceOfLitellmPrefix('openai')).toBeNull();
    expect(serviceOfLitellmPrefix('bedrock')).toBeNull();
  });
});
