/** semver.compare and semver.is_valid: Semantic Versioning 2.0.0 (no "v" prefix), build metadata ignored in comparisons. */
import { builtinError, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface Version {
  core: [bigint, bigint, bigint];
  pre: string[];
}

function parse(s: string): Version | null {
  const m = SEMVER.exec(s);
  if (!m) return null;
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split('.') : [] };
}

const sign = (n: number | bigint): number => (n > 0 ? 1 : n < 0 ? -1 : 0);

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length === 0 ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const c = sign(BigInt(x) - BigInt(y));
      if (c !== 0) return c;
    } else if (xn !== yn) return xn ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const c = sign(a.core[i]! - b.core[i]!);
    if (c !== 0) return c;
  }
  return comparePre(a.pre, b.pre);
}

function versionOperand(v: string, position: number): Version {
  const parsed = parse(v);
  if (!parsed) throw builtinError('semver.compare', `operand ${position}: string ${JSON.stringify(v)} is not a valid SemVer`);
  return parsed;
}

export const SEMVER_BUILTINS: Builtin[] = [
  {
    name: 'semver.compare',
    arity: 2,
    call([a, b]) {
      const x = versionOperand(stringOperand('semver.compare', a!, 1), 1);
      const y = versionOperand(stringOperand('semver.compare', b!, 2), 2);
      return compareVersions(x, y);
    },
  },
  { name: 'semver.is_valid', arity: 1, call: ([v]) => typeof v === 'string' && parse(v) !== null },
];
