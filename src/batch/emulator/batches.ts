/**
 * The emulator's batches and their lifecycle, computed from the emulated
 * clock whenever a batch is read: validating -> in_progress -> finalizing ->
 * completed, or failed (validation), expired (the 24-hour window passed
 * with requests left) and cancelling -> cancelled. Requests complete one by
 * one at a fixed emulated pace, so request_counts move while a batch runs;
 * at a final status the output and error files are written once, their
 * lines in an order that is not the input order (as the API warns).
 *
 * The edges follow wire/openai_batch/batch_states.json; cancel is accepted
 * while validating or in progress (not confirmed upstream, README note 24).
 */
import { randomBytes } from 'node:crypto';
import { badRequest, notFound } from './errors.ts';
import { BATCH_FILE_EXPIRY_S, type FileStore, type StoredFile } from './files.ts';
import { answer, hexId, type Outcome, unitHash } from './responses.ts';
import { type LineError, type ParsedRequest, validateInput } from './validate.ts';

const COMPLETION_WINDOW_MS = 24 * 3_600_000;
const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

export interface Pace {
  /** Emulated milliseconds a batch stays validating, per request, finalizing, cancelling. */
  validatingMs: number;
  perRequestMs: number;
  finalizingMs: number;
  cancellingMs: number;
  /** Share of requests that fail with a 500, chosen by hash. */
  failureRate: number;
}

export interface StoredBatch {
  id: string;
  seq: number;
  endpoint: string;
  inputFileId: string;
  createdMs: number;
  metadata: Record<string, string> | null;
  outputExpiresAfterS: number | null;
  cancelMs: number | null;
  /** Filled at the end of validation. */
  validated: { requests: ParsedRequest[]; model: string | null } | { errors: LineError[] } | null;
  outcomes: Outcome[];
  outputFileId: string | null;
  errorFileId: string | null;
  finished: boolean;
}

const sec = (ms: number) => Math.floor(ms / 1000);

export class BatchStore {
  private readonly batches = new Map<string, StoredBatch>();
  private seq = 0;

  constructor(
    private readonly files: FileStore,
    private readonly pace: Pace,
  ) {}

  create(
    p: { inputFileId: string; endpoint: string; metadata: Record<string, string> | null; outputExpiresAfterS: number | null },
    nowMs: number,
  ): StoredBatch {
    const b: StoredBatch = {
      id: `batch_${randomBytes(12).toString('hex')}`,
      seq: this.seq++,
      endpoint: p.endpoint,
      inputFileId: p.inputFileId,
      createdMs: nowMs,
      metadata: p.metadata,
      outputExpiresAfterS: p.outputExpiresAfterS,
      cancelMs: null,
      validated: null,
      outcomes: [],
      outputFileId: null,
      errorFileId: null,
      finished: false,
    };
    this.batches.set(b.id, b);
    return b;
  }

  get(id: string): StoredBatch {
    const b = this.batches.get(id);
    if (!b) throw notFound(`No batch found with id '${id}'.`, 'batch_id');
    return b;
  }

  /** Newest first, as GET /v1/batches lists them. */
  list(): StoredBatch[] {
    return [...this.batches.values()].sort((a, b) => b.seq - a.seq);
  }

  cancel(b: StoredBatch, nowMs: number): void {
    const status = this.view(b, nowMs).status;
    if (status !== 'validating' && status !== 'in_progress') throw badRequest(`Cannot cancel a batch with status '${status}'.`, null, 'invalid_state');
    b.cancelMs = nowMs;
  }

  private validate(b: StoredBatch): NonNullable<StoredBatch['validated']> {
    if (!b.validated) {
      let input: StoredFile | null = null;
      try {
        input = this.files.get(b.inputFileId);
      } catch {
        b.validated = {
          errors: [{ code: 'file_not_found', message: `The input file ${b.inputFileId} no longer exists.`, param: 'input_file_id', line: null }],
        };
      }
      if (input) {
        const v = validateInput(input.content, b.endpoint);
        b.validated = v.ok ? { requests: v.requests, model: v.model } : { errors: v.errors };
      }
    }
    return b.validated!;
  }

  private outcome(b: StoredBatch, requests: readonly ParsedRequest[], k: number): Outcome {
    while (b.outcomes.length <= k) {
      const r = requests[b.outcomes.length]!;
      b.outcomes.push(answer(b.endpoint, r.body, b.id, r.customId, sec(b.createdMs), this.pace.failureRate));
    }
    return b.outcomes[k]!;
  }

