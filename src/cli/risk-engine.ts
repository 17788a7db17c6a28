/** Picks the risk engine for check and diff: the built-in interpreter, or OPA's Wasm. */
import { join } from 'node:path';
import { createBuiltinEngine } from '../risk/builtin-engine.ts';
import { type RulePack, readRulePack } from '../risk/rule-pack.ts';
import type { PolicyEngine } from '../risk/types.ts';
import { UserError } from './context.ts';

export interface EngineOptions {
  policies: string;
  rules?: string;
  engine?: string;
  bundle?: string;
}

/** Rules default to `risk/` inside the policy directory. */
export const rulesDir = (o: EngineOptions) => o.rules ?? join(o.policies.replace(/\/(index\.ts|policy\.(ya?ml|json))$/, ''), 'risk');

export async function loadEngine(o: EngineOptions): Promise<PolicyEngine> {
  const kind = o.engine ?? 'builtin';
  if (kind === 'opa-wasm') {
    if (!o.bundle) throw new UserError('--engine opa-wasm needs --bundle FILE (made by: opa build -t wasm -e switchyard/risk policies/risk)');
    const { createOpaWasmEngine } = await import('../risk/opa-wasm-engine.ts');
    try {
      return await createOpaWasmEngine(o.bundle);
    } catch (e) {
      throw new UserError(`cannot load ${o.bundle}: ${(e as Error).message}`);
    }
  }
  if (kind !== 'builtin') throw new UserError(`unknown --engine ${JSON.stringify(kind)}; use builtin or opa-wasm`);
  let pack: RulePack;
  try {
    pack = await readRulePack(rulesDir(o));
  } catch (e) {
    throw new UserError(`cannot read the risk rules in ${rulesDir(o)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return createBuiltinEngine(pack.rules);
}
