/** Markdown helpers the docs emitter and its tests share: GitHub-style heading anchors. */

/** GitHub's anchor for a heading: lower-case, punctuation dropped (inline code marks too), spaces to hyphens. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every ATX heading of a document (outside fenced code) with its anchor; repeats get `-1`, `-2` as on GitHub. */
export function headingAnchors(markdown: string): { level: number; text: string; anchor: string }[] {
  const seen = new Map<string, number>();
  const out: { level: number; text: string; anchor: string }[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = githubAnchor(m[2]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.push({ level: m[1]!.length, text: m[2]!, anchor: n === 0 ? base : `${base}-${n}` });
  }
  return out;
}

/**
 * A policy string as literal Markdown text inside a line or a table cell:
 * the characters inline Markdown (GitHub flavour) interprets are
 * backslash-escaped, those of inline HTML turned into entities, and line
 * breaks (which would end the table row) into spaces.
 */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