  /** The Batch object at `nowMs`; a batch that reached a final status gets its files written (once). */
  view(b: StoredBatch, nowMs: number) {
    const p = this.pace;
    const c = b.createdMs;
    const v = c + p.validatingMs;
    const e = c + COMPLETION_WINDOW_MS;
    const t = {
      in_progress_at: null as number | null,
      expires_at: null as number | null,
      finalizing_at: null as number | null,
      completed_at: null as number | null,
      failed_at: null as number | null,
      expired_at: null as number | null,
      cancelling_at: null as number | null,
      cancelled_at: null as number | null,
    };
    let status: string;
    let errors: { object: 'list'; data: LineError[] } | null = null;
    let done = 0;
    let total = 0;
    let expiredUnrun = false;
    let requests: readonly ParsedRequest[] = [];
    if (b.cancelMs !== null && b.cancelMs < v) {
      // Cancelled while validating: no request runs.
      t.cancelling_at = b.cancelMs;
      status = 'cancelling';
      if (nowMs >= b.cancelMs + p.cancellingMs) {
        status = 'cancelled';
        t.cancelled_at = b.cancelMs + p.cancellingMs;
      }
    } else if (nowMs < v) {
      status = 'validating';
    } else {
      const validated = this.validate(b);
      if ('errors' in validated) {
        status = 'failed';
        t.failed_at = v;
        errors = { object: 'list', data: validated.errors };
      } else {
        requests = validated.requests;
        total = requests.length;
        t.in_progress_at = v;
        t.expires_at = e;
        const finish = v + total * p.perRequestMs;
        const stop = Math.min(finish, e, b.cancelMs ?? Number.POSITIVE_INFINITY);
        const at = Math.min(nowMs, stop);
        done = Math.min(total, Math.floor((at - v) / p.perRequestMs));
        if (b.cancelMs !== null && b.cancelMs < Math.min(finish, e) && nowMs >= b.cancelMs) {
          t.cancelling_at = b.cancelMs;
          status = 'cancelling';
          if (nowMs >= b.cancelMs + p.cancellingMs) {
            status = 'cancelled';
            t.cancelled_at = b.cancelMs + p.cancellingMs;
          }
        } else if (nowMs < Math.min(finish, e)) status = 'in_progress';
        else if (finish <= e) {
          done = total;
          t.finalizing_at = finish;
          status = nowMs >= finish + p.finalizingMs ? 'completed' : 'finalizing';
          if (status === 'completed') t.completed_at = finish + p.finalizingMs;
        } else {
          status = 'expired';
          t.expired_at = e;
          expiredUnrun = true;
        }
      }
    }

    let completed = 0;
    let failed = 0;
    let inTokens = 0;
    let outTokens = 0;
    for (let k = 0; k < done; k++) {
      const o = this.outcome(b, requests, k);
      if (o.status < 300) completed++;
      else failed++;
      inTokens += o.promptTokens;
      outTokens += o.completionTokens;
    }
    if (expiredUnrun) failed += total - done;
    const final = TERMINAL.has(status);
    if (final && !b.finished) this.writeFiles(b, requests, done, expiredUnrun, (t.completed_at ?? t.expired_at ?? t.cancelled_at ?? t.failed_at)!);
    const model = b.validated && 'model' in b.validated ? b.validated.model : null;
    return {
      id: b.id,
      object: 'batch' as const,
      endpoint: b.endpoint,
      errors,
      input_file_id: b.inputFileId,
      completion_window: '24h',
      status,
      output_file_id: final ? b.outputFileId : null,
      error_file_id: final ? b.errorFileId : null,
      created_at: sec(c),
      in_progress_at: t.in_progress_at && sec(t.in_progress_at),
      expires_at: t.expires_at && sec(t.expires_at),
      finalizing_at: t.finalizing_at && sec(t.finalizing_at),
      completed_at: t.completed_at && sec(t.completed_at),
      failed_at: t.failed_at && sec(t.failed_at),
      expired_at: t.expired_at && sec(t.expired_at),
      cancelling_at: t.cancelling_at && sec(t.cancelling_at),
      cancelled_at: t.cancelled_at && sec(t.cancelled_at),
      request_counts: { total, completed, failed },
      metadata: b.metadata,
      // Only completed batches carry model and usage in the recorded examples (batch_states.json).
      ...(status === 'completed' && model !== null
        ? {
            model,
            usage: {
              input_tokens: inTokens,
              input_tokens_details: { cached_tokens: 0 },
              output_tokens: outTokens,
              output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: inTokens + outTokens,
            },
          }
        : {}),
    };
  }

  /** Output lines for 2xx answers, error lines for the rest (and for requests an expired batch never ran), in hash order. */
  private writeFiles(b: StoredBatch, requests: readonly ParsedRequest[], done: number, expiredUnrun: boolean, atMs: number): void {
    b.finished = true;
    const out: [number, string][] = [];
    const err: [number, string][] = [];
    const order = (customId: string) => unitHash('order', b.id, customId);
    for (let k = 0; k < requests.length; k++) {
      const r = requests[k]!;
      const id = `batch_req_${hexId(12, 'req', b.id, r.customId)}`;
      if (k < done) {
        const o = this.outcome(b, requests, k);
        const line = JSON.stringify({
          id,
          custom_id: r.customId,
          response: { status_code: o.status, request_id: `req_${hexId(16, 'rid', b.id, r.customId)}`, body: o.body },
          error: null,
        });
        (o.status < 300 ? out : err).push([order(r.customId), line]);
      } else if (expiredUnrun)
        err.push([
          order(r.customId),
          JSON.stringify({
            id,
            custom_id: r.customId,
            response: null,
            error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
          }),
        ]);
    }
    const at = sec(atMs);
    const expiry = b.outputExpiresAfterS ?? BATCH_FILE_EXPIRY_S;
    const file = (lines: [number, string][], kind: string) =>
      lines.length === 0
        ? null
        : this.files.add(
            Buffer.from(
              `${lines
                .sort((x, y) => x[0] - y[0])
                .map(([, l]) => l)
                .join('\n')}\n`,
            ),
            `${b.id}_${kind}.jsonl`,
            'batch_output',
            at,
            expiry,
          ).id;
    b.outputFileId = file(out, 'output');
    b.errorFileId = file(err, 'error');
  }
}
