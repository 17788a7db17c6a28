/** Text diffs of the generated files between base and head, for the review report. */
import { createTwoFilesPatch } from 'diff';
import type { Artifact } from '../plan/types.ts';
import type { ArtifactDiff } from './types.ts';

export function diffArtifacts(base: readonly Artifact[], head: readonly Artifact[]): ArtifactDiff[] {
  const before = new Map(base.map((a) => [a.path, a.content]));
  const after = new Map(head.map((a) => [a.path, a.content]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: ArtifactDiff[] = [];
  for (const path of paths) {
    const b = before.get(path);
    const a = after.get(path);
    if (b === a) continue;
    const status = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed';
    const patch = createTwoFilesPatch(`a/generated/${path}`, `b/generated/${path}`, b ?? '', a ?? '', undefined, undefined, { context: 3 });
    out.push({ path, status, patch });
  }
  return out;
}
