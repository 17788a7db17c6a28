/**
 * Redaction patterns come from pull requests and run over every string of
 * every batch request, so a pattern that backtracks exponentially would stall
 * a whole batch run. This is a conservative syntactic test, not a proof:
 * it refuses a group that repeats without bound while containing an
 * unbounded repetition itself (`(a+)+`, `(\w*,?)*`), the shape behind the
 * classic catastrophic cases, and back-references, whose matching is not
 * linear either.
 */

interface Group {
  /** An unbounded quantifier (`*`, `+`, `{n,}`) applies somewhere inside. */
  unbounded: boolean;
}

/** Length of the quantifier starting at `i` and whether it is unbounded, or null when there is none. */
function quantifierAt(src: string, i: number): { length: number; unbounded: boolean } | null {
  const c = src[i];
  if (c === '*' || c === '+') return { length: src[i + 1] === '?' ? 2 : 1, unbounded: true };
  if (c === '?') return { length: src[i + 1] === '?' ? 2 : 1, unbounded: false };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}\??/.exec(src.slice(i));
    if (m) return { length: m[0].length, unbounded: m[2] !== undefined && m[3] === '' };
  }
  return null;
}

/** Why the pattern may not be used (one line), or null when it may. */
export function redactionPatternProblem(pattern: string): string | null {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'g');
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
  if (re.test('')) return 'matches the empty string, so it would redact between every two characters';
  const stack: Group[] = [{ unbounded: false }];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))) return 'uses a back-reference, which cannot be matched in linear time';
      i++;
      // An escaped atom can be quantified like any other.
      const q = inClass ? null : quantifierAt(pattern, i + 1);
      if (q) {
        if (q.unbounded) stack[stack.length - 1]!.unbounded = true;
        i += q.length;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        const q = quantifierAt(pattern, i + 1);
        if (q) {
          if (q.unbounded) stack[stack.length - 1]!.unbounded = true;
          i += q.length;
        }
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      // `[]` and `[^]` take a literal `]` first.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ unbounded: false });
      continue;
    }
    if (c === ')') {
      const inner = stack.pop()!;
      const q = quantifierAt(pattern, i + 1);
      if (q?.unbounded && inner.unbounded)
        return `repeats a group that itself repeats without bound (near position ${i + 1}), which can backtrack exponentially`;
      const outer = stack[stack.length - 1]!;
      if (inner.unbounded || q?.unbounded) outer.unbounded = true;
      if (q) i += q.length;
      continue;
    }
    const q = quantifierAt(pattern, i + 1);
    if (q) {
      if (q.unbounded) stack[stack.length - 1]!.unbounded = true;
      i += q.length;
    }
  }
  return null;
}
