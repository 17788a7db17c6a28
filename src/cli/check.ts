import { Command } from 'commander';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { RulePackError } from '../risk/builtin-engine.ts';
import { findingsToDiagnostics } from '../risk/findings.ts';
import { EXIT, printDiagnostics, type Io } from './context.ts';
import { globalOptions, withOutputOptions, withPolicyOption } from './options.ts';
import { runPipeline } from './pipeline.ts';
import { unsetProviderEnv } from './provider-env.ts';
import { loadEngine } from './risk-engine.ts';
import { regoErrorDiagnostics } from './rego-diagnostics.ts';

export function withEngineOptions(cmd: Command): Command {
  return cmd
    .option('--rules <dir>', 'risk rules directory (default: risk/ in the policy directory)')
    .option('--engine <engine>', "builtin (Switchyard's Rego interpreter) or opa-wasm", 'builtin')
    .option('--bundle <file>', 'with --engine opa-wasm: bundle.tar.gz (or .wasm) from opa build -t wasm -e switchyard/risk');
}

export function checkCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('check').description('validate, run the semantic checks and the Rego risk rules; exit 1 on any error or deny finding');
  withPolicyOption(cmd);
  withEngineOptions(cmd);
  withOutputOptions(cmd);
  return cmd.action(
    async (opts: {
      policies: string;
      rules?: string;
      engine?: string;
      bundle?: string;
      json?: boolean;
      format?: string;
      debug?: boolean;
      verbose?: boolean;
    }) => {
      const g = globalOptions(opts);
      const r = await runPipeline(opts.policies);
      const diagnostics: Diagnostic[] = [...r.diagnostics];
      let exitCode = r.exitCode;
      if (r.plan) {
        for (const d of unsetProviderEnv(r.plan, r.origins, process.env)) {
          const source = await r.load.locate(d.path);
          diagnostics.push(source ? { ...d, source } : d);
        }
        try {
          const engine = await loadEngine(opts);
          const findings = await engine.evaluate({ plan: r.plan, base: null, diff: null, simulation: null });
          diagnostics.push(...(await findingsToDiagnostics(findings, r.origins, (p) => r.load.locate(p))));
        } catch (e) {
          if (!(e instanceof RulePackError)) throw e;
          diagnostics.push(...regoErrorDiagnostics(e.errors));
        }
        if (diagnostics.some((d) => d.severity === 'error')) exitCode = EXIT.policy;
      }
      printDiagnostics(io, g, diagnostics, { planHash: r.plan?.hash ?? null });
      if (g.format === 'pretty' && exitCode === EXIT.ok) io.stdout(`${opts.policies}: no errors, no denied risks\n`);
      done(exitCode);
    },
  );
}
