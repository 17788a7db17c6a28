/**
 * `switchyard diff --format github`: one workflow-command annotation per
 * finding, at its policy line, through the shared Diagnostic renderer; then a
 * notice with the overall level, so the run summary shows it.
 */
import { renderGithub as renderDiagnostics } from '../../diagnostics/render.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { DiffReport } from '../report.ts';
import { countsText, signedPct, usd } from './format.ts';

export function renderGithub(r: DiffReport): string {
  const findings: Diagnostic[] = r.findings.map(({ set: _set, ...d }) => ({ ...d, message: `[${d.level}] ${d.message}` }));
  const summary: Diagnostic = {
    severity: r.ok ? 'info' : 'error',
    code: 'switchyard-diff',
    message: `overall risk ${r.level} (${countsText(r)}; fails at ${r.failOn}); monthly cost ${usd(r.diff.cost.monthlyBeforeUsd)} -> ${usd(r.diff.cost.monthlyAfterUsd)} (${signedPct(r.diff.cost.changePercent)})`,
    path: '',
  };
  return renderDiagnostics(findings) + renderDiagnostics([summary]);
}
