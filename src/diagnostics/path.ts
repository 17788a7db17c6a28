/** A path into a policy or plan document: object keys and array indexes. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['modelGroups', 2, 'fallbacks', 0]` -> `modelGroups[2].fallbacks[0]`; odd keys become `["gpt-4o"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Inverse of formatPath. Throws on text formatPath could not have produced. */
export function parsePath(text: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    m = re.exec(text);
    if (!m) throw new Error(`not a path: ${text}`);
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]!) as string);
    pos = re.lastIndex;
  }
  return out;
}
