import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCompliance } from '../../src/rego/compliance/runner.ts';
import { SHARED } from '../fixtures/shared.ts';
import { join } from 'node:path';

const SUITE = join(SHARED, 'opa-compliance');

describe.skipIf(!existsSync(SUITE))('OPA conformance suite', () => {
  it('passes at least 95% of the shared cases', () => {
    const report = runCompliance(SUITE);
    const total = report.passed + report.failed;
    const last = report.lines[report.lines.length - 1]!;
    expect(last).toMatch(/^\d+ passed, \d+ failed$/);
    expect(last).toBe(`${report.passed} passed, ${report.failed} failed`);
    expect(total).toBeGreaterThanOrEqual(374);
    expect(report.passed / total).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
