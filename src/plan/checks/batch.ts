/** Batch profiles: a provider with an OpenAI-compatible Batch API, a price, and redaction patterns that are safe to run. */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import type { ProviderKind } from '../../model/closed-sets.ts';
import type { Policy } from '../../model/policy.ts';
import { q } from './index-by-id.ts';
import { redactionPatternProblem } from './regex-safety.ts';

const BATCH_KINDS: ReadonlySet<ProviderKind> = new Set<ProviderKind>(['openai', 'azure_openai']);
/** The kinds `switchyard batch` runs; an Azure profile is described in the generated files for Azure's own tooling. */
const RUNNER_KINDS: ReadonlySet<ProviderKind> = new Set<ProviderKind>(['openai']);

export function checkBatchProviders(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const kindOf = new Map<string, ProviderKind>();
  for (const p of policy.providers) if (!kindOf.has(p.id)) kindOf.set(p.id, p.kind);
  policy.batchProfiles.forEach((b, i) => {
    const kind = kindOf.get(b.provider);
    if (kind !== undefined && BATCH_KINDS.has(kind) && !RUNNER_KINDS.has(kind))
      out.push(
        diagnostic(
          'warning',
          'batch-runner-unsupported',
          `batch profile ${q(b.id)} uses provider ${q(b.provider)} of kind ${kind}: generated/openai/batch-profiles.json describes it, but \`switchyard batch\` runs profiles on openai providers only`,
          formatPath(['batchProfiles', i, 'provider']),
          {
            hint: "Azure OpenAI's Batch API names deployments and takes an api-version: submit this profile with Azure's own tooling, or use an openai provider",
          },
        ),
      );
    if (kind !== undefined && !BATCH_KINDS.has(kind))
      out.push(
        diagnostic(
          'error',
          'batch-provider-unsupported',
          `batch profile ${q(b.id)} uses provider ${q(b.provider)} of kind ${kind}, which has no OpenAI-compatible Batch API`,
          formatPath(['batchProfiles', i, 'provider']),
          { hint: 'use an openai or azure_openai provider' },
        ),
      );
  });
  return out;
}

/** Spend rows and estimates need a batch price: the profile's own, or a deployment of the same provider and model to discount. */
export function checkBatchPricing(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const priced = new Set(policy.deployments.map((d) => `${d.provider}\n${d.model}`));
  policy.batchProfiles.forEach((b, i) => {
    if (b.pricing !== undefined || priced.has(`${b.provider}\n${b.model}`)) return;
    out.push(
      diagnostic(
        'error',
        'batch-unpriced',
        `batch profile ${q(b.id)} has no price: no deployment serves model ${q(b.model)} on provider ${q(b.provider)} and the profile sets no pricing`,
        formatPath(['batchProfiles', i, 'model']),
        { hint: 'add pricing: { inputPer1M, outputPer1M } (the batch rate) to the profile, or a deployment of that model' },
      ),
    );
  });
  return out;
}

export function checkRedactionPatterns(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  policy.batchProfiles.forEach((b, i) =>
    b.redaction.rules.forEach((r, j) => {
      const problem = redactionPatternProblem(r.pattern);
      if (problem)
        out.push(
          diagnostic(
            'error',
            'redaction-pattern-invalid',
            `redaction rule ${q(r.name)} of batch profile ${q(b.id)}: the pattern ${problem}`,
            formatPath(['batchProfiles', i, 'redaction', 'rules', j, 'pattern']),
          ),
        );
    }),
  );
  return out;
}
