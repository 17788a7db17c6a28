/**
 * Go's fmt.Sprintf over the operands OPA hands it. OPA's sprintf passes an
 * integral number as a Go int (or *big.Int past int64), any other number as
 * a float64, a string as a string, and every other value as its Rego text
 * (a string). So `%d` of a string prints `%!d(string=...)` as Go does, and
 * `%v` of a set prints `{1, 2}`.
 */
import { goQuote } from './text.ts';

export type GoArg = { kind: 'int'; v: bigint; big: boolean } | { kind: 'float'; v: number } | { kind: 'string'; v: string };

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid?: number;
  prec?: number;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export function goArg(x: number | bigint | string): GoArg {
  if (typeof x === 'string') return { kind: 'string', v: x };
  if (typeof x === 'bigint') return { kind: 'int', v: x, big: x > INT64_MAX || x < INT64_MIN };
  if (Number.isInteger(x)) {
    const v = BigInt(x);
    return { kind: 'int', v, big: v > INT64_MAX || v < INT64_MIN };
  }
  return { kind: 'float', v: x };
}

function goTypeName(a: GoArg): string {
  if (a.kind === 'int') return a.big ? '*big.Int' : 'int';
  return a.kind === 'float' ? 'float64' : 'string';
}

// ---- float formatting (strconv.FormatFloat) -------------------------------

/** Decimal digits of a positive float: value = 0.d1d2d3... x 10^dp. nd digits, no trailing zeros. */
interface Digits {
  d: string;
  dp: number;
}

function trimZeros(x: Digits): Digits {
  const d = x.d.replace(/0+$/, '');
  return d === '' ? { d: '', dp: 0 } : { d, dp: x.dp };
}

/** The exact decimal value of a positive finite double. */
function exactDigits(x: number): Digits {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  if (mant === 0n) return { d: '', dp: 0 };
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimZeros({ d: s, dp: s.length });
  }
  const k = -exp;
  const s = (mant * 5n ** BigInt(k)).toString();
  return trimZeros({ d: s, dp: s.length - k });
}

/** Shortest digits that read back as x (what JS prints, and what Go's shortest mode finds). */
function shortestDigits(x: number): Digits {
  const [m, e] = x.toExponential().split('e') as [string, string];
  return trimZeros({ d: m.replace('.', ''), dp: Number(e) + 1 });
}

/** Go's decimal.Round: to nd digits, ties to even; nd < 0 leaves the digits alone. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x;
  const next = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) return trimZeros({ d: x.d.slice(0, nd), dp: x.dp });
  const kept = x.d.slice(0, nd);
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return trimZeros({ d: kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1), dp: x.dp });
}

function fmtE(x: Digits, prec: number, e: 'e' | 'E'): string {
  let out = x.d.length === 0 ? '0' : x.d[0]!;
  if (prec > 0) {
    out += '.';
    let i = 1;
    const m = Math.min(x.d.length, prec + 1);
    if (i < m) {
      out += x.d.slice(i, m);
      i = m;
    }
    out += '0'.repeat(Math.max(prec + 1 - i, 0));
  }
  const exp = x.d.length === 0 ? 0 : x.dp - 1;
  const abs = Math.abs(exp);
  return `${out}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function fmtF(x: Digits, prec: number): string {
  let out: string;
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    out = x.d.slice(0, m) + '0'.repeat(x.dp - m);
  } else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      out += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return out;
}

/** strconv.FormatFloat(v, fmt, prec, 64) for fmt in e E f F g G; prec -1 means shortest. */
function formatFloat(v: number, verb: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  const shortest = prec < 0;
  let digs: Digits;
  if (abs === 0) digs = { d: '', dp: 0 };
  else if (shortest) digs = shortestDigits(abs);
  else {
    const exact = exactDigits(abs);
    const nd = verb === 'e' || verb === 'E' ? prec + 1 : verb === 'f' || verb === 'F' ? exact.dp + prec : prec === 0 ? 1 : prec;
    digs = roundDigits(exact, nd);
  }
  let body: string;
  switch (verb) {
    case 'e':
    case 'E':
      body = fmtE(digs, shortest ? Math.max(digs.d.length - 1, 0) : prec, verb);
      break;
    case 'f':
    case 'F':
      body = fmtF(digs, shortest ? Math.max(digs.d.length - digs.dp, 0) : prec);
      break;
    default: {
      let p = shortest ? digs.d.length : prec === 0 ? 1 : prec;
      let eprec = p;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (abs !== 0 && (exp < -4 || exp >= eprec)) {
        if (p > digs.d.length) p = digs.d.length;
        body = fmtE(digs, p - 1, verb === 'g' ? 'e' : 'E');
      } else {
        if (p > digs.dp) p = digs.d.length;
        body = fmtF(digs, Math.max(p - digs.dp, 0));
      }
    }
  }
  return (neg ? '-' : '') + body;
}

