/**
 * TypeScript's own diagnostics for policy files (what an editor would show),
 * in the common Diagnostic shape. Opt-in and slow-ish: it builds a program.
 */
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import { displayPath } from './entry.ts';
import { aliasesFor } from './self-package.ts';

export async function typecheckPolicies(files: string[]): Promise<Diagnostic[]> {
  if (files.length === 0) return [];
  const { Project, ts } = await import('ts-morph');
  const alias = aliasesFor(files[0]!);
  // The options policy files are written for (see tsconfig.json): ESM with explicit .ts imports, strict.
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: [],
      // A folder without its own Switchyard is checked against the running one, as the loader runs it.
      ...(alias === null ? {} : { paths: Object.fromEntries(Object.entries(alias).map(([k, v]) => [k, [v]])) }),
    },
  });
  for (const f of files) project.addSourceFileAtPath(f);
  project.resolveSourceFileDependencies();
  const wanted = new Set(files.map((f) => project.getSourceFile(f)?.getFilePath()));
  const out: Diagnostic[] = [];
  for (const d of project.getPreEmitDiagnostics()) {
    const file = d.getSourceFile();
    if (!file || !wanted.has(file.getFilePath())) continue;
    const [first, ...rest] = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n').split('\n');
    const start = d.getStart() ?? 0;
    const { line, column } = file.getLineAndColumnAtPos(start);
    const severity: Severity =
      d.getCategory() === ts.DiagnosticCategory.Error ? 'error' : d.getCategory() === ts.DiagnosticCategory.Warning ? 'warning' : 'info';
    const hint = rest
      .map((s) => s.trim())
      .filter(Boolean)
      .join(' ');
    out.push(
      diagnostic(severity, `ts${d.getCode()}`, first!.trim(), '', {
        source: { file: displayPath(file.getFilePath()), line, column },
        ...(hint ? { hint } : {}),
      }),
    );
  }
  return out;
}
