import { defineTenants } from 'switchyard';

/**
 * Every request is attributed to a tenant, with limits and a monthly budget.
 * allowedGroups also bounds where a tenant's requests may fall back to (a
 * tenant kept on local models never spills to a hosted provider), so the
 * interactive tenants list the whole OpenAI -> Azure -> Anthropic -> local chain.
 */
export const tenants = defineTenants([
  {
    id: 'support-assistant',
    description: 'Customer support copilot (interactive)',
    apiKeys: ['vault:secret/switchyard/tenants/support-assistant#api_key'],
    allowedGroups: ['chat', 'chat-azure', 'chat-anthropic', 'chat-local', 'chat-mini'],
    rpm: 1_200,
    tpm: 1_500_000,
    monthlyBudgetUsd: 15_000,
  },
  {
    id: 'document-pipeline',
    description: 'Back-office document processing (cost-sensitive)',
    apiKeys: ['vault:secret/switchyard/tenants/document-pipeline#api_key'],
    allowedGroups: ['chat-local', 'chat-mini'],
    rpm: 600,
    tpm: 2_000_000,
    monthlyBudgetUsd: 4_000,
  },
  {
    id: 'research-lab',
    description: 'Analysts using the premium local model',
    apiKeys: ['vault:secret/switchyard/tenants/research-lab#api_key'],
    allowedGroups: ['premium', 'chat', 'chat-azure', 'chat-anthropic', 'chat-local', 'chat-mini'],
    rpm: 120,
    tpm: 400_000,
    monthlyBudgetUsd: 8_000,
  },
]);
