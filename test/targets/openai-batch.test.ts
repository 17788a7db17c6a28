import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/plan/compile.ts';
import { DOC_PATHS, emitDocs } from '../../src/targets/docs.ts';
import { emitAll } from '../../src/targets/index.ts';
import { emitLitellm } from '../../src/targets/litellm.ts';
import { mdText } from '../../src/targets/markdown.ts';
import { emitOpenaiBatch } from '../../src/targets/openai-batch.ts';
import { BATCH_PROFILES_PATH } from '../../src/targets/paths.ts';
import { compileEdited, referencePolicy } from '../fixtures/policies.ts';

const reference = async () => compilePolicy(await referencePolicy()).plan!;

describe('openai/batch-profiles.json', () => {
  it('describes each reference profile with limits, metadata, redaction and both prices', async () => {
    const plan = await reference();
    const [artifact, ...rest] = emitOpenaiBatch(plan);
    expect(rest).toEqual([]);
    expect(artifact!.path).toBe(BATCH_PROFILES_PATH);
    const doc = JSON.parse(artifact!.content);
    expect(doc.plan).toEqual({ name: 'reference', hash: plan.hash });
    expect(Object.keys(doc.profiles)).toEqual(['content-analysis', 'document-extraction', 'invoice-processing', 'research']);
    expect(doc.profiles['invoice-processing']).toEqual({
      description: 'Line items and totals from supplier invoices',
      provider: { id: 'openai', kind: 'openai', apiBase: 'https://api.openai.com/v1', apiKey: 'vault:secret/switchyard/openai#key' },
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      completionWindow: '24h',
      limits: { maxRequestsPerFile: 20_000, maxFileBytes: 100_000_000 },
      metadata: { cost_center: 'cc-2001', switchyard_profile: 'invoice-processing', team: 'finance' },
      runnerMetadataKeys: ['switchyard_key', 'switchyard_profile'],
      redaction: {
        enabled: true,
        detectors: ['email', 'iban', 'ip_address', 'payment_card', 'phone', 'us_ssn'],
        rules: [{ name: 'customer-number', pattern: '\\bCUST-[0-9]{6,10}\\b', replacement: '[CUSTOMER_NUMBER]' }],
        reidentify: false,
      },
      dataClasses: ['financial', 'pii'],
      slaHours: 24,
      pricePer1M: {
        batch: { input: 0.075, output: 0.3 },
        synchronous: { input: 0.15, output: 0.6 },
        synchronousDeployment: 'openai-gpt-4o-mini',
        savings: 0.5,
      },
      spend: { tenant: 'document-pipeline', modelGroup: 'batch:invoice-processing', deployment: 'openai-gpt-4o-mini' },
    });
    expect(doc.profiles.research.pricePer1M.batch).toEqual({ input: 1.25, output: 5 });
    expect(doc.profiles['document-extraction'].redaction.reidentify).toBe(true);
    expect(doc.profiles['content-analysis'].spend.tenant).toBe('batch:content-analysis');
  });

  it('is part of every compile, byte-identical from one run to the next, and absent without profiles', async () => {
    const a = emitAll(await reference()).find((x) => x.path === BATCH_PROFILES_PATH)!;
    const b = emitAll(await reference()).find((x) => x.path === BATCH_PROFILES_PATH)!;
    expect(a.content).toBe(b.content);
    expect(emitOpenaiBatch(compileEdited((p) => void (p.batchProfiles = [])).plan!)).toEqual([]);
  });

  it('LiteLLM and the batch runbook point at it', async () => {
    const plan = await reference();
    const config = emitLitellm(plan)[0]!.content;
    expect(config).toContain(
      '#   - batchProfiles: batch profiles (content-analysis, document-extraction, invoice-processing, research) do not go through the proxy: they run on the OpenAI Batch API with `switchyard batch`, as described in generated/openai/batch-profiles.json',
    );
    const runbook = emitDocs(plan).find((d) => d.path === DOC_PATHS.batchFailure)!.content;
    expect(runbook).toContain('`generated/openai/batch-profiles.json`');
    expect(runbook).toContain(
      '| `research` | openai | gpt-4o | /v1/chat/completions | 24h | 24h | 10000 requests, 100 MB | `research-lab` | $1.25 / $5 | $2.5 / $10 (`openai-gpt-4o`) | 50% | internal | `email`, `iban`, `ip_address`, `payment_card`, `phone`, `us_ssn` | stay redacted |',
    );
    expect(runbook).toContain('switchyard_batch_requests_total');
    expect(runbook).toContain('switchyard batch retry-failed --dir <dir>');
  });

  it('a model name cannot break out of the runbook table or inject HTML', () => {
    const plan = compileEdited((p) => {
      p.batchProfiles[0]!.model = 'evil | <img src=x onerror=alert(1)>\n| injected | row';
    }).plan!;
    const runbook = emitDocs(plan).find((d) => d.path === DOC_PATHS.batchFailure)!.content;
    const row = runbook.split('\n').find((l) => l.startsWith('| `extraction`'))!;
    expect(row).toContain('evil \\| &lt;img src=x onerror=alert(1)&gt; \\| injected \\| row');
    expect(runbook).not.toContain('<img');
    expect(runbook.split('\n').filter((l) => l.includes('injected'))).toEqual([row]);
    // The JSON file carries the string as it is, escaped by JSON.
    expect(JSON.parse(emitOpenaiBatch(plan)[0]!.content).profiles.extraction.model).toBe('evil | <img src=x onerror=alert(1)>\n| injected | row');
  });

  it('mdText escapes what inline Markdown reads', () => {
    expect(mdText('a|b`c*d_e[f]g~h\\i<j>&k\nl')).toBe('a\\|b\\`c\\*d\\_e\\[f\\]g\\~h\\\\i&lt;j&gt;&amp;k l');
    expect(mdText('gpt-4o-mini')).toBe('gpt-4o-mini');
  });
});
