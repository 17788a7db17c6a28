import { definePolicy } from 'switchyard';
import { batchProfiles } from './batch-profiles.ts';
import { gpuPools } from './gpu-pools.ts';
import { providers } from './providers.ts';
import { circuitBreaker, deployments, modelGroups, routerState } from './routing.ts';
import { slos } from './slos.ts';
import { tenants } from './tenants.ts';

export default definePolicy({
  name: 'reference',
  description: 'The Switchyard reference architecture: multi-provider interactive routing, local vLLM pools and batch profiles',
  providers,
  deployments,
  modelGroups,
  circuitBreaker,
  routerState,
  tenants,
  gpuPools,
  batchProfiles,
  slos,
});
