/** Small policy trees in temp directories; files import the policy language by absolute path. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** From a temp dir 'switchyard' does not resolve (no package.json there), the absolute path does. */
export const SRC_INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-load-'));
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text.replaceAll('$SRC', SRC_INDEX));
  }
  return dir;
}

/** 1-based line of the first line containing `needle` (after `from`, if given), so tests do not hard-code line numbers. */
export function lineOf(text: string, needle: string, from?: string): number {
  const lines = text.split('\n');
  const start = from === undefined ? 0 : lines.findIndex((l) => l.includes(from));
  if (start === -1) throw new Error(`not found: ${from}`);
  const i = lines.findIndex((l, n) => n >= start && l.includes(needle));
  if (i === -1) throw new Error(`not found: ${needle}`);
  return i + 1;
}

/** A minimal valid policy as TS source. */
export const MINIMAL = `import { definePolicy } from '$SRC';
export default definePolicy({
  name: 'minimal',
  providers: [{ id: 'openai', kind: 'openai', apiKey: 'env:OPENAI_API_KEY' }],
});
`;
