#!/usr/bin/env node
// Runs OPA's YAML conformance cases: npm run rego:compliance -- <dir> [--filter text] [--write-passing FILE]
// --write-passing writes the case files whose cases all pass (test/rego/compliance-passing.txt).
import { existsSync, writeFileSync } from 'node:fs';
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url, { fsCache: true });
const { runCompliance, passingFiles } = await jiti.import('../src/rego/compliance/runner.ts');

const args = process.argv.slice(2);
const fi = args.indexOf('--filter');
const filter = fi >= 0 ? args.splice(fi, 2)[1] : undefined;
const wi = args.indexOf('--write-passing');
const writePassing = wi >= 0 ? args.splice(wi, 2)[1] : undefined;
if (args.length !== 1 || args[0].startsWith('-')) {
  console.error('usage: npm run rego:compliance -- <directory of OPA YAML test cases> [--filter text] [--write-passing FILE]');
  process.exit(2);
}
const dir = args[0];
if (!existsSync(dir)) {
  console.error(`rego:compliance: no such directory: ${dir}`);
  process.exit(2);
}
const report = runCompliance(dir, filter ? { filter } : {});
for (const line of report.lines) console.log(line);
if (writePassing) {
  const files = passingFiles(report);
  writeFileSync(writePassing, `${files.join('\n')}\n`);
  console.log(`${writePassing}: ${files.length} passing case files`);
}
process.exitCode = report.failed > 0 ? 1 : 0;
