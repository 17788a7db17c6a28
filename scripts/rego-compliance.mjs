#!/usr/bin/env node
// Runs OPA's YAML conformance cases: npm run rego:compliance -- <dir> [--filter text]
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url, { fsCache: true });
const { runCompliance } = await jiti.import('../src/rego/compliance/runner.ts');

const args = process.argv.slice(2);
const fi = args.indexOf('--filter');
const filter = fi >= 0 ? args.splice(fi, 2)[1] : undefined;
const dir = args[0] ?? '/work/shared/opa-compliance';
const report = runCompliance(dir, filter ? { filter } : {});
for (const line of report.lines) console.log(line);
process.exitCode = report.failed > 0 ? 1 : 0;
