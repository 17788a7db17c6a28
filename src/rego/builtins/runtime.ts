/**
 * opa.runtime, and rego.metadata.* outside a rule.
 *
 * opa.runtime. OPA returns what its runtime was started with (config, env,
 * version); an evaluator embedded in Switchyard has no such runtime, so it
 * answers as OPA does when nothing was configured: an empty object. Rules
 * must not depend on it; it exists so policies written for OPA still compile.
 */
import { ObjectValue } from '../value.ts';
import type { Builtin } from './types.ts';

export const RUNTIME: Builtin[] = [
  { name: 'opa.runtime', arity: 0, call: () => new ObjectValue() },
  // Inside a rule the compiler answers these from the rule's METADATA (compile/metadata.ts); outside one there is nothing to report.
  { name: 'rego.metadata.rule', arity: 0, call: () => new ObjectValue() },
  { name: 'rego.metadata.chain', arity: 0, call: () => [] },
];
