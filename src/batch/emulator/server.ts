/**
 * A local stand-in for OpenAI's Files and Batches endpoints
 * (`switchyard batch emulator`), following the published API reference and
 * the recorded shapes in /work/shared/fixtures/wire/openai_batch: the same
 * routes, fields, limits, statuses and error envelope, so the official
 * `openai` SDK talks to it unchanged. State lives in memory; emulated time
 * can run faster than real time (clock.ts).
 *
 * Every request body has a size limit (uploads 512 MB and 200 MB for batch
 * input, JSON bodies 1 MB) and the server a request timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { BatchStore, type Pace } from './batches.ts';
import { type EmulatorClock, scaledClock } from './clock.ts';
import { ApiError, badRequest, notFound } from './errors.ts';
import { BATCH_FILE_EXPIRY_S, FileStore, fileObject } from './files.ts';

const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
const MAX_BATCH_INPUT_BYTES = 200 * 1024 * 1024;
const MAX_JSON_BYTES = 1 << 20;
const ENDPOINTS = new Set(['/v1/responses', '/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/moderations']);
const UPLOAD_PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);

export interface EmulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bearer token clients must send; null accepts any non-empty one. */
  apiKey?: string | null;
  /** Emulated time runs this many times faster than real time (default 1). */
  speed?: number;
  clock?: EmulatorClock;
  pace?: Partial<Pace>;
  /** Real milliseconds every answer waits (fault injection for tests). */
  latencyMs?: number;
  /** Called for every request after it is handled; returning true drops the answer (the socket is destroyed). */
  dropAnswer?: (method: string, path: string) => boolean;
  /** Called for every request once it has taken effect, before its answer is sent (tests kill clients in that window). */
  onHandled?: (method: string, path: string, status: number) => void;
  /** Refuse uploads once this much is stored (default 4 GB). */
  maxStoredBytes?: number;
}

export interface Emulator {
  url: string;
  port: number;
  files: FileStore;
  batches: BatchStore;
  clock: EmulatorClock;
  close(): Promise<void>;
}

const DEFAULT_PACE: Pace = { validatingMs: 5_000, perRequestMs: 500, finalizingMs: 5_000, cancellingMs: 10_000, failureRate: 0 };

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': `req_${Date.now().toString(16)}` });
  res.end(text);
}

/** The request body, refused past `limit` bytes without reading the rest. */
function limited(req: IncomingMessage, limit: number): Readable {
  let seen = 0;
  return req.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen > limit) cb(new ApiError(413, `Request body is larger than ${limit} bytes.`, null, 'request_too_large'));
        else cb(null, chunk);
      },
    }),
  );
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of limited(req, MAX_JSON_BYTES)) chunks.push(c as Buffer);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)");
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('The request body must be a JSON object.');
  return v as Record<string, unknown>;
}

function checkMetadata(m: unknown): Record<string, string> | null {
  if (m === undefined || m === null) return null;
  if (typeof m !== 'object' || Array.isArray(m)) throw badRequest('Invalid type for metadata: expected an object.', 'metadata', 'invalid_type');
  const entries = Object.entries(m as Record<string, unknown>);
  if (entries.length > 16) throw badRequest('Invalid metadata: at most 16 key-value pairs are allowed.', 'metadata', 'invalid_value');
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw badRequest(`Invalid type for 'metadata.${k}': expected a string.`, `metadata.${k}`, 'invalid_type');
    if (k.length > 64) throw badRequest('Invalid metadata: keys can be at most 64 characters long.', 'metadata', 'invalid_value');
    if (v.length > 512) throw badRequest('Invalid metadata: values can be at most 512 characters long.', 'metadata', 'invalid_value');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function page<T extends { id: string }>(items: T[], after: string | null, limit: number) {
  const start = after === null ? 0 : items.findIndex((x) => x.id === after) + 1;
  const data = items.slice(start, start + limit);
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: start + limit < items.length };
}

