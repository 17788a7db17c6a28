#!/usr/bin/env node
// Runs the TypeScript sources directly through jiti (transpiled once, then
// cached under node_modules/.cache/jiti), so a fresh clone needs no build step.
import { createJiti } from 'jiti';

// `switchyard ... | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const jiti = createJiti(import.meta.url, { fsCache: true, moduleCache: true });
const { run } = await jiti.import('../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
