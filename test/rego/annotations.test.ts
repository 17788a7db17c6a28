import { describe, expect, it } from 'vitest';
import { compileModules, evalQuery } from '../../src/rego/index.ts';
import { toJSON } from '../../src/rego/value.ts';

function values(modules: Array<[string, string]>, query: string): unknown[] {
  const { compiled, errors } = compileModules(modules.map(([file, source]) => ({ file, source })));
  if (!compiled) throw new Error(errors.map((e) => e.message).join('\n'));
  const { results, error } = evalQuery(compiled, query);
  if (error) throw new Error(error.message);
  return results.map((r) => toJSON(r.x!));
}

const errorsOf = (source: string) => compileModules([{ file: 'm.rego', source }]).errors.map((e) => e.message);

const MODULE = `# METADATA
# title: Routing
# scope: subpackages
# organizations: [Acme]
package routing.rules

import rego.v1

# METADATA
# scope: document
# description: Tenants must stay inside their groups.

# METADATA
# title: Allowed groups only
# authors:
# - Ana Ops <ana@example.com>
# related_resources:
# - https://example.com/tenants
# - ref: https://example.com/groups
#   description: groups
# custom:
#   level: high
#   tags: [tenancy]
allow if {
	rego.metadata.rule().custom.level == "high"
}

rule := rego.metadata.rule()

chain := rego.metadata.chain()

# METADATA
# title: a function
f(x) := [x, rego.metadata.rule().title]
`;

describe('METADATA annotations', () => {
  it('answer rego.metadata.rule() with the rule-scope block, as OPA shapes it', () => {
    expect(values([['m.rego', MODULE]], 'x := data.routing.rules.allow')).toEqual([true]);
    const { compiled } = compileModules([{ file: 'm.rego', source: MODULE.replace('allow if {', 'allowed := rego.metadata.rule() if {') }]);
    const [rule] = evalQuery(compiled!, 'x := data.routing.rules.allowed').results.map((r) => toJSON(r.x!));
    expect(rule).toEqual({
      scope: 'rule',
      title: 'Allowed groups only',
      authors: [{ name: 'Ana Ops', email: 'ana@example.com' }],
      related_resources: [{ ref: 'https://example.com/tenants' }, { ref: 'https://example.com/groups', description: 'groups' }],
      custom: { level: 'high', tags: ['tenancy'] },
    });
    expect(values([['m.rego', MODULE]], 'x := data.routing.rules.rule')).toEqual([{}]);
    expect(values([['m.rego', MODULE]], 'x := data.routing.rules.f(1)')).toEqual([[1, 'a function']]);
  });

  it('chain the rule, its document, its package and enclosing subpackages scopes', () => {
    const pkg = `# METADATA\n# scope: package\n# description: the package\npackage routing.rules\n`;
    expect(
      values(
        [
          ['m.rego', MODULE],
          ['p.rego', pkg],
        ],
        'x := data.routing.rules.chain',
      ),
    ).toEqual([
      [
        { path: ['data', 'routing', 'rules', 'chain'] },
        { path: ['data', 'routing', 'rules'], annotations: { scope: 'package', description: 'the package' } },
        { path: ['data', 'routing', 'rules'], annotations: { scope: 'subpackages', title: 'Routing', organizations: ['Acme'] } },
      ],
    ]);
    const docChain = MODULE.replace('allow if {', 'allow := rego.metadata.chain() if {').replace('rego.metadata.rule().custom.level == "high"', 'true');
    const [chain] = values([['m.rego', docChain]], 'x := data.routing.rules.allow') as Array<Array<Record<string, unknown>>>;
    expect(chain!.map((e) => (e.annotations as Record<string, unknown> | undefined)?.scope)).toEqual(['rule', 'document', 'subpackages']);
  });

  it('refuse bad blocks with a parse error at the block', () => {
    expect(errorsOf('package p\n\n# METADATA\n# scope: everywhere\np := 1\n')).toEqual([
      'm.rego:3: rego_parse_error: invalid annotation: invalid annotation scope "everywhere"',
    ]);
    expect(errorsOf('package p\n\n# METADATA\n# title: [unclosed\np := 1\n')[0]).toMatch(/^m\.rego:3: rego_parse_error: invalid annotation: yaml: /);
    expect(errorsOf('package p\n\n# METADATA\n# scope: package\np := 1\n')[0]).toMatch(/scope package must be above the package/);
    expect(errorsOf('package p\n\n# METADATA\n# colour: red\np := 1\n')[0]).toMatch(/unknown annotation key "colour"/);
  });

  it('leave ordinary comments alone', () => {
    expect(values([['m.rego', 'package p\n\n# just a note: not metadata\np := 1\n']], 'x := data.p.p')).toEqual([1]);
  });
});
