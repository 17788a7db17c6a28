/**
 * Reading plan.json back: what the runtime, the diff and the risk rules do
 * with a plan they did not compile. Only structural sanity and the hash are
 * checked (no zod: the runtime must not load the compiler); a plan that
 * passes was written by a compiler of this schema version and not edited.
 */
import { HASH_PREFIX, verifyPlanHash } from './hash.ts';
import { PLAN_SCHEMA_VERSION, type CompiledPlan } from './types.ts';

/** Top-level members that are collections keyed by id. */
const KEYED = ['providers', 'deployments', 'groups', 'tenants', 'pools', 'batchProfiles'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks plan.json; throws an Error with a one-line message when it is not a plan this version can run. */
export function parsePlan(text: string): CompiledPlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the error, which could be anything the file holds: only the kind of error is kept.
    throw new Error(`plan is not valid JSON: ${(e as Error).message.replace(/, .*is not valid JSON$/s, '').split('\n')[0]}`);
  }
  if (!isObject(value)) throw new Error('plan must be a JSON object');
  if (value.schemaVersion !== PLAN_SCHEMA_VERSION)
    throw new Error(`unsupported plan schemaVersion ${JSON.stringify(value.schemaVersion)} (this version reads ${PLAN_SCHEMA_VERSION}); recompile the policy`);
  if (typeof value.name !== 'string') throw new Error('plan is missing its name');
  if (typeof value.hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(value.hash)) throw new Error(`plan hash must look like ${HASH_PREFIX}<64 hex digits>`);
  for (const key of KEYED) if (!isObject(value[key])) throw new Error(`plan is missing the "${key}" object`);
  if (!isObject(value.routerState) || typeof value.routerState.kind !== 'string') throw new Error('plan is missing the "routerState" object');
  if (!isObject(value.slos) || !isObject(value.slos.targets) || !isObject(value.slos.alerts))
    throw new Error('plan is missing the "slos" object with "targets" and "alerts"');
  const plan = value as unknown as CompiledPlan;
  if (!verifyPlanHash(plan)) throw new Error(`plan hash mismatch: the plan was edited after it was compiled (recorded ${plan.hash}); recompile the policy`);
  return plan;
}
