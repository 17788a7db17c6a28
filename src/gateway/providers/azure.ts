/**
 * Azure OpenAI: the deployment is in the URL
 * (`{base}/openai/deployments/{deployment}/chat/completions?api-version=`),
 * the key in the `api-key` header. The plan deployment's `model` is the
 * Azure deployment name. A base URL ending in `/openai/v1` uses Azure's v1
 * API instead: OpenAI's layout, no api-version. Streams carry usage when
 * asked from api-version 2024-09-01-preview on; older versions are counted.
 */
import type { PlanProvider } from '../../plan/types.ts';
import { UPSTREAM_PATH } from '../endpoints.ts';
import { openAiCompatible } from './openai-compatible.ts';

/** The latest GA data-plane version when the plan names none. */
const DEFAULT_AZURE_API_VERSION = '2024-10-21';

const apiVersion = (p: PlanProvider) => p.apiVersion ?? DEFAULT_AZURE_API_VERSION;

export const azureAdapter = openAiCompatible({
  kind: 'azure_openai',
  defaultBase: null,
  auth: (key): Record<string, string> => (key === null ? {} : { 'api-key': key }),
  path: (endpoint, t) =>
    t.basePath.endsWith('/openai/v1')
      ? `${t.basePath}${UPSTREAM_PATH[endpoint]}`
      : `${t.basePath}/openai/deployments/${encodeURIComponent(t.deployment.model)}${UPSTREAM_PATH[endpoint]}?api-version=${encodeURIComponent(apiVersion(t.provider))}`,
  // Version strings sort by date ("2024-09-01-preview" < "2024-10-21"); "preview" (v1 API) and later versions support it.
  streamUsage: (p) => p.apiBase?.replace(/\/+$/, '').endsWith('/openai/v1') === true || apiVersion(p) >= '2024-09-01',
});
