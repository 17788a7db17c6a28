export * from './types.ts';
export { compilePolicy, planPathToPolicyPath } from './compile.ts';
export { stableStringify } from './canonical-json.ts';
export { planHash, verifyPlanHash } from './hash.ts';
export { parsePlan } from './read.ts';
export { parseSecretRef } from './secret-ref.ts';
export { runChecks, CHECKS, type Check } from './checks/index.ts';
