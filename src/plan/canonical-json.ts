/**
 * Canonical JSON: the byte-stable form every artifact and the plan hash use.
 * Object keys are sorted by UTF-16 code unit at every depth (the same order on
 * every machine, unlike localeCompare), undefined object members are dropped,
 * lines end in LF and the text ends in a newline, so that a file written
 * twice is the same file and a diff shows only real changes.
 */
export function stableStringify(value: unknown, indent = 2): string {
  return `${write(value, indent, '', '$')}\n`;
}

function write(value: unknown, indent: number, pad: string, where: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON has no NaN or Infinity; writing `null` instead would silently change the value.
      if (!Number.isFinite(value)) throw new Error(`cannot write non-finite number ${value} at ${where} as JSON`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new Error(`cannot write a ${typeof value} at ${where} as JSON`);
  }
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const open = indent > 0 ? `\n${inner}` : '';
  const sep = indent > 0 ? `,\n${inner}` : ',';
  const close = indent > 0 ? `\n${pad}` : '';
  const colon = indent > 0 ? ': ' : ':';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v, i) => {
      // An array hole would become `null` and change the data, so it is an error rather than dropped.
      if (v === undefined) throw new Error(`cannot write undefined at ${where}[${i}] as JSON`);
      return write(v, indent, inner, `${where}[${i}]`);
    });
    return `[${open}${items.join(sep)}${close}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  if (keys.length === 0) return '{}';
  const members = keys.map((k) => `${JSON.stringify(k)}${colon}${write(obj[k], indent, inner, `${where}.${k}`)}`);
  return `{${open}${members.join(sep)}${close}}`;
}
