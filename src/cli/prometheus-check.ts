/**
 * The generated Prometheus rules are checked before anything is written: a
 * policy whose rules Prometheus would refuse to load is a compile error
 * (exit 1), not a file that fails at deploy time. With promtool on PATH (or
 * --promtool <path>) the file goes through `promtool check rules`, which
 * parses every PromQL expression and template; without it, the in-process
 * check of src/targets/prometheus/rules-check.ts covers what it can. The
 * in-process check always runs: it is cheap and names the rule.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Diagnostic, diagnostic } from '../diagnostics/diagnostic.ts';
import type { Artifact } from '../plan/types.ts';
import { RULES_PATH } from '../targets/paths.ts';
import { rulesFileProblems } from '../targets/prometheus/rules-check.ts';

/** Far above the ~0.1 s promtool takes on a large rules file; a guard against a hung binary, not a speed goal. */
const PROMTOOL_TIMEOUT_MS = 30_000;
const PROMTOOL_MAX_OUTPUT = 1024 * 1024;

export type PrometheusChecker = 'promtool' | 'in-process';

export interface PrometheusCheck {
  /** Which check decided: promtool, or the in-process check alone (promtool not found, or --no-promtool). */
  checker: PrometheusChecker;
  diagnostics: Diagnostic[];
}

interface PromtoolAnswer {
  ok: boolean;
  output: string;
}

/** promtool's answers by file content, for the life of the process: tests and `diff` compile the same rules many times. */
const answers = new Map<string, PromtoolAnswer | 'missing'>();

function runPromtool(bin: string, text: string): Promise<PromtoolAnswer | 'missing' | 'timeout'> {
  const key = createHash('sha256').update(bin).update('\0').update(text).digest('hex');
  const known = answers.get(key);
  if (known) return Promise.resolve(known);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-promtool-'));
  const file = join(dir, 'routing.rules.yml');
  writeFileSync(file, text);
  return new Promise((resolve) => {
    execFile(bin, ['check', 'rules', file], { timeout: PROMTOOL_TIMEOUT_MS, maxBuffer: PROMTOOL_MAX_OUTPUT, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      if (e?.code === 'ENOENT' || e?.code === 'EACCES') {
        answers.set(key, 'missing');
        return resolve('missing');
      }
      if (e?.killed) return resolve('timeout');
      // promtool names the file it checked: name the generated one instead of the temporary copy
      const answer = { ok: !e, output: `${stdout}\n${stderr}`.replaceAll(file, RULES_PATH) };
      answers.set(key, answer);
      resolve(answer);
    });
  });
}

/** The one line of promtool's output that says what is wrong. */
function promtoolReason(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Checking |FAILED:?$|SUCCESS)/.test(l));
  return (lines[0] ?? 'no reason given').slice(0, 500);
}

const rejected = (message: string) =>
  diagnostic('error', 'prometheus-rules-rejected', message, '', {
    hint: 'This is a bug in Switchyard if the policy validates: please report it with the policy.',
  });

/** Checks the rules file among `artifacts`; `promtool` is the binary to run, or false for the in-process check alone. */
export async function checkPrometheusRules(artifacts: readonly Artifact[], promtool: string | false): Promise<PrometheusCheck> {
  const rules = artifacts.find((a) => a.path === RULES_PATH);
  const inProcess = rules ? rulesFileProblems(rules.content).map((p) => rejected(`The generated ${RULES_PATH} would not load in Prometheus: ${p}.`)) : [];
  if (!rules || promtool === false) return { checker: 'in-process', diagnostics: inProcess };
  const answer = await runPromtool(promtool, rules.content);
  if (answer === 'missing') return { checker: 'in-process', diagnostics: inProcess };
  if (answer === 'timeout')
    return {
      checker: 'in-process',
      diagnostics: [
        ...inProcess,
        diagnostic(
          'warning',
          'promtool-timeout',
          `${promtool} check rules did not answer within ${PROMTOOL_TIMEOUT_MS / 1000}s; only the in-process check ran.`,
          '',
        ),
      ],
    };
  if (answer.ok) return { checker: 'promtool', diagnostics: inProcess };
  return {
    checker: 'promtool',
    diagnostics: [...inProcess, rejected(`promtool check rules rejects the generated ${RULES_PATH}: ${promtoolReason(answer.output)}`)],
  };
}

/** How the pretty output names the check that ran. */
export const checkerText = (c: PrometheusChecker): string => (c === 'promtool' ? 'rules checked by promtool' : 'rules checked in-process (no promtool)');
