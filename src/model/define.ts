/**
 * Identity helpers that give policy files editor completion and type checks,
 * like Vite's defineConfig. They take the input type (defaults optional) and
 * return the value unchanged: validation happens once, in the loader, so an
 * error is reported with its location instead of thrown from an import.
 */
import type { BatchProfileInput } from './batch-profile.ts';
import type { CircuitBreakerInput } from './circuit-breaker.ts';
import type { DeploymentInput } from './deployment.ts';
import type { GpuPoolInput } from './gpu-pool.ts';
import type { ModelDeclarationInput } from './model-declaration.ts';
import type { ModelGroupInput } from './model-group.ts';
import type { PolicyInput } from './policy.ts';
import type { ProviderInput } from './provider.ts';
import type { RouterStateInput } from './router-state.ts';
import type { SlosInput } from './slo.ts';
import type { TargetsInput } from './targets.ts';
import type { TenantInput } from './tenant.ts';

export const definePolicy = (p: PolicyInput): PolicyInput => p;
export const defineProvider = (p: ProviderInput): ProviderInput => p;
export const defineProviders = (p: ProviderInput[]): ProviderInput[] => p;
export const defineDeployment = (d: DeploymentInput): DeploymentInput => d;
export const defineDeployments = (d: DeploymentInput[]): DeploymentInput[] => d;
export const defineModelGroup = (g: ModelGroupInput): ModelGroupInput => g;
export const defineModelGroups = (g: ModelGroupInput[]): ModelGroupInput[] => g;
export const defineCircuitBreaker = (b: CircuitBreakerInput): CircuitBreakerInput => b;
export const defineRouterState = (s: RouterStateInput): RouterStateInput => s;
export const defineTenant = (t: TenantInput): TenantInput => t;
export const defineTenants = (t: TenantInput[]): TenantInput[] => t;
export const defineGpuPool = (p: GpuPoolInput): GpuPoolInput => p;
export const defineGpuPools = (p: GpuPoolInput[]): GpuPoolInput[] => p;
export const defineBatchProfile = (b: BatchProfileInput): BatchProfileInput => b;
export const defineBatchProfiles = (b: BatchProfileInput[]): BatchProfileInput[] => b;
export const defineSlos = (s: SlosInput): SlosInput => s;
export const defineModels = (m: ModelDeclarationInput[]): ModelDeclarationInput[] => m;
export const defineTargets = (t: TargetsInput): TargetsInput => t;
