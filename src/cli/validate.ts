import { Command } from 'commander';
import { printDiagnostics, type Io } from './context.ts';
import { globalOptions, loadOptions, withOutputOptions, withPolicyOption } from './options.ts';
import { runPipeline } from './pipeline.ts';

export function validateCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('validate')
    .description('check policies against the schema and the semantic rules; writes nothing')
    .option('--typecheck', 'also run the TypeScript compiler over the policy files and report its errors');
  withPolicyOption(cmd);
  withOutputOptions(cmd);
  return cmd.action(async (opts: { policies: string; loadTimeout?: string; typecheck?: boolean; json?: boolean; format?: string; debug?: boolean }) => {
    const g = globalOptions(opts);
    const r = await runPipeline(opts.policies, { typecheck: opts.typecheck, load: loadOptions(opts) });
    printDiagnostics(io, g, r.diagnostics, { planHash: r.plan?.hash ?? null });
    if (g.format === 'pretty' && r.plan) {
      const p = r.plan;
      const n = (o: object) => Object.keys(o).length;
      io.stdout(
        `${opts.policies}: valid — ${n(p.providers)} providers, ${n(p.deployments)} deployments, ${n(p.groups)} model groups, ` +
          `${n(p.tenants)} tenants, ${n(p.pools)} GPU pools, ${n(p.batchProfiles)} batch profiles\n`,
      );
    }
    done(r.exitCode);
  });
}
