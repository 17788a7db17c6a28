/**
 * The what-if simulator: the plan's traffic, hosted providers and vLLM
 * engines modelled in virtual time, routed by the real runtime router.
 * Imports plan types, the runtime and the capacity arithmetic; never the
 * loader or the compiler.
 */
export { simulate } from './simulate.ts';
export { DEFAULT_REPLICAS, defaultReplicas, SIM_START, simulateScenario, type SimulateOptions } from './run.ts';
export {
  allBuiltins,
  BASELINE,
  builtinScenario,
  builtinScenarios,
  nMinusOne,
  ScenarioError,
  type Scenario,
  type ScenarioEvent,
  type Target,
} from './scenario.ts';
export type * from './report.ts';
