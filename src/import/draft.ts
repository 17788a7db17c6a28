/**
 * The policy an import builds, before it is rendered: the policy object
 * (what the user would have written: defaults left out), the comments to
 * write beside its values (why a value was inferred or defaulted, what was
 * not imported), and where each value came from in the inputs, so that the
 * compiler's findings on the imported policy are reported at the input's
 * file:line.
 */
import { formatPath, type Path } from '../diagnostics/path.ts';
import type { DeploymentInput } from '../model/deployment.ts';
import type { GpuPoolInput } from '../model/gpu-pool.ts';
import type { ModelGroupInput } from '../model/model-group.ts';
import type { CircuitBreakerInput } from '../model/circuit-breaker.ts';
import type { ProviderInput } from '../model/provider.ts';
import type { RouterStateInput } from '../model/router-state.ts';
import type { TargetsInput } from '../model/targets.ts';
import type { Input } from './input.ts';

/** The output files, as `switchyard init` lays them out. */
export type PolicyFile = 'index.ts' | 'providers.ts' | 'routing.ts' | 'gpu-pools.ts';

export interface ImportedPolicy {
  name: string;
  description?: string;
  providers: ProviderInput[];
  deployments: DeploymentInput[];
  modelGroups: ModelGroupInput[];
  circuitBreaker?: CircuitBreakerInput;
  routerState?: RouterStateInput;
  gpuPools: GpuPoolInput[];
  targets?: TargetsInput;
}

export class PolicyDraft {
  readonly policy: ImportedPolicy;
  /** Policy path (formatPath) -> comment lines written above that value. */
  readonly comments = new Map<string, string[]>();
  /** Comment lines at the top of a file: what the inputs say that the policy does not. */
  readonly fileNotes = new Map<PolicyFile, string[]>();
  /** Policy path -> where it was read from. */
  readonly origins = new Map<string, { input: Input; path: Path }>();

  constructor(name: string) {
    this.policy = { name, providers: [], deployments: [], modelGroups: [], gpuPools: [] };
  }

  comment(path: Path, line: string): void {
    const key = formatPath(path);
    const lines = this.comments.get(key) ?? [];
    if (!lines.includes(line)) lines.push(line);
    this.comments.set(key, lines);
  }

  fileNote(file: PolicyFile, line: string): void {
    this.fileNotes.set(file, [...(this.fileNotes.get(file) ?? []), line]);
  }

  origin(path: Path, input: Input, at: Path): void {
    this.origins.set(formatPath(path), { input, path: at });
  }
}
