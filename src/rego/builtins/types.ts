/**
 * The contract between the evaluator and the builtin families. Infix
 * operators are builtins too, under OPA's names (plus, minus, mul, div, rem,
 * equal, neq, lt, lte, gt, gte, or, and), so the evaluator has one call path.
 */
import type { Value } from '../value.ts';

export type BuiltinErrorCode = 'eval_type_error' | 'eval_builtin_error';

/**
 * Thrown by a builtin whose operands are wrong. The evaluator turns it into
 * an evaluation error when strict builtin errors are on, and into
 * "undefined" otherwise (OPA's default), except for type errors OPA always
 * raises (see the evaluator).
 */
export class BuiltinError extends Error {
  constructor(
    readonly code: BuiltinErrorCode,
    message: string,
    /** Stops evaluation even without strict builtin errors (as OPA's http.send errors do). */
    readonly halt = false,
  ) {
    super(message);
  }
}

export interface BuiltinContext {
  /** Where `print` writes. */
  print(line: string): void;
  /** Where `trace` notes go. */
  trace(note: string): void;
  /** Nanoseconds since the Unix epoch, read once per query: OPA fixes "now" for a whole evaluation. */
  readonly nowNs: bigint;
  /** Answers of nondeterministic builtins (rand.intn, uuid.rfc4122) in this query: same arguments, same answer. */
  readonly memo: Map<string, Value>;
  /** Builtins that reach the network (http.send, net.lookup_ip_addr) may run: a capability, off unless asked for. */
  readonly network: boolean;
}

const wallClockNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** A context for one query; every field but print may be given. */
export function builtinContext(opts: { [K in keyof BuiltinContext]?: BuiltinContext[K] | undefined } = {}): BuiltinContext {
  return {
    print: opts.print ?? (() => {}),
    trace: opts.trace ?? (() => {}),
    nowNs: opts.nowNs ?? wallClockNs(),
    memo: opts.memo ?? new Map(),
    network: opts.network ?? false,
  };
}

export interface Builtin {
  name: string;
  /** Number of operands (the output is not counted); 'variadic' for print. */
  arity: number | 'variadic';
  /** The result, or undefined when the call is undefined (e.g. object.get without default never is, but to_number of junk is an error). */
  call(args: Value[], ctx: BuiltinContext): Value | undefined;
}

export type BuiltinRegistry = ReadonlyMap<string, Builtin>;

/** OPA's wording for operand type errors: `concat: operand 2 must be one of {array, set} but got string`. */
export function operandTypeError(name: string, position: number, expected: readonly string[], got: string): BuiltinError {
  const want = expected.length === 1 ? expected[0]! : `one of {${expected.join(', ')}}`;
  return new BuiltinError('eval_type_error', `${name}: operand ${position} must be ${want} but got ${got}`);
}
