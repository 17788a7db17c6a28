/** to_number, with Go's strconv.ParseFloat syntax for strings. */
import { parseNumberText } from '../decimal.ts';
import { isNumber, normalizeNumber, typeName, type Value } from '../value.ts';
import { builtinError } from './operands.ts';
import { goQuote } from './text.ts';
import { operandTypeError, type Builtin } from './types.ts';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)?)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;

/** strconv.ParseFloat(s, 64), or the text of its error. */
function parseGoFloat(s: string): number | { error: string } {
  const fail = (why: string) => ({ error: `strconv.ParseFloat: parsing ${goQuote(s)}: ${why}` });
  let n: number;
  const hex = HEX.exec(s);
  if (DECIMAL.test(s)) n = Number(s);
  else if (hex && (hex[2] !== '' || (hex[3] ?? '') !== '')) {
    const [, sign, int, frac = '', exp] = hex;
    const digits = `${int!.replace(/_/g, '')}${frac}`;
    n = Number(BigInt(`0x${digits || '0'}`)) * 2 ** (Number(exp) - 4 * frac.length);
    if (sign === '-') n = -n;
  } else return fail('invalid syntax');
  if (!Number.isFinite(n)) return fail('value out of range');
  return n === 0 ? 0 : n;
}

function toNumber(v: Value): Value {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumber(v)) return v;
  if (typeof v === 'string') {
    const bare = v.replace(/^[+-]+/, '').toLowerCase();
    // ParseFloat would accept these; OPA refuses them as not numbers at all.
    if (bare === 'inf' || bare === 'infinity' || bare === 'nan') throw operandTypeError('to_number', 1, ['valid number string'], 'string');
    const n = parseGoFloat(v);
    if (typeof n !== 'number') throw builtinError('to_number', n.error);
    // OPA keeps the string's exact value once ParseFloat accepts it.
    return (DECIMAL.test(v) ? parseNumberText(v) : undefined) ?? normalizeNumber(n);
  }
  throw operandTypeError('to_number', 1, ['null', 'boolean', 'number', 'string'], typeName(v));
}

export const CASTS: Builtin[] = [{ name: 'to_number', arity: 1, call: ([v]) => toNumber(v!) }];
