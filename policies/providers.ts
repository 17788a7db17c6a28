import { defineProviders } from 'switchyard';

/**
 * Upstream accounts. Keys come from Vault or the environment, never literals.
 * Each local vLLM server (one per pool and model) is a provider of its own,
 * because it has its own address.
 */
export const providers = defineProviders([
  {
    id: 'openai',
    kind: 'openai',
    apiBase: 'https://api.openai.com/v1',
    region: 'us',
    apiKey: 'vault:secret/switchyard/openai#key',
  },
  {
    id: 'azure-eastus',
    kind: 'azure_openai',
    apiBase: 'https://switchyard-eastus.openai.azure.com',
    apiVersion: '2024-10-21',
    region: 'eastus',
    apiKey: 'env:AZURE_EASTUS_API_KEY',
  },
  {
    id: 'azure-swedencentral',
    kind: 'azure_openai',
    apiBase: 'https://switchyard-swedencentral.openai.azure.com',
    apiVersion: '2024-10-21',
    region: 'swedencentral',
    apiKey: 'env:AZURE_SWEDENCENTRAL_API_KEY',
  },
  {
    id: 'anthropic',
    kind: 'anthropic',
    apiBase: 'https://api.anthropic.com',
    region: 'us',
    apiKey: 'env:ANTHROPIC_API_KEY',
  },
  { id: 'vllm-pool-a', kind: 'vllm', apiBase: 'http://pool-a.gpu.internal:8000/v1', apiKey: 'env:VLLM_API_KEY' },
  { id: 'vllm-pool-b', kind: 'vllm', apiBase: 'http://pool-b.gpu.internal:8000/v1', apiKey: 'env:VLLM_API_KEY' },
  { id: 'vllm-pool-c', kind: 'vllm', apiBase: 'http://pool-c.gpu.internal:8000/v1', apiKey: 'env:VLLM_API_KEY' },
  { id: 'vllm-pool-ab-70b', kind: 'vllm', apiBase: 'http://pool-a.gpu.internal:8001/v1', apiKey: 'env:VLLM_API_KEY' },
]);
