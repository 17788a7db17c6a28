/**
 * The default engine: Switchyard's own Rego interpreter (src/rego), so risk
 * rules run in-process with no OPA binary. Compiled once, evaluated per input.
 */
import { EXIT, SwitchyardError } from '../errors.ts';
import { makeError } from '../rego/errors.ts';
import { compileModules, evalDefinitions, type ModuleSource, type RegoError } from '../rego/index.ts';
import { fromJSON, toJSON } from '../rego/value.ts';
import { parseFindings, ruleDefaults } from './findings.ts';
import { FINDING_SETS, RISK_PACKAGE, type PolicyEngine, type RiskFinding, type RiskInput } from './types.ts';

/** The rule pack does not compile; carries OPA-style errors with file:row. */
export class RulePackError extends SwitchyardError {
  constructor(readonly errors: RegoError[]) {
    super(errors.map((e) => e.message).join('\n'), 'rule-pack', { exitCode: EXIT.policy });
  }
}

export function createBuiltinEngine(modules: ModuleSource[]): PolicyEngine {
  const { compiled, errors } = compileModules(modules);
  if (!compiled) throw new RulePackError(errors);
  return {
    name: 'builtin',
    async evaluate(input: RiskInput): Promise<RiskFinding[]> {
      // JSON is the rules' view of the input, exactly as `opa eval -i` would see it.
      const value = fromJSON(JSON.parse(JSON.stringify(input)));
      return FINDING_SETS.flatMap((set) => {
        try {
          // One definition at a time, so each finding can take level, title and link from its rule's METADATA.
          return evalDefinitions(compiled, [...RISK_PACKAGE.split('.'), set], { input: value }).flatMap((d) => {
            if (d.value === undefined) return [];
            try {
              return parseFindings(set, toJSON(d.value), ruleDefaults(d.metadata.map(toJSON)));
            } catch (e) {
              // A malformed finding or METADATA is the rule's fault: report it at the rule.
              throw new RulePackError([makeError('rego_type_error', (e as Error).message, d.rule.rule.loc)]);
            }
          });
        } catch (e) {
          const rego = (e as { regoError?: RegoError }).regoError;
          if (rego) throw new RulePackError([rego]);
          throw e;
        }
      });
    },
  };
}