// ---- the printer ------------------------------------------------------------

function pad(s: string, f: Flags, zeroOk = true): string {
  const width = f.wid ?? 0;
  const n = Array.from(s).length;
  if (n >= width) return s;
  const fill = (f.zero && zeroOk && !f.minus ? '0' : ' ').repeat(width - n);
  return f.minus ? s + fill : fill + s;
}

function quoteRune(cp: number): string {
  if (cp === 0x27) return "'\\''";
  if (cp === 0x22) return `'"'`;
  const q = goQuote(String.fromCodePoint(cp));
  return `'${q.slice(1, -1)}'`;
}

function fmtInteger(v: bigint, verb: string, f: Flags): string {
  const negative = v < 0n;
  const u = negative ? -v : v;
  const base = verb === 'b' ? 2 : verb === 'o' || verb === 'O' ? 8 : verb === 'x' || verb === 'X' ? 16 : 10;
  let prec = 0;
  if (f.prec !== undefined) {
    prec = f.prec;
    if (prec === 0 && u === 0n) return pad('', { ...f, zero: false });
  } else if (f.zero && !f.minus && f.wid !== undefined) {
    prec = f.wid;
    if (negative || f.plus || f.space) prec--;
  }
  let digits = u.toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (verb === 'b') digits = `0b${digits}`;
    else if (verb === 'o' && digits[0] !== '0') digits = `0${digits}`;
    else if (verb === 'x') digits = `0x${digits}`;
    else if (verb === 'X') digits = `0X${digits}`;
  }
  if (verb === 'O') digits = `0o${digits}`;
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  return pad(sign + digits, { ...f, zero: false });
}

function fmtFloatVerb(v: number, verb: string, f: Flags): string {
  const goVerb = (verb === 'v' ? 'g' : verb) as 'e' | 'E' | 'f' | 'F' | 'g' | 'G';
  const defaultPrec = verb === 'e' || verb === 'E' || verb === 'f' || verb === 'F' ? 6 : -1;
  let num = formatFloat(v, goVerb, f.prec ?? defaultPrec);
  if (f.sharp && !num.includes('.') && !/[eE]/.test(num)) num += '.';
  let sign = '+';
  if (num.startsWith('-')) {
    sign = '-';
    num = num.slice(1);
  }
  if (f.space && sign === '+' && !f.plus) sign = ' ';
  if (f.plus || sign !== '+') {
    const full = sign + num;
    if (f.zero && !f.minus && f.wid !== undefined && f.wid > full.length) return sign + '0'.repeat(f.wid - full.length) + num;
    return pad(full, f);
  }
  return pad(num, f);
}

