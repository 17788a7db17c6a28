/** Maps a policy path to a line and column in a YAML/JSON document, from the yaml library's node ranges. */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';

export function locateInYaml(doc: Document, lineCounter: LineCounter, path: Path, file: string): SourceLocation {
  const at = (node: YamlNode | null | undefined): SourceLocation | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const resolve = (node: unknown): YamlNode | undefined => (isAlias(node) ? (node.resolve(doc) as YamlNode | undefined) : (node as YamlNode | undefined));

  let node = resolve(doc.contents);
  let site: YamlNode | undefined = node;
  for (const seg of path) {
    let nextSite: YamlNode | undefined;
    let next: YamlNode | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      // A key is where a property is written; its value may sit on the next line.
      if (pair) {
        nextSite = pair.key as YamlNode;
        next = resolve(pair.value);
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = resolve(node.items[seg]);
      nextSite = next;
    }
    // A missing key: stay on the mapping that lacks it (its key, or its first line for a sequence item).
    if (!nextSite) break;
    site = nextSite;
    node = next;
  }
  return at(site) ?? at(doc.contents as YamlNode) ?? { file, line: 1, column: 1 };
}
