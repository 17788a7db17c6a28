/**
 * A policy module's export as plain data, or the first place where it is
 * not: a getter that throws, a function, a class instance, a value that
 * refers back to itself. The schema only ever sees the copy, so code in a
 * policy (a getter, a Proxy trap) runs here, once, where its failure can be
 * reported at its path, instead of inside validation as an internal error.
 */
import type { Path } from '../diagnostics/path.ts';

export interface PlainDataProblem {
  path: Path;
  message: string;
  /** What the policy's code threw, for the location of the throw. */
  thrown?: unknown;
}

/** Deeper than any policy is written; deeper still is a generated structure gone wrong. */
const MAX_DEPTH = 64;

/** What a thrown value says: its message if it has one, else only its kind (never its contents, which may hold anything). */
export function thrownText(err: unknown): string {
  if (typeof err === 'string') return err;
  let message: unknown;
  try {
    message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  } catch {
    message = undefined; // a throwing getter on what was thrown: say what it is, not what it says
  }
  if (typeof message === 'string' && message.trim() !== '') return message;
  if (err instanceof Error) return `The policy module threw ${err.name} with no message`;
  const kind = err === null ? 'null' : Array.isArray(err) ? 'an array' : typeof err === 'object' ? 'an object' : `a ${typeof err}`;
  return `The policy module threw ${kind}, not an Error (throw new Error("...") to say what went wrong)`;
}

const describeThrown = (e: unknown): string => thrownText(e).split('\n')[0]!;

export function toPlainData(value: unknown): { value: unknown } | { problem: PlainDataProblem } {
  const ancestors = new Set<object>();
  const walk = (v: unknown, path: Path): unknown => {
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'undefined':
        return v;
      case 'bigint':
        throw fail(path, 'is a BigInt; use a number');
      case 'symbol':
        throw fail(path, 'is a Symbol; a policy holds only plain data');
      case 'function':
        throw fail(path, 'is a function; a policy holds only plain data (call it and use its result)');
    }
    if (v === null) return null;
    const obj = v as object;
    if (path.length > MAX_DEPTH) throw fail(path, `is nested more than ${MAX_DEPTH} levels deep`);
    if (ancestors.has(obj)) throw fail(path, 'refers back to an object that contains it');
    let proto: object | null;
    let isArray: boolean;
    try {
      proto = Object.getPrototypeOf(obj);
      isArray = Array.isArray(obj);
    } catch (e) {
      throw fail(path, `cannot be read: ${describeThrown(e)}`, e);
    }
    if (!isArray && proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      throw fail(
        path,
        `is ${typeof name === 'string' && name ? `a ${name}` : 'an object of a class'}; a policy holds only plain objects, arrays, strings, numbers and booleans`,
      );
    }
    ancestors.add(obj);
    try {
      if (isArray) {
        const arr = obj as unknown[];
        const out: unknown[] = [];
        for (let i = 0; i < arr.length; i++) out.push(walk(read(arr, i, path), [...path, i]));
        return out;
      }
      const out: Record<string, unknown> = {};
      let keys: string[];
      try {
        keys = Object.keys(obj);
      } catch (e) {
        throw fail(path, `cannot be read: ${describeThrown(e)}`, e);
      }
      for (const key of keys) {
        // defineProperty: an own "__proto__" key stays a key (and the schema reports it) instead of replacing the prototype
        Object.defineProperty(out, key, { value: walk(read(obj, key, path), [...path, key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.delete(obj);
    }
  };
  try {
    return { value: walk(value, []) };
  } catch (e) {
    if (e instanceof Failure) return { problem: e.problem };
    throw e;
  }
}

class Failure {
  constructor(readonly problem: PlainDataProblem) {}
}

function fail(path: Path, message: string, thrown?: unknown): Failure {
  return new Failure({ path, message, ...(thrown === undefined ? {} : { thrown }) });
}

/** One property, with whatever its getter (or a Proxy's trap) throws turned into a located problem. */
function read(obj: object, key: string | number, path: Path): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (e) {
    throw fail([...path, key], `threw when read: ${describeThrown(e)}`, e);
  }
}
