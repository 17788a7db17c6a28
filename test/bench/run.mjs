#!/usr/bin/env node
// npm run bench [-- name-filter]: runs every test/bench/*.bench.ts in turn.
// Each bench prints its own figures (medians); nothing here asserts timings.
import { readdirSync } from 'node:fs';
import { createJiti } from 'jiti';

const filter = process.argv[2] ?? '';
const jiti = createJiti(import.meta.url, { fsCache: true, interopDefault: false });
const dir = new URL('./', import.meta.url);
for (const f of readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort()) {
  console.log(`\n== ${f}`);
  const mod = await jiti.import(new URL(f, dir).href);
  await mod.main();
}