function intParam(q: URLSearchParams, name: string, min: number, max: number, dflt: number): number {
  const raw = q.get(name);
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`Invalid '${name}': must be an integer between ${min} and ${max}.`, name, 'invalid_value');
  return n;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const clock = opts.clock ?? scaledClock(opts.speed ?? 1);
  const files = new FileStore();
  const batches = new BatchStore(files, { ...DEFAULT_PACE, ...opts.pace });
  const maxStored = opts.maxStoredBytes ?? 4 * 1024 ** 3;
  const nowSec = () => Math.floor(clock.now() / 1000);

  const upload = async (req: IncomingMessage) => {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) throw badRequest('Expected a multipart/form-data body with "file" and "purpose".');
    let form: FormData;
    try {
      const web = new Request('http://emulator/v1/files', {
        method: 'POST',
        headers: { 'content-type': type },
        body: Readable.toWeb(limited(req, MAX_UPLOAD_BYTES)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      form = await web.formData();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof ApiError) throw cause;
      throw badRequest('The multipart body could not be parsed.');
    }
    const purpose = form.get('purpose');
    const file = form.get('file');
    if (typeof purpose !== 'string' || !UPLOAD_PURPOSES.has(purpose))
      throw badRequest(`'${String(purpose)}' is not one of ${[...UPLOAD_PURPOSES].map((p) => `'${p}'`).join(', ')} - 'purpose'`, 'purpose', 'invalid_value');
    if (file === null || typeof file === 'string') throw badRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
    const content = Buffer.from(await file.arrayBuffer());
    if (purpose === 'batch') {
      if (!file.name.endsWith('.jsonl')) throw badRequest('Invalid file format for Batch API. Must be .jsonl', 'file', 'invalid_file_format');
      if (content.length > MAX_BATCH_INPUT_BYTES)
        throw badRequest(`File is too large for the Batch API: ${content.length} bytes, at most ${MAX_BATCH_INPUT_BYTES}.`, 'file', 'file_too_large');
    }
    if (files.storedBytes + content.length > maxStored) throw badRequest('Storage limit of the emulator reached; delete files first.', 'file', 'storage_limit');
    const seconds = form.get('expires_after[seconds]');
    const expiresAfter = typeof seconds === 'string' ? Number(seconds) : purpose === 'batch' ? BATCH_FILE_EXPIRY_S : null;
    if (expiresAfter !== null && (!Number.isInteger(expiresAfter) || expiresAfter < 3600 || expiresAfter > 2_592_000))
      throw badRequest('expires_after[seconds] must be between 3600 and 2592000.', 'expires_after', 'invalid_value');
    return fileObject(files.add(content, file.name, purpose, nowSec(), expiresAfter));
  };

  const createBatch = async (req: IncomingMessage) => {
    const body = await jsonBody(req);
    const inputFileId = body.input_file_id;
    if (typeof inputFileId !== 'string') throw badRequest("Missing required parameter: 'input_file_id'.", 'input_file_id', 'missing_required_parameter');
    if (typeof body.endpoint !== 'string' || !ENDPOINTS.has(body.endpoint))
      throw badRequest(`Invalid 'endpoint': must be one of ${[...ENDPOINTS].join(', ')}.`, 'endpoint', 'invalid_value');
    if (body.completion_window !== '24h') throw badRequest("Invalid 'completion_window': only '24h' is supported.", 'completion_window', 'invalid_value');
    const metadata = checkMetadata(body.metadata);
    let outputExpiresAfterS: number | null = null;
    if (body.output_expires_after !== undefined) {
      const o = body.output_expires_after as { anchor?: unknown; seconds?: unknown };
      if (o?.anchor !== 'created_at' || typeof o.seconds !== 'number' || o.seconds < 3600 || o.seconds > 2_592_000)
        throw badRequest(
          "Invalid 'output_expires_after': anchor must be 'created_at' and seconds between 3600 and 2592000.",
          'output_expires_after',
          'invalid_value',
        );
      outputExpiresAfterS = o.seconds;
    }
    if (!files.has(inputFileId))
      throw badRequest(`Invalid 'input_file_id': '${inputFileId}'. File with ID '${inputFileId}' does not exist.`, 'input_file_id', 'invalid_value');
    if (files.get(inputFileId).purpose !== 'batch')
      throw badRequest(`Invalid 'input_file_id': file '${inputFileId}' was not uploaded with purpose 'batch'.`, 'input_file_id', 'invalid_value');
    const b = batches.create({ inputFileId, endpoint: body.endpoint, metadata, outputExpiresAfterS }, clock.now());
    return batches.view(b, clock.now());
  };

  const route = async (req: IncomingMessage): Promise<{ status: number; body?: unknown; raw?: Buffer }> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    const q = url.searchParams;
    let m: RegExpExecArray | null;
    if (path === '/v1/files' && method === 'POST') return { status: 200, body: await upload(req) };
    if (path === '/v1/files' && method === 'GET') {
      const order = q.get('order') ?? 'desc';
      if (order !== 'asc' && order !== 'desc') throw badRequest("Invalid 'order': must be 'asc' or 'desc'.", 'order', 'invalid_value');
      const limit = intParam(q, 'limit', 1, 10_000, 10_000);
      return { status: 200, body: page(files.list(q.get('purpose'), order).map(fileObject), q.get('after'), limit) };
    }
    if ((m = /^\/v1\/files\/([^/]+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]!);
      if (method === 'GET') return { status: 200, body: fileObject(files.get(id)) };
      if (method === 'DELETE') return { status: 200, body: { id: files.delete(id).id, object: 'file', deleted: true } };
    }
    if ((m = /^\/v1\/files\/([^/]+)\/content$/.exec(path)) && method === 'GET') return { status: 200, raw: files.get(decodeURIComponent(m[1]!)).content };
    if (path === '/v1/batches' && method === 'POST') return { status: 200, body: await createBatch(req) };
    if (path === '/v1/batches' && method === 'GET') {
      const limit = intParam(q, 'limit', 1, 100, 20);
      const now = clock.now();
      return {
        status: 200,
        body: page(
          batches.list().map((b) => batches.view(b, now)),
          q.get('after'),
          limit,
        ),
      };
    }
    if ((m = /^\/v1\/batches\/([^/]+)$/.exec(path)) && method === 'GET')
      return { status: 200, body: batches.view(batches.get(decodeURIComponent(m[1]!)), clock.now()) };
    if ((m = /^\/v1\/batches\/([^/]+)\/cancel$/.exec(path)) && method === 'POST') {
      const b = batches.get(decodeURIComponent(m[1]!));
      batches.cancel(b, clock.now());
      return { status: 200, body: batches.view(b, clock.now()) };
    }
    throw notFound(`Invalid URL (${method} ${path})`);
  };

  const authorized = (req: IncomingMessage): ApiError | null => {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(h);
    if (!m)
      return new ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    if (opts.apiKey != null && m[1] !== opts.apiKey) {
      const k = m[1]!;
      const masked = k.length > 8 ? `${k.slice(0, 4)}${'*'.repeat(Math.min(20, k.length - 8))}${k.slice(-4)}` : '****';
      return new ApiError(401, `Incorrect API key provided: ${masked}.`, null, 'invalid_api_key');
    }
    return null;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      let status = 500;
      let payload: unknown;
      let raw: Buffer | undefined;
      try {
        const denied = authorized(req);
        if (denied) throw denied;
        const r = await route(req);
        status = r.status;
        payload = r.body;
        raw = r.raw;
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(500, 'The server had an error while processing your request. Sorry about that!');
        status = err.status;
        payload = err.body();
        // Drain what the client still sends, so it reads the answer instead of a reset.
        req.resume();
      }
      opts.onHandled?.(req.method ?? 'GET', new URL(req.url ?? '/', 'http://e').pathname, status);
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      if (opts.dropAnswer?.(req.method ?? 'GET', new URL(req.url ?? '/', 'http://e').pathname)) {
        req.socket.destroy();
        return;
      }
      if (raw) {
        res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': raw.length });
        res.end(raw);
      } else send(res, status, payload);
    })();
  });
  server.requestTimeout = 600_000;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    files,
    batches,
    clock,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
