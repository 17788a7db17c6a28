/**
 * Builtins of OPA's capabilities whose results only a Go library defines
 * byte for byte, so an exact reimplementation is out of reach: GraphQL
 * (the gqlparser AST as JSON) and rego.parse_module (OPA's Go AST as JSON).
 * The x509 ones are in crypto.ts. They are registered, so policies naming
 * them compile and tests can replace them with `with`, and fail with a
 * clear error when called. README lists them.
 */
import { builtinError } from './operands.ts';
import type { Builtin } from './types.ts';

function goDefined(name: string, arity: number, what: string): Builtin {
  return {
    name,
    arity,
    call() {
      throw builtinError(name, `not supported by Switchyard's Rego engine: the result is ${what} (use --engine opa-wasm, or OPA)`);
    },
  };
}

const GQL = "the Go gqlparser library's AST as JSON";

export const UNSUPPORTED: Builtin[] = [
  goDefined('graphql.is_valid', 2, GQL),
  goDefined('graphql.parse', 2, GQL),
  goDefined('graphql.parse_and_verify', 2, GQL),
  goDefined('graphql.parse_query', 1, GQL),
  goDefined('graphql.parse_schema', 1, GQL),
  goDefined('graphql.schema_is_valid', 1, GQL),
  goDefined('rego.parse_module', 2, "OPA's Go AST package marshalled to JSON"),
];
