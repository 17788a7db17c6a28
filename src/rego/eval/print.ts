/** Text of values the way OPA's `print` shows them. */
import { ObjectValue, SetValue, type Value } from '../value.ts';

export function formatValue(v: Value, top = true): string {
  if (typeof v === 'string') return top ? v : JSON.stringify(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, false)).join(', ')}]`;
  if (v instanceof SetValue)
    return v.size === 0
      ? 'set()'
      : `{${v
          .sorted()
          .map((x) => formatValue(x, false))
          .join(', ')}}`;
  if (v instanceof ObjectValue)
    return `{${v
      .sortedEntries()
      .map(([k, x]) => `${formatValue(k, false)}: ${formatValue(x, false)}`)
      .join(', ')}}`;
  return String(v);
}
