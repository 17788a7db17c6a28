/**
 * Runs inside the worker thread that imports a TypeScript policy (started
 * by load-ts.ts). A policy module is code: it may loop forever, keep timers
 * alive, print, allocate without end or throw anything. Here it can do so
 * only within the worker, which the parent ends when the import is done or
 * its time is up, whose stdout the parent sends to stderr, and whose heap
 * is capped. What comes back is plain data or located diagnostics.
 *
 * The worker boots before it knows the entry (the CLI starts it while it
 * loads its own modules): it loads jiti and the policy language that every
 * policy imports, then waits for one request.
 */
import { parentPort } from 'node:worker_threads';
import { createJiti } from 'jiti';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { moduleErrorToDiagnostic } from './module-errors.ts';
import { toPlainData } from './plain-data.ts';

export interface PolicyWorkerInput {
  entry: string;
  /** The policy's own files, to find the user's frame in a stack. */
  files: string[];
  /** `switchyard` and `switchyard/*` mapped to the running package, when the policy folder has no installation of its own (self-package.ts). */
  aliases: Record<string, string> | null;
}

export type PolicyWorkerResult =
  | { kind: 'value'; value: unknown }
  | { kind: 'threw'; diagnostic: Diagnostic; message: string }
  | { kind: 'no-export' }
  | { kind: 'not-plain'; path: Path; message: string; diagnostic?: Diagnostic };

const OPTIONS = { fsCache: true, moduleCache: true, interopDefault: false } as const;
const jiti = createJiti(import.meta.url, OPTIONS);
// `import ... from 'switchyard'` resolves to this file; loading it now overlaps zod's start-up with the parent's.
const language = jiti.import(new URL('../index.ts', import.meta.url).href).catch(() => undefined);

async function importPolicy({ entry, files, aliases }: PolicyWorkerInput): Promise<PolicyWorkerResult> {
  await language;
  let value: unknown;
  try {
    // An aliased loader shares the module cache, so the language loaded above is not evaluated twice.
    const loader = aliases === null ? jiti : createJiti(import.meta.url, { ...OPTIONS, alias: aliases });
    const mod = await loader.import<Record<string, unknown>>(entry);
    value = mod.default !== undefined ? mod.default : mod.policy;
    if (value === undefined) return { kind: 'no-export' };
    value = await value; // a policy module may export a promise of the policy
  } catch (err) {
    return { kind: 'threw', diagnostic: moduleErrorToDiagnostic(err, files, entry), message: err instanceof Error ? err.message : '' };
  }
  const plain = toPlainData(value);
  if ('value' in plain) return { kind: 'value', value: plain.value };
  const { path, message, thrown } = plain.problem;
  // A getter that threw is located at its throw, like any other exception of the policy's code.
  return thrown === undefined
    ? { kind: 'not-plain', path, message }
    : { kind: 'not-plain', path, message, diagnostic: moduleErrorToDiagnostic(thrown, files, entry) };
}

parentPort?.once('message', (input: PolicyWorkerInput) => {
  // A module awaiting a promise that never settles leaves nothing for the event loop: the worker
  // would end as if the policy called process.exit(0). This timer keeps it up until the parent's
  // --load-timeout names the real problem; the parent ends the worker once it has an answer.
  const awaiting = setInterval(() => {}, 2 ** 30);
  void importPolicy(input).then((result) => {
    clearInterval(awaiting);
    // What the policy printed reaches the parent before the answer, which ends the worker.
    process.stdout.write('', () => parentPort!.postMessage(result));
  });
});
