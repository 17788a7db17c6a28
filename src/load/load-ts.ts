/**
 * Imports a TS policy and returns its default export (or an export named
 * `policy`) as plain data. The import runs in a worker thread
 * (policy-worker.ts) with a time limit and a heap limit, its stdout sent to
 * stderr, and the worker ended as soon as the value is back: a policy that
 * loops, keeps a timer alive, prints into `--json` output or allocates
 * without end gives one located diagnostic (exit code 2), never a hung or
 * corrupted CI job. Everything here is the I/O edge: the value is validated
 * by the caller.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath } from '../diagnostics/path.ts';
import { InputFileError, MAX_POLICY_FILE_BYTES, readInputFile } from '../fs/input-file.ts';
import { displayPath, inputFileDiagnostic } from './entry.ts';
import { describeCycle, findCycle, scanImportGraph } from './import-graph.ts';
import type { PolicyWorkerInput, PolicyWorkerResult } from './policy-worker.ts';
import { aliasesFor } from './self-package.ts';

export interface TsModuleResult {
  value?: unknown;
  diagnostics: Diagnostic[];
  files: string[];
}

export interface LoadOptions {
  /** How long importing the policy may take (default 30 s). */
  timeoutMs?: number;
  /** Where the policy's own output (console.log, process.stdout/stderr) goes; default: this process's stderr. */
  output?: (chunk: string) => void;
}

const DEFAULT_LOAD_TIMEOUT_MS = 30_000;
/** The worker's heap: far above any policy (10k deployments take a few MB), far below what would take the machine down. */
const POLICY_HEAP_MB = 512;

// Boots jiti in the worker, which then runs policy-worker.ts (TypeScript) the way bin/switchyard.mjs runs the CLI.
// import() rather than require: it works whether the eval'd code runs as a script or as a module.
const BOOT = `import('node:worker_threads').then(async ({ workerData }) => {
  const jiti = await import(workerData.jiti);
  (jiti.createJiti ?? jiti.default.createJiti)(workerData.self, { fsCache: true, moduleCache: true, interopDefault: false }).import(workerData.self);
});`;
const JITI = pathToFileURL(createRequire(import.meta.url).resolve('jiti')).href;
const WORKER = new URL('./policy-worker.ts', import.meta.url).href;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** A worker and, once it has ended, how (kept from its start, so a worker that died while warm is noticed). */
interface PolicyWorker {
  worker: Worker;
  ended?: string;
}

function startWorker(): PolicyWorker {
  const worker = new Worker(BOOT, {
    eval: true,
    // none of the parent's flags (--input-type, --inspect...) apply to the policy import
    execArgv: [],
    workerData: { jiti: JITI, self: WORKER },
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: POLICY_HEAP_MB },
  });
  const handle: PolicyWorker = { worker };
  worker.on('error', (e) => void (handle.ended ??= e.message));
  worker.on('exit', (code) => void (handle.ended ??= `exit ${code}`));
  // Until it is given a policy, a booting worker must not keep the process alive.
  worker.unref();
  return handle;
}

let warm: PolicyWorker | undefined;

/**
 * Starts the worker for the next policy import now, so that its start-up
 * (jiti, zod) runs while the caller loads its own modules; a worker started
 * and never used ends with the process.
 */
export function prewarmPolicyWorker(): void {
  warm ??= startWorker();
}

