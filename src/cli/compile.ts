import { Command } from 'commander';
import { emitAll } from '../targets/index.ts';
import { diffArtifacts, hasDrift, writeArtifacts, type DriftReport } from '../load/write.ts';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import { EXIT, printDiagnostics, type Io } from './context.ts';
import { DEFAULT_OUT, globalOptions, loadOptions, withOutputOptions, withPolicyOption } from './options.ts';
import { runPipeline } from './pipeline.ts';
import { checkerText, checkPrometheusRules } from './prometheus-check.ts';

function describeDrift(out: string, r: DriftReport): string {
  const lines: string[] = [];
  for (const p of r.added) lines.push(`  missing   ${out}/${p}`);
  for (const p of r.changed) lines.push(`  differs   ${out}/${p}`);
  for (const p of r.removed) lines.push(`  stale     ${out}/${p}`);
  return `${lines.join('\n')}\n`;
}

export function compileCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('compile')
    .description('compile policies into generated/ (plan.json and every target); nothing is written if any error is found')
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT)
    .option('--check', 'write nothing; exit 1 and list the files that differ if the output directory is not up to date')
    .option(
      '--promtool <path>',
      'promtool binary that checks the generated Prometheus rules before they are written (an in-process check runs when it is not found)',
      'promtool',
    )
    .option('--no-promtool', 'check the generated Prometheus rules in-process only');
  withPolicyOption(cmd);
  withOutputOptions(cmd);
  return cmd.action(
    async (opts: {
      policies: string;
      loadTimeout?: string;
      out: string;
      check?: boolean;
      promtool: string | false;
      json?: boolean;
      format?: string;
      debug?: boolean;
    }) => {
      const g = globalOptions(opts);
      const r = await runPipeline(opts.policies, { load: loadOptions(opts) });
      if (!r.plan) {
        printDiagnostics(io, g, r.diagnostics, { planHash: null, written: false });
        return done(r.exitCode);
      }
      const artifacts = emitAll(r.plan);
      // rules Prometheus would refuse are a compile error: nothing is written or compared
      const prometheus = await checkPrometheusRules(artifacts, opts.promtool);
      const diagnostics = [...r.diagnostics, ...prometheus.diagnostics];
      if (hasErrors(prometheus.diagnostics)) {
        printDiagnostics(io, g, diagnostics, { planHash: null, written: false, prometheusCheck: prometheus.checker });
        return done(EXIT.policy);
      }
      let report: DriftReport;
      report = opts.check ? await diffArtifacts(opts.out, artifacts) : await writeArtifacts(opts.out, artifacts);
      const drift = hasDrift(report);
      printDiagnostics(io, g, diagnostics, {
        planHash: r.plan.hash,
        prometheusCheck: prometheus.checker,
        check: Boolean(opts.check),
        drift: opts.check ? drift : false,
        files: { added: report.added, changed: report.changed, removed: report.removed },
      });
      if (opts.check) {
        if (drift) {
          if (g.format !== 'json') io.stderr(`${opts.out}/ is out of date with ${opts.policies}:\n${describeDrift(opts.out, report)}run: switchyard compile\n`);
          return done(EXIT.policy);
        }
        if (g.format === 'pretty')
          io.stdout(`${opts.out}/ is up to date (${report.unchanged.length} files, plan ${r.plan.hash.slice(0, 19)}; ${checkerText(prometheus.checker)})\n`);
        return done(EXIT.ok);
      }
      if (g.format === 'pretty') {
        const changed = report.added.length + report.changed.length + report.removed.length;
        io.stdout(
          changed === 0
            ? `${opts.out}/ already up to date (${report.unchanged.length} files, plan ${r.plan.hash.slice(0, 19)}; ${checkerText(prometheus.checker)})\n`
            : `compiled ${opts.policies} -> ${opts.out}/: ${report.added.length} added, ${report.changed.length} changed, ` +
                `${report.removed.length} removed, ${report.unchanged.length} unchanged (plan ${r.plan.hash.slice(0, 19)}; ${checkerText(prometheus.checker)})\n`,
        );
      }
      done(EXIT.ok);
    },
  );
}
