/**
 * json.verify_schema and json.match_schema (JSON Schema drafts 4 to 7,
 * through Ajv). OPA uses gojsonschema: its error objects
 * ({error, type, field, desc}) and texts are rebuilt here from Ajv's errors
 * for the common keywords; rarer keywords keep Ajv's wording.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fromJSON, ObjectValue, toJSON, typeName, type Value } from '../value.ts';
import { builtinError } from './operands.ts';
import { operandTypeError, type Builtin } from './types.ts';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, verbose: true });
const compiled = new Map<string, ValidateFunction>();

const PRIMITIVES = '[array boolean integer number null object string]';

/** A schema or document operand: an object, or a string of JSON. */
function jsonOperand(name: string, v: Value, position: number): unknown {
  if (typeof v === 'string') {
    try {
      return JSON.parse(v);
    } catch (e) {
      throw builtinError(name, (e as Error).message);
    }
  }
  if (v instanceof ObjectValue) return toJSON(v);
  throw operandTypeError(name, position, ['string', 'object'], typeName(v));
}

function schemaError(errs: ErrorObject[]): string {
  const bad = errs.find((x) => x.keyword === 'enum' && /\/type$/.test(x.instancePath));
  if (bad) return `has a primitive type that is NOT VALID -- given: /${String(bad.data)}/ Expected valid values are:${PRIMITIVES}`;
  return ajv.errorsText(errs);
}

function validator(name: string, schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    if (typeof schema !== 'object' || schema === null || !ajv.validateSchema(schema as object)) throw builtinError(name, schemaError(ajv.errors ?? []));
    try {
      v = ajv.compile(schema as object);
    } catch (e) {
      throw builtinError(name, (e as Error).message);
    }
    if (compiled.size > 200) compiled.clear();
    compiled.set(key, v);
  }
  return v;
}

const jsType = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x === 'number' ? (Number.isInteger(x) ? 'integer' : 'number') : typeof x;

/** gojsonschema's type, field and description for one Ajv error. */
function describe(e: ErrorObject): { type: string; field: string; desc: string } {
  const segs = e.instancePath.split('/').slice(1);
  const p = e.params as Record<string, unknown>;
  const field = (extra?: string) => [...segs, ...(extra ? [extra] : [])].join('.') || '(root)';
  switch (e.keyword) {
    case 'type':
      return { type: 'invalid_type', field: field(), desc: `Invalid type. Expected: ${p.type}, given: ${jsType(e.data)}` };
    case 'required':
      return { type: 'required', field: field(), desc: `${p.missingProperty} is required` };
    case 'additionalProperties':
      return { type: 'additional_property_not_allowed', field: field(), desc: `Additional property ${p.additionalProperty} is not allowed` };
    case 'enum':
      return {
        type: 'enum',
        field: field(),
        desc: `${field()} must be one of the following: ${(p.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`,
      };
    case 'const':
      return { type: 'const', field: field(), desc: `${field()} does not match: ${JSON.stringify(p.allowedValue)}` };
    case 'minLength':
      return { type: 'string_gte', field: field(), desc: `String length must be greater than or equal to ${p.limit}` };
    case 'maxLength':
      return { type: 'string_lte', field: field(), desc: `String length must be less than or equal to ${p.limit}` };
    case 'pattern':
      return { type: 'pattern', field: field(), desc: `Does not match pattern '${p.pattern}'` };
    case 'minimum':
      return { type: 'number_gte', field: field(), desc: `Must be greater than or equal to ${p.limit}` };
    case 'maximum':
      return { type: 'number_lte', field: field(), desc: `Must be less than or equal to ${p.limit}` };
    case 'exclusiveMinimum':
      return { type: 'number_gt', field: field(), desc: `Must be greater than ${p.limit}` };
    case 'exclusiveMaximum':
      return { type: 'number_lt', field: field(), desc: `Must be less than ${p.limit}` };
    case 'multipleOf':
      return { type: 'multiple_of', field: field(), desc: `Must be a multiple of ${p.multipleOf}` };
    case 'minItems':
      return { type: 'array_min_items', field: field(), desc: `Array must have at least ${p.limit} items` };
    case 'maxItems':
      return { type: 'array_max_items', field: field(), desc: `Array must have at most ${p.limit} items` };
    case 'minProperties':
      return { type: 'array_min_properties', field: field(), desc: `Must have at least ${p.limit} properties` };
    case 'maxProperties':
      return { type: 'array_max_properties', field: field(), desc: `Must have at most ${p.limit} properties` };
    default:
      return { type: e.keyword, field: field(), desc: e.message ?? e.keyword };
  }
}

export const JSON_SCHEMA: Builtin[] = [
  {
    name: 'json.verify_schema',
    arity: 1,
    call([s]) {
      try {
        validator('json.verify_schema', jsonOperand('json.verify_schema', s!, 1));
        return [true, null];
      } catch (e) {
        return [false, (e as Error).message.replace(/^json\.verify_schema: /, '')];
      }
    },
  },
  {
    name: 'json.match_schema',
    arity: 2,
    call([d, s]) {
      const doc = jsonOperand('json.match_schema', d!, 1);
      const validate = validator('json.match_schema', jsonOperand('json.match_schema', s!, 2));
      if (validate(doc)) return [true, []];
      const errors = (validate.errors ?? []).map((e) => {
        const { type, field, desc } = describe(e);
        return fromJSON({ error: `${field}: ${desc}`, type, field, desc });
      });
      return [false, errors];
    },
  },
];