/** Runs the import in a worker; resolves to its answer or to the diagnostic for how it ended. */
function runWorker(input: PolicyWorkerInput, opts: LoadOptions): Promise<PolicyWorkerResult | Diagnostic> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  const output = opts.output ?? ((chunk: string) => void process.stderr.write(chunk));
  const at = { source: { file: displayPath(input.entry), line: 1, column: 1 } };
  const unreadable = (code: string, message: string, hint?: string) => diagnostic('error', code, message, '', hint ? { ...at, hint } : at);
  const handle = warm !== undefined && warm.ended === undefined ? warm : startWorker();
  warm = undefined;
  const { worker } = handle;
  worker.ref();
  return new Promise((resolve) => {
    worker.stdout.setEncoding('utf8').on('data', output);
    worker.stderr.setEncoding('utf8').on('data', output);
    let settled = false;
    const finish = (r: PolicyWorkerResult | Diagnostic) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
      // Whatever the policy left running (timers, sockets, a loop) ends with the worker.
      void worker.terminate();
    };
    const timer = setTimeout(
      () =>
        finish(
          unreadable(
            'policy-load-timeout',
            `Importing ${displayPath(input.entry)} did not finish within ${seconds(timeoutMs)}.`,
            'A policy module must build plain data and return; look for a loop or a wait that never ends (or raise --load-timeout).',
          ),
        ),
      timeoutMs,
    );
    worker.on('message', (m: PolicyWorkerResult) => finish(m));
    worker.on('error', (e: Error & { code?: string }) =>
      finish(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? unreadable('policy-out-of-memory', `Importing ${displayPath(input.entry)} used more than the ${POLICY_HEAP_MB} MB a policy may use.`)
          : unreadable('policy-module-threw', `The policy module failed while it was imported: ${e.message.split('\n')[0]}.`),
      ),
    );
    worker.postMessage(input);
    worker.on('exit', (code) =>
      finish(unreadable('policy-module-exited', `The policy module ended the import (process.exit(${code})) before it exported a policy.`)),
    );
  });
}

export async function loadTsModule(entry: string, opts: LoadOptions = {}): Promise<TsModuleResult> {
  // Regular files of sane size only: a link could make a code frame print a file from outside the
  // repository, and a FIFO would block the read for ever.
  let unreadable: InputFileError | undefined;
  const graph = scanImportGraph(entry, (file) => {
    try {
      return readInputFile(file, { maxBytes: MAX_POLICY_FILE_BYTES, what: 'policy file' });
    } catch (e) {
      if (e instanceof InputFileError && e.reason !== 'missing') unreadable ??= e;
      throw e;
    }
  });
  const files = graph.files;
  if (unreadable) return { files, diagnostics: [inputFileDiagnostic(unreadable)] };

  const cycle = findCycle(graph);
  if (cycle) {
    const closing = cycle[cycle.length - 1]!;
    return {
      files,
      diagnostics: [
        diagnostic('error', 'import-cycle', `Policy files import each other in a cycle: ${describeCycle(cycle, entry)}.`, '', {
          source: { file: displayPath(closing.from), line: closing.line, column: closing.column },
          hint: 'Move what both files need into a third file that imports neither.',
        }),
      ],
    };
  }

  const r = await runWorker({ entry, files, aliases: aliasesFor(entry) }, opts);
  if ('severity' in r) return { files, diagnostics: [r] };
  switch (r.kind) {
    case 'value':
      return { value: r.value, files, diagnostics: [] };
    case 'no-export':
      return {
        files,
        diagnostics: [
          diagnostic('error', 'missing-default-export', `${displayPath(entry)} has no default export and no export named \`policy\`.`, '', {
            source: { file: displayPath(entry), line: 1, column: 1 },
            hint: 'End the file with `export default definePolicy({ ... })`.',
          }),
        ],
      };
    case 'threw': {
      const missing = [...graph.edges.values()].flat().find((e) => !e.to && r.message.includes(e.specifier));
      if (missing)
        return {
          files,
          diagnostics: [
            diagnostic('error', 'import-not-found', `Cannot find the imported policy file ${JSON.stringify(missing.specifier)}.`, '', {
              source: { file: displayPath(missing.from), line: missing.line, column: missing.column },
            }),
          ],
        };
      return { files, diagnostics: [r.diagnostic] };
    }
    case 'not-plain': {
      const d =
        r.diagnostic !== undefined
          ? { ...r.diagnostic, message: `${subjectAt(r.path)} ${r.message}.`, path: formatPath(r.path) }
          : diagnostic('error', 'not-plain-data', `${subjectAt(r.path)} ${r.message}.`, formatPath(r.path));
      return { files, diagnostics: [d] };
    }
  }
}

const subjectAt = (path: readonly (string | number)[]) => (path.length === 0 ? 'The exported policy' : `\`${formatPath(path)}\``);
