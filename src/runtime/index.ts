/**
 * The runtime router: executes a CompiledPlan (read from plan.json) without
 * the compiler. Imports only plan types and the plan reader.
 */
export { createRouter, type Router, type RouterOptions, type DeploymentView } from './router.ts';
export { manualClock, seededRandom, type ManualClock } from './clock.ts';
export { dryRunTransport } from './dry-run.ts';
export type { RouterStore, StoreMetrics } from './stores/store.ts';
export { renderTrace } from './trace.ts';
export type * from './types.ts';
