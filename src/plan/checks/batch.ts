/** Batch profiles run through the OpenAI Batch API, which OpenAI and Azure OpenAI offer; other providers have none compatible. */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import type { ProviderKind } from '../../model/closed-sets.ts';
import type { Policy } from '../../model/policy.ts';
import { q } from './index-by-id.ts';

const BATCH_KINDS: ReadonlySet<ProviderKind> = new Set<ProviderKind>(['openai', 'azure_openai']);

export function checkBatchProviders(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const kindOf = new Map<string, ProviderKind>();
  for (const p of policy.providers) if (!kindOf.has(p.id)) kindOf.set(p.id, p.kind);
  policy.batchProfiles.forEach((b, i) => {
    const kind = kindOf.get(b.provider);
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
