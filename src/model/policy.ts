import { z } from 'zod';
import { BatchProfile } from './batch-profile.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { Deployment } from './deployment.ts';
import { GpuPool } from './gpu-pool.ts';
import { ModelDeclaration } from './model-declaration.ts';
import { ModelGroup } from './model-group.ts';
import { Provider } from './provider.ts';
import { RouterState } from './router-state.ts';
import { Slos } from './slo.ts';
import { Targets } from './targets.ts';
import { Tenant } from './tenant.ts';

/** The whole policy: what `policies/index.ts` default-exports. */
export const Policy = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    providers: z.array(Provider).default([]),
    deployments: z.array(Deployment).default([]),
    modelGroups: z.array(ModelGroup).default([]),
    /** Default breaker for every deployment; a group may override it. */
    circuitBreaker: CircuitBreaker.default({}),
    routerState: RouterState.default({ kind: 'memory' }),
    tenants: z.array(Tenant).default([]),
    gpuPools: z.array(GpuPool).default([]),
    /** Checkpoints the capacity catalog does not know: architecture inline or from a config.json in the repository. */
    models: z.array(ModelDeclaration).default([]),
    batchProfiles: z.array(BatchProfile).default([]),
    slos: Slos.default({}),
    /** Options of the compile targets (the LiteLLM release range, LiteLLM Enterprise). */
    targets: Targets.default({}),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;
export type PolicyInput = z.input<typeof Policy>;
