/**
 * `switchyard batch`: a batch profile as a workflow. prepare (redact, split,
 * estimate) -> submit -> watch -> collect, plus status, cancel,
 * retry-failed and a local emulator of the Batch API. Each subcommand is in
 * src/cli/batch/; the work is in src/batch/.
 */
import { Command } from 'commander';
import type { Io } from './context.ts';
import { cancelCommand } from './batch/cancel.ts';
import { collectCommand } from './batch/collect.ts';
import { emulatorCommand } from './batch/emulator.ts';
import { prepareCommand } from './batch/prepare.ts';
import { retryFailedCommand } from './batch/retry-failed.ts';
import { statusCommand } from './batch/status.ts';
import { submitCommand } from './batch/submit.ts';
import { watchCommand } from './batch/watch.ts';

const SUBCOMMANDS = [prepareCommand, submitCommand, statusCommand, watchCommand, collectCommand, cancelCommand, retryFailedCommand, emulatorCommand];

export function batchCommand(io: Io, done: (code: number) => void): Command {
  const batch = new Command('batch').description(
    'run a batch profile on the OpenAI Batch API: prepare (redact, split, estimate), submit, watch, collect; crash-safe and resumable (see README: Running a batch profile)',
  );
  for (const make of SUBCOMMANDS) batch.addCommand(make(io, done).exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }));
  return batch;
}