function fmtString(s: string, verb: string, f: Flags): string | undefined {
  switch (verb) {
    case 'v':
    case 's': {
      const t = f.prec !== undefined ? Array.from(s).slice(0, f.prec).join('') : s;
      return pad(t, f);
    }
    case 'q': {
      const t = f.prec !== undefined ? Array.from(s).slice(0, f.prec).join('') : s;
      if (f.sharp && !/[`\p{Cc}]/u.test(t)) return pad(`\`${t}\``, f);
      return pad(goQuote(t), f);
    }
    case 'x':
    case 'X': {
      let bytes = [...new TextEncoder().encode(s)];
      if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
      const hexes = bytes.map((b) => {
        const h = b.toString(16).padStart(2, '0');
        return verb === 'X' ? h.toUpperCase() : h;
      });
      const prefix = f.sharp ? (verb === 'X' ? '0X' : '0x') : '';
      const out = f.space ? hexes.map((h) => prefix + h).join(' ') : prefix + hexes.join('');
      return pad(out, f);
    }
  }
  return undefined;
}

/** %v text of an argument, as Go prints it inside %!verb(type=value) and %!(EXTRA ...). */
function plainV(a: GoArg): string {
  return formatArg(a, 'v', { plus: false, minus: false, sharp: false, space: false, zero: false })!;
}

function formatArg(a: GoArg, verb: string, f: Flags): string | undefined {
  if (a.kind === 'string') return fmtString(a.v, verb, f);
  if (a.kind === 'float') {
    if ('vbeEfFgGxX'.includes(verb) && !'bxX'.includes(verb)) return fmtFloatVerb(a.v, verb, f);
    return undefined;
  }
  // Integers; *big.Int formats itself and knows fewer verbs.
  if (a.big) {
    if ('bodxXsv'.includes(verb)) return fmtInteger(a.v, verb === 's' || verb === 'v' ? 'd' : verb, f);
    return undefined;
  }
  switch (verb) {
    case 'v':
    case 'd':
      return fmtInteger(a.v, 'd', f);
    case 'b':
    case 'o':
    case 'O':
    case 'x':
    case 'X':
      return fmtInteger(a.v, verb, f);
    case 'c': {
      const cp = Number(a.v);
      return pad(cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd', f);
    }
    case 'q': {
      const cp = Number(a.v);
      return pad(quoteRune(cp >= 0 && cp <= 0x10ffff ? cp : 0xfffd), f);
    }
    case 'U': {
      const cp = Number(a.v);
      let s = `U+${a.v.toString(16).toUpperCase().padStart(4, '0')}`;
      if (f.sharp && cp >= 0 && cp <= 0x10ffff) s += ` '${String.fromCodePoint(cp)}'`;
      return pad(s, f);
    }
  }
  return undefined;
}

function badVerb(a: GoArg, verb: string): string {
  if (a.kind === 'int' && a.big) return `%!${verb}(big.Int=${a.v.toString()})`;
  return `%!${verb}(${goTypeName(a)}=${plainV(a)})`;
}

/** fmt.Sprintf(format, args...). */
export function goSprintf(format: string, args: GoArg[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const chars = Array.from(format);
  let i = 0;
  const parseNum = (): number | undefined => {
    let s = '';
    while (i < chars.length && chars[i]! >= '0' && chars[i]! <= '9') s += chars[i++];
    return s === '' ? undefined : Number(s);
  };
  const parseIndex = (): boolean => {
    // [n] picks operand n (1-based); returns false on a bad index.
    if (chars[i] !== '[') return true;
    reordered = true;
    const close = chars.indexOf(']', i);
    const n = close < 0 ? NaN : Number(chars.slice(i + 1, close).join(''));
    if (close < 0 || !Number.isInteger(n) || n < 1 || n > args.length || chars.slice(i + 1, close).join('') === '') {
      i = close < 0 ? chars.length : close + 1;
      return false;
    }
    argNum = n - 1;
    i = close + 1;
    return true;
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    const f: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false };
    for (; i < chars.length; i++) {
      const ch = chars[i];
      if (ch === '#') f.sharp = true;
      else if (ch === '0') f.zero = !f.minus;
      else if (ch === '+') f.plus = true;
      else if (ch === '-') {
        f.minus = true;
        f.zero = false;
      } else if (ch === ' ') f.space = true;
      else break;
    }
    let goodIndex = parseIndex();
    if (chars[i] === '*') {
      i++;
      const a = args[argNum];
      if (a && a.kind === 'int' && !a.big) {
        let w = Number(a.v);
        if (w < 0) {
          f.minus = true;
          f.zero = false;
          w = -w;
        }
        f.wid = w;
      } else out += '%!(BADWIDTH)';
      argNum++;
    } else {
      const w = parseNum();
      if (w !== undefined) f.wid = w;
    }
    if (chars[i] === '.') {
      i++;
      goodIndex = parseIndex() && goodIndex;
      if (chars[i] === '*') {
        i++;
        const a = args[argNum];
        if (a && a.kind === 'int' && !a.big && a.v >= 0n) f.prec = Number(a.v);
        else out += '%!(BADPREC)';
        argNum++;
      } else f.prec = parseNum() ?? 0;
    }
    goodIndex = parseIndex() && goodIndex;
    if (i >= chars.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = chars[i++]!;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    const a = args[argNum];
    if (a === undefined) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    argNum++;
    if (verb === 'T') {
      out += pad(goTypeName(a), f);
      continue;
    }
    out += formatArg(a, verb, f) ?? badVerb(a, verb);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) => `${goTypeName(a)}=${plainV(a)}`)
      .join(', ')})`;
  }
  return out;
}
