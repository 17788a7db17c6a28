/**
 * The builtin registry the evaluator calls: OPA's builtin name -> Builtin.
 * One family per file; see each file for OPA's semantics it follows.
 */
import { AGGREGATES } from './aggregates.ts';
import { ARRAYS } from './arrays.ts';
import { CASTS } from './casts.ts';
import { ENCODING } from './encoding.ts';
import { NUMBERS } from './numbers.ts';
import { OBJECTS } from './objects.ts';
import { OPERATORS } from './operators.ts';
import { PRINT } from './print.ts';
import { REGEX } from './regex.ts';
import { RUNTIME } from './runtime.ts';
import { SETS } from './sets.ts';
import { STRINGS } from './strings.ts';
import { TIME } from './time.ts';
import { TYPECHECKS } from './typechecks.ts';
import type { Builtin, BuiltinRegistry } from './types.ts';
import { UNITS } from './units.ts';
import { WALK } from './walk.ts';
import { CRYPTO } from './crypto.ts';
import { GLOB } from './glob.ts';
import { GRAPH } from './graph.ts';
import { JSON_PATHS } from './jsonpaths.ts';
import { JSON_SCHEMA } from './jsonschema.ts';
import { JWT } from './jwt.ts';
import { NET } from './net.ts';
import { NETWORK } from './network.ts';
import { TEMPLATE } from './template.ts';
import { URLQUERY } from './urlquery.ts';
import { AWS } from './aws.ts';
import { REGEX_EXTRA } from './regex-extra.ts';
import { UNSUPPORTED } from './unsupported.ts';
import { URI_BUILTINS } from './uri.ts';
import { RAND } from './rand.ts';
import { SEMVER_BUILTINS } from './semver.ts';
import { UUID } from './uuid.ts';

const FAMILIES: Builtin[][] = [
  OPERATORS,
  AGGREGATES,
  ARRAYS,
  SETS,
  OBJECTS,
  STRINGS,
  NUMBERS,
  TYPECHECKS,
  CASTS,
  REGEX,
  ENCODING,
  WALK,
  PRINT,
  TIME,
  RUNTIME,
  UNITS,
  CRYPTO,
  GLOB,
  GRAPH,
  JSON_PATHS,
  JSON_SCHEMA,
  JWT,
  NET,
  NETWORK,
  TEMPLATE,
  URLQUERY,
  AWS,
  REGEX_EXTRA,
  UNSUPPORTED,
  URI_BUILTINS,
  RAND,
  SEMVER_BUILTINS,
  UUID,
];

function registry(): Map<string, Builtin> {
  const out = new Map<string, Builtin>();
  for (const b of FAMILIES.flat()) {
    if (out.has(b.name)) throw new Error(`builtin ${b.name} is defined twice`);
    out.set(b.name, b);
  }
  return out;
}

export const BUILTINS: BuiltinRegistry = registry();

/**
 * Builtins that are relations rather than functions: their call returns an
 * array of all outputs, and the evaluator binds the output operand to each
 * in turn (e.g. `walk(x, [path, value])`).
 */
export const RELATIONS: ReadonlySet<string> = new Set(['walk']);
