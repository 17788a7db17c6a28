/**
 * The Batch API as the runner uses it, over the official `openai` SDK:
 * upload an input file, create / retrieve / cancel / list batches, download
 * output and error files. The base URL and key come from the profile's
 * provider in the plan (the key resolved from its secret reference, as the
 * gateway resolves it); `--base-url` and `--api-key-ref` point it elsewhere,
 * such as the local emulator.
 *
 * Every call has a time limit and downloads a size limit. Creating a batch
 * is never retried blindly: a create whose answer was lost may have
 * happened, so the runner looks the batch up by its metadata first
 * (submit.ts).
 */
import { openAsBlob } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import OpenAI from 'openai';
import type { CompiledPlan, PlanBatchProfile } from '../plan/types.ts';
import { createSecretResolver, type SecretResolverOptions } from '../secrets/resolve.ts';
import { syncDir, tempName, writeAll } from './atomic.ts';
import { BatchApiError, BatchError } from './errors.ts';
import type { BatchSnapshot } from './journal.ts';

export interface BatchApi {
  /** Where requests go, without credentials (for messages). */
  readonly baseUrl: string;
  uploadFile(path: string, filename: string): Promise<{ id: string; bytes: number }>;
  /** A batch input file already uploaded under this name and size. */
  findFile(filename: string, bytes: number): Promise<string | null>;
  createBatch(p: { inputFileId: string; endpoint: string; metadata: Record<string, string> }): Promise<BatchSnapshot>;
  /** The newest batch whose metadata carries `key`, among those created at or after `notBeforeSec`. */
  findBatch(metadataKey: string, key: string, notBeforeSec: number): Promise<BatchSnapshot | null>;
  retrieveBatch(id: string): Promise<BatchSnapshot>;
  cancelBatch(id: string): Promise<BatchSnapshot>;
  /** Downloads a file's content to `dest` atomically; refuses more than `maxBytes`. */
  downloadFile(id: string, dest: string, maxBytes: number): Promise<number>;
}

export interface ClientOptions {
  /** Override of the provider's apiBase, e.g. http://127.0.0.1:8089/v1 for the emulator. */
  baseUrl?: string;
  /** Override of the provider's key reference (env:NAME or vault:path#field). */
  apiKeyRef?: string;
  secrets?: SecretResolverOptions;
  /** Per control call (create, retrieve, list, cancel). */
  timeoutMs?: number;
  /** Per upload or download. */
  transferTimeoutMs?: number;
}

/** The only completion window OpenAI's Batch API accepts (its API reference: "Currently only 24h is supported"). */
const OPENAI_COMPLETION_WINDOW = '24h';
const CONTROL_TIMEOUT_MS = 60_000;
const TRANSFER_TIMEOUT_MS = 15 * 60_000;
/** How far back a lookup pages through the batch list before giving up. */
const LOOKUP_SLACK_S = 600;

type SdkBatch = OpenAI.Batches.Batch;

function snapshot(b: SdkBatch): BatchSnapshot {
  return {
    id: b.id,
    status: b.status,
    request_counts: b.request_counts ? { total: b.request_counts.total, completed: b.request_counts.completed, failed: b.request_counts.failed } : null,
    output_file_id: b.output_file_id ?? null,
    error_file_id: b.error_file_id ?? null,
    created_at: b.created_at,
    in_progress_at: b.in_progress_at ?? null,
    completed_at: b.completed_at ?? null,
    failed_at: b.failed_at ?? null,
    expired_at: b.expired_at ?? null,
    cancelled_at: b.cancelled_at ?? null,
    errors: (b.errors?.data ?? []).map((e) => ({ code: e.code ?? null, message: e.message ?? null, line: e.line ?? null })),
  };
}

/** An SDK failure as one line: status, type or code, and the server's message; never the key. */
function apiFailure(what: string, e: unknown): BatchApiError {
  const unknownOutcome = outcomeUnknown(e);
  if (e instanceof OpenAI.APIError && !(e instanceof OpenAI.APIConnectionError)) {
    const detail = [e.status, e.code ?? e.type].filter((x) => x !== undefined && x !== null).join(' ');
    const message = (e.error as { message?: string } | undefined)?.message ?? e.message;
    return new BatchApiError(`${what}: ${detail}${detail ? ': ' : ''}${message.split('\n')[0]}`, { cause: e, unknownOutcome });
  }
  return new BatchApiError(`${what}: ${(e as Error).message?.split('\n')[0] ?? String(e)}`, { cause: e, unknownOutcome });
}

