#!/usr/bin/env node
// A real process that runs the writer and kills itself with SIGKILL at one
// of its steps: node write-and-die.mjs <outDir> <artifacts.json> <step index>.
// Used by test/security/atomic-write.test.ts; SIGKILL runs no cleanup, as a
// CI runner that is cancelled or out of memory would not.
import { readFileSync } from 'node:fs';
import { createJiti } from 'jiti';

const [outDir, artifactsFile, killAt] = process.argv.slice(2);
const jiti = createJiti(import.meta.url, { fsCache: true, moduleCache: true });
const { writeArtifacts } = await jiti.import('../../src/load/write.ts');
let step = 0;
await writeArtifacts(outDir, JSON.parse(readFileSync(artifactsFile, 'utf8')), {
  onStep: (s) => {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    if (step++ === Number(killAt)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished\n');
