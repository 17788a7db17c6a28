/**
 * The Rego engine on OPA's conformance cases: the whole shared folder
 * (shared/opa-compliance, 856 cases), parsed, compiled and evaluated case
 * by case, as `npm run rego:compliance` runs it. Prints the median of a few runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCompliance } from '../../src/rego/compliance/runner.ts';
import { SHARED } from '../fixtures/shared.ts';
import { fmt, median } from './stats.ts';

export async function main(): Promise<void> {
  const dir = join(SHARED, 'opa-compliance');
  if (!existsSync(dir)) {
    console.log(`rego compliance: ${dir} not found, skipped`);
    return;
  }
  runCompliance(dir); // warm-up: module loading and JIT
  const times: number[] = [];
  let last = '';
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const report = runCompliance(dir);
    times.push(performance.now() - t0);
    last = `${report.passed} passed, ${report.failed} failed`;
  }
  console.log(`OPA compliance folder (${last}): median ${fmt(median(times))} for the whole folder`);
}