/** True when the request may have reached the server and taken effect although no answer came back. */
function outcomeUnknown(e: unknown): boolean {
  if (e instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  return e instanceof OpenAI.APIError && (e.status === undefined || e.status >= 500);
}

export async function createBatchApi(plan: CompiledPlan, profile: PlanBatchProfile, opts: ClientOptions = {}): Promise<BatchApi> {
  const provider = plan.providers[profile.provider];
  if (!provider) throw new BatchError(`provider ${JSON.stringify(profile.provider)} of batch profile ${profile.id} is not in the plan`);
  if (provider.kind !== 'openai')
    throw new BatchError(
      `batch profile ${profile.id} uses provider ${provider.id} of kind ${provider.kind}; the batch runner speaks to OpenAI's Batch API (kind openai) only`,
    );
  // The plan and the generated files show the profile's window: never run a batch under another one without saying so.
  if (`${profile.completionWindowHours}h` !== OPENAI_COMPLETION_WINDOW)
    throw new BatchError(
      `batch profile ${profile.id} asks for a ${profile.completionWindowHours}h completion window; OpenAI's Batch API accepts only ${OPENAI_COMPLETION_WINDOW}: set completionWindow: '${OPENAI_COMPLETION_WINDOW}' in the profile`,
    );
  const ref = opts.apiKeyRef ?? provider.apiKey?.ref;
  if (!ref) throw new BatchError(`provider ${provider.id} has no apiKey reference; pass --api-key-ref env:NAME`);
  let apiKey: string;
  try {
    apiKey = await createSecretResolver(opts.secrets).resolve(ref);
  } catch (e) {
    throw new BatchError(`cannot resolve the API key of provider ${provider.id}: ${(e as Error).message}`, { cause: e });
  }
  const baseURL = opts.baseUrl ?? provider.apiBase ?? 'https://api.openai.com/v1';
  if (!/^https?:\/\//.test(baseURL)) throw new BatchError(`base URL ${JSON.stringify(baseURL)} is not an http(s) URL`);
  return openaiBatchApi(
    new OpenAI({ apiKey, baseURL, maxRetries: 2, timeout: opts.timeoutMs ?? CONTROL_TIMEOUT_MS }),
    baseURL,
    opts.transferTimeoutMs ?? TRANSFER_TIMEOUT_MS,
  );
}

export function openaiBatchApi(client: OpenAI, baseUrl: string, transferTimeoutMs = TRANSFER_TIMEOUT_MS): BatchApi {
  const shown = baseUrl.replace(/\/\/[^@/]*@/, '//');
  return {
    baseUrl: shown,
    async uploadFile(path, filename) {
      try {
        // A file-backed Blob: the SDK streams it instead of reading 200 MB into memory.
        const file = new File([await openAsBlob(path)], filename, { type: 'application/jsonl' });
        const f = await client.files.create({ file, purpose: 'batch' }, { timeout: transferTimeoutMs, maxRetries: 0 });
        return { id: f.id, bytes: f.bytes };
      } catch (e) {
        throw apiFailure(`uploading ${filename} to ${shown}`, e);
      }
    },
    async findFile(filename, bytes) {
      try {
        for await (const f of client.files.list({ purpose: 'batch', order: 'desc' })) if (f.filename === filename && f.bytes === bytes) return f.id;
        return null;
      } catch (e) {
        throw apiFailure(`listing files at ${shown}`, e);
      }
    },
    async createBatch(p) {
      try {
        const b = await client.batches.create(
          {
            input_file_id: p.inputFileId,
            endpoint: p.endpoint as OpenAI.Batches.BatchCreateParams['endpoint'],
            completion_window: OPENAI_COMPLETION_WINDOW,
            metadata: p.metadata,
          },
          { maxRetries: 0 },
        );
        return snapshot(b);
      } catch (e) {
        throw apiFailure(`creating a batch at ${shown}`, e);
      }
    },
    async findBatch(metadataKey, key, notBeforeSec) {
      try {
        for await (const b of client.batches.list({ limit: 100 })) {
          if (b.metadata?.[metadataKey] === key) return snapshot(b);
          // Listed newest first: older batches cannot be ours.
          if (b.created_at < notBeforeSec - LOOKUP_SLACK_S) break;
        }
        return null;
      } catch (e) {
        throw apiFailure(`listing batches at ${shown}`, e);
      }
    },
    async retrieveBatch(id) {
      try {
        return snapshot(await client.batches.retrieve(id));
      } catch (e) {
        throw apiFailure(`reading batch ${id} at ${shown}`, e);
      }
    },
    async cancelBatch(id) {
      try {
        return snapshot(await client.batches.cancel(id));
      } catch (e) {
        throw apiFailure(`cancelling batch ${id} at ${shown}`, e);
      }
    },
    async downloadFile(id, dest, maxBytes) {
      const tmp = tempName(dest);
      const signal = AbortSignal.timeout(transferTimeoutMs);
      try {
        const res = await client.files.content(id, { signal, timeout: transferTimeoutMs });
        const declared = Number(res.headers.get('content-length'));
        if (Number.isFinite(declared) && declared > maxBytes) throw new BatchApiError(`file ${id} is ${declared} bytes, more than the ${maxBytes} allowed`);
        const fh = await open(tmp, 'wx', 0o600);
        let size = 0;
        try {
          const reader = res.body!.getReader();
          for (let r = await reader.read(); !r.done; r = await reader.read()) {
            size += r.value.byteLength;
            if (size > maxBytes) {
              await reader.cancel();
              throw new BatchApiError(`file ${id} is more than the ${maxBytes} bytes allowed`);
            }
            await writeAll(fh, r.value);
          }
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, dest);
        await syncDir(dirname(dest));
        return size;
      } catch (e) {
        await rm(tmp, { force: true });
        if (e instanceof BatchApiError) throw e;
        throw apiFailure(`downloading file ${id} from ${shown}`, e);
      }
    },
  };
}
