/**
 * Output and error files of finished batches, downloaded once into
 * `<dir>/downloads/` (atomically, with a size limit) and read back as one
 * outcome per custom_id. A request in neither file did not run (the batch
 * failed validation, was cancelled first, or its lines were lost).
 */
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { exists } from './atomic.ts';
import type { BatchApi } from './client.ts';
import { BatchApiError } from './errors.ts';
import type { JobRecord } from './journal.ts';

export const DOWNLOADS_DIR = 'downloads';
/** Largest output or error file read back: OpenAI's 512 MB file limit. */
const MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;

export interface Outcome {
  ok: boolean;
  statusCode: number | null;
  body: unknown;
  error: { code: string | null; message: string | null } | null;
  batchId: string;
  /** The provider's request id (`batch_req_…`), when the request ran. */
  requestId: string | null;
}

/** Local copies of a finished job's output and error files (null when the batch has none). */
async function downloadResults(api: BatchApi, dir: string, rec: JobRecord): Promise<{ output: string | null; error: string | null }> {
  await mkdir(join(dir, DOWNLOADS_DIR), { recursive: true, mode: 0o700 });
  const get = async (fileId: string | null, kind: string) => {
    if (!fileId) return null;
    const path = join(dir, DOWNLOADS_DIR, `${rec.batchId}-${kind}.jsonl`);
    if (!(await exists(path))) await api.downloadFile(fileId, path, MAX_DOWNLOAD_BYTES);
    return path;
  };
  return { output: await get(rec.batch!.output_file_id, 'output'), error: await get(rec.batch!.error_file_id, 'error') };
}

interface ResultLine {
  id?: string;
  custom_id?: unknown;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

/** Each line of an output or error file as [custom_id, outcome]. */
async function* readOutcomes(path: string, batchId: string): AsyncGenerator<[string, Outcome]> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() === '') continue;
    let l: ResultLine;
    try {
      l = JSON.parse(text) as ResultLine;
    } catch {
      throw new BatchApiError(`${path}:${n}: the provider's result line is not valid JSON`);
    }
    if (typeof l.custom_id !== 'string') throw new BatchApiError(`${path}:${n}: the provider's result line has no custom_id`);
    const code = l.response?.status_code ?? null;
    const ok = code !== null && code >= 200 && code < 300 && !l.error;
    const bodyError = (l.response?.body as { error?: { code?: string; message?: string } } | undefined)?.error;
    yield [
      l.custom_id,
      {
        ok,
        statusCode: code,
        body: l.response?.body ?? null,
        error: ok
          ? null
          : l.error
            ? { code: l.error.code ?? null, message: l.error.message ?? null }
            : { code: bodyError?.code ?? `http_${code}`, message: bodyError?.message ?? null },
        batchId,
        requestId: l.id ?? null,
      },
    ];
  }
}

/** Every outcome of a finished job, by custom_id. */
export async function jobOutcomes(api: BatchApi, dir: string, rec: JobRecord): Promise<Map<string, Outcome>> {
  const files = await downloadResults(api, dir, rec);
  const out = new Map<string, Outcome>();
  for (const f of [files.output, files.error]) if (f) for await (const [id, o] of readOutcomes(f, rec.batchId!)) out.set(id, o);
  return out;
}

/** Why a request has no outcome in its batch's files. */
export function notRun(rec: JobRecord): Outcome {
  const b = rec.batch!;
  const why =
    b.status === 'failed'
      ? `the batch failed validation${b.errors.length ? `: ${b.errors.map((e) => `${e.code ?? 'error'}${e.line ? ` at line ${e.line}` : ''}`).join(', ')}` : ''}`
      : `the batch ended ${b.status} before this request ran`;
  return {
    ok: false,
    statusCode: null,
    body: null,
    error: { code: b.status === 'failed' ? 'batch_failed' : 'not_run', message: why },
    batchId: rec.batchId!,
    requestId: null,
  };
}

/** The custom_id at the start of a line the prepare step wrote (`{"custom_id":"line-12",…`). */
function customIdOfLine(line: string): string | null {
  const m = /^\{"custom_id":"([^"\\]+)"/.exec(line);
  return m ? m[1]! : null;
}

/** The prepared lines of a part file, in order. */
export async function* partLines(path: string): AsyncGenerator<{ customId: string; line: string }> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (line === '') continue;
    const customId = customIdOfLine(line);
    if (customId === null) throw new BatchApiError(`${path}: a line was not written by switchyard batch prepare`);
    yield { customId, line };
  }
}
