/**
 * What the security tests share: a scratch directory with a small JSON
 * policy (fast to compile, no TypeScript to import), and a snapshot of a
 * directory tree that sees links and empty directories, so "nothing
 * changed" means nothing at all.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basePolicy, type BasePolicyInput } from '../fixtures/policies.ts';

export interface Scratch {
  dir: string;
  /** Writes `policy` (default: the base policy) as `<name>/policy.json` and returns that directory. */
  policy(edit?: (p: BasePolicyInput) => void, name?: string): string;
  cleanup(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-sec-'));
  let n = 0;
  return {
    dir,
    policy(edit, name = `policy-${n++}`) {
      const p = basePolicy();
      edit?.(p);
      const d = join(dir, name);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'policy.json'), JSON.stringify(p, null, 2));
      return d;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every entry below `dir`: `file:<content>`, `dir`, or `link:<target>`; absent dir -> {}. */
export function tree(dir: string, root = dir, acc: Record<string, string> = {}): Record<string, string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return acc;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    const rel = p.slice(root.length + 1);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) acc[rel] = `link:${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      acc[rel] = 'dir';
      tree(p, root, acc);
    } else acc[rel] = `file:${readFileSync(p, 'utf8')}`;
  }
  return acc;
}
