import { describe, expect, it } from 'vitest';
import { redactionPatternProblem } from '../../../src/plan/checks/regex-safety.ts';
import { Policy } from '../../../src/model/policy.ts';
import { basePolicy, codesAt, compileEdited } from '../../fixtures/policies.ts';
import { checkCases } from './cases.ts';

describe('batch profiles', () => {
  checkCases([
    {
      name: 'a provider without an OpenAI-compatible Batch API',
      edit: (p) => void (p.batchProfiles[0]!.provider = 'vllm-a'),
      expected: 'batch-provider-unsupported @ batchProfiles[0].provider',
      mentions: ['"extraction"', '"vllm-a"'],
    },
    // (a completion window the Batch API does not offer is the risk pack's completion-window-not-offered: policies/risk/batch.rego)
    {
      name: 'an Azure profile, which batch-profiles.json describes but the runner does not run',
      edit: (p) => void Object.assign(p.batchProfiles[0]!, { provider: 'azure', model: 'gpt-4o' }),
      expected: 'batch-runner-unsupported @ batchProfiles[0].provider',
      mentions: ['"extraction"', '"azure"', 'azure_openai', 'openai providers only'],
      severity: 'warning',
    },
    {
      name: 'no price of its own and no deployment of its model to discount',
      edit: (p) => void delete p.batchProfiles[0]!.pricing,
      expected: 'batch-unpriced @ batchProfiles[0].model',
      mentions: ['"extraction"', '"gpt-4o-mini"', '"openai"'],
    },
    // (a pattern that is not a regular expression at all is refused by the schema: test/security/bounds.test.ts)
    {
      name: 'a redaction pattern that backtracks exponentially',
      edit: (p) => void (p.batchProfiles[0]!.redaction.rules = [{ name: 'slow', pattern: '(\\w+\\s?)*!' }]),
      expected: 'redaction-pattern-invalid @ batchProfiles[0].redaction.rules[0].pattern',
      mentions: ['"slow"', 'backtrack exponentially'],
    },
    {
      name: 'a redaction pattern that matches the empty string',
      edit: (p) => void (p.batchProfiles[0]!.redaction.rules = [{ name: 'empty', pattern: 'x*' }]),
      expected: 'redaction-pattern-invalid @ batchProfiles[0].redaction.rules[0].pattern',
      mentions: ['"empty"', 'empty string'],
    },
    {
      name: 'spend billed to an unknown tenant',
      edit: (p) => void (p.batchProfiles[0]!.tenant = 'ghost'),
      expected: 'unknown-tenant @ batchProfiles[0].tenant',
      mentions: ['"extraction"', '"ghost"'],
    },
  ]);

  it('prices a profile from the deployment of its provider and model, less the discount', () => {
    const r = compileEdited((p) => {
      const b = p.batchProfiles[0]!;
      delete b.pricing;
      b.model = 'gpt-4o';
      b.batchDiscount = 0.4;
    });
    expect(codesAt(r.diagnostics)).toEqual([]);
    expect(r.plan!.batchProfiles.extraction!.pricing).toEqual({
      batch: { inputPer1M: 1.5, outputPer1M: 6 },
      synchronous: { inputPer1M: 2.5, outputPer1M: 10 },
      deployment: 'openai-gpt-4o',
    });
  });

  it('an explicit batch price wins, and the synchronous one is still named when a deployment exists', () => {
    const r = compileEdited((p) => {
      const b = p.batchProfiles[0]!;
      b.model = 'gpt-4o';
      b.pricing = { inputPer1M: 1, outputPer1M: 4 };
    });
    expect(r.plan!.batchProfiles.extraction!.pricing).toEqual({
      batch: { inputPer1M: 1, outputPer1M: 4 },
      synchronous: { inputPer1M: 2.5, outputPer1M: 10 },
      deployment: 'openai-gpt-4o',
    });
  });

  it("splits at OpenAI's limits (50,000 requests, 200 MB) unless the profile asks for less, and takes exactly those", () => {
    const defaults = compileEdited(() => {});
    expect(codesAt(defaults.diagnostics)).toEqual([]);
    expect(defaults.plan!.batchProfiles.extraction).toMatchObject({ maxRequestsPerFile: 50_000, maxFileBytes: 200_000_000 });
    const atLimit = compileEdited((p) => void Object.assign(p.batchProfiles[0]!, { maxRequestsPerFile: 50_000, maxFileSizeMb: 200 }));
    expect(codesAt(atLimit.diagnostics)).toEqual([]);
    expect(atLimit.plan!.batchProfiles.extraction).toMatchObject({ maxRequestsPerFile: 50_000, maxFileBytes: 200_000_000 });
    const lower = compileEdited((p) => void Object.assign(p.batchProfiles[0]!, { maxRequestsPerFile: 49_999, maxFileSizeMb: 199 }));
    expect(lower.plan!.batchProfiles.extraction).toMatchObject({ maxRequestsPerFile: 49_999, maxFileBytes: 199_000_000 });
    // (over either limit is refused by the schema at its line: test/security/bounds.test.ts)
  });

  it('normalizes redaction: every detector by default, none when off, re-identification only when on', () => {
    const on = compileEdited((p) => void (p.batchProfiles[0]!.redaction.reidentify = true)).plan!.batchProfiles.extraction!;
    expect(on.redaction).toEqual({
      enabled: true,
      detectors: ['email', 'iban', 'ip_address', 'payment_card', 'phone', 'us_ssn'],
      rules: [{ name: 'email', pattern: '@', replacement: '[REDACTED]' }],
      reidentify: true,
    });
    expect(on.maxFileBytes).toBe(200_000_000);
    expect(on.tenant).toBeNull();
    const off = compileEdited((p) => {
      p.batchProfiles[0]!.dataClasses = ['public'];
      p.batchProfiles[0]!.redaction = { enabled: false, reidentify: true, detectors: ['email'] };
    }).plan!.batchProfiles.extraction!;
    expect(off.redaction).toEqual({ enabled: false, detectors: [], rules: [], reidentify: false });
  });

  it('metadata keys of the runner are refused, and at most 14 keys', () => {
    const parse = (metadata: Record<string, string>) => {
      const p = basePolicy();
      p.batchProfiles[0]!.metadata = metadata;
      const r = Policy.safeParse(p);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(parse({ team: 'x' })).toEqual([]);
    expect(parse({ switchyard_key: 'x' })).toEqual([
      'batchProfiles.0.metadata.switchyard_key: metadata keys starting with "switchyard_" are set by the batch runner',
    ]);
    expect(parse(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v'])))).toEqual([
      "batchProfiles.0.metadata: batch metadata holds at most 14 keys (OpenAI's 16 less the runner's 2)",
    ]);
  });
});

describe('redaction pattern safety', () => {
  it.each([
    ['\\bCUST-[0-9]{6,10}\\b', null],
    ['[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}', null],
    ['(?:ab)+c', null],
    ['(a|b){2,5}x', null],
    ['[(+*)]+x', null],
    ['\\(a+\\)+', null],
    ['(a+)+b', 'repeats a group'],
    ['(?:x*y)*z', 'repeats a group'],
    ['((ab)+c){2,}', 'repeats a group'],
    ['(a{1,})*b', 'repeats a group'],
    ['(a)\\1', 'back-reference'],
    ['(?<n>a)\\k<n>', 'back-reference'],
    ['a|', 'empty string'],
    ['(', 'not a valid regular expression'],
  ])('%s', (pattern, problem) => {
    const got = redactionPatternProblem(pattern);
    if (problem === null) expect(got).toBeNull();
    else expect(got).toContain(problem);
  });
});
