/**
 * HTTP reads with a size and a time limit. Every call Switchyard makes to a
 * server it does not control (Vault, Prometheus, a provider's control API)
 * goes through here, so a slow or hostile server can neither hang the
 * process nor fill its memory.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SwitchyardError } from '../errors.ts';

export interface LimitedFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whole exchange: connect, headers and body. */
  timeoutMs: number;
  /** TCP (and TLS) connection; default: the smaller of timeoutMs and 10 s. */
  connectTimeoutMs?: number;
  /** From the request sent to the response headers; default: timeoutMs. */
  headersTimeoutMs?: number;
  /** Longest silence while the body arrives; default: timeoutMs. */
  bodyTimeoutMs?: number;
  /** Largest response body read; more is an error, not a truncation. */
  maxBytes: number;
  signal?: AbortSignal;
}

export interface LimitedResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** The server could not be reached, answered too slowly, or sent too much. `display` is the URL safe to print. */
export class FetchError extends SwitchyardError {
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'timeout' | 'too-large',
    options: { cause?: unknown } = {},
  ) {
    super(message, `fetch-${reason}`, options);
  }
}

/** The URL without user name, password or query string: what may appear in a message. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * `https://user:pass@host` (as people write Prometheus or Vault behind a
 * proxy) becomes basic authentication; the URL sent has no credentials.
 */
function credentialsToHeader(url: string, given: Record<string, string>): { target: URL; headers: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FetchError(`${JSON.stringify(displayUrl(url))} is not a URL`, 'unreachable');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError(`${displayUrl(url)} is not an http(s) URL`, 'unreachable');
  if (!u.username && !u.password) return { target: u, headers: given };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  const hasAuth = Object.keys(given).some((k) => k.toLowerCase() === 'authorization');
  return { target: u, headers: hasAuth ? given : { ...given, authorization: `Basic ${basic}` } };
}

/**
 * One HTTP exchange with a deadline for each phase (connect, response
 * headers, each gap in the body) and for the whole, and a cap on the body.
 * node:http rather than fetch: fetch cannot tell a server that never
 * accepts the connection from one that accepts it and never answers.
 */
export function limitedFetch(url: string, opts: LimitedFetchOptions): Promise<LimitedResponse> {
  const shown = displayUrl(url);
  const { target, headers } = credentialsToHeader(url, opts.headers ?? {});
  const connectMs = opts.connectTimeoutMs ?? Math.min(opts.timeoutMs, 10_000);
  const headersMs = opts.headersTimeoutMs ?? opts.timeoutMs;
  const bodyMs = opts.bodyTimeoutMs ?? opts.timeoutMs;
  const timeout = (what: string) => new FetchError(`${shown}: ${what}`, 'timeout');
  return new Promise((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body, 'utf8');
    const req = send(target, {
      method: opts.method ?? 'GET',
      headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) },
    });
    let settled = false;
    let phase: ReturnType<typeof setTimeout> | undefined;
    const whole = setTimeout(() => fail(timeout(`no complete answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const arm = (ms: number, what: string) => {
      clearTimeout(phase);
      phase = setTimeout(() => fail(timeout(what)), ms);
    };
    const onAbort = () => fail(new FetchError(`request to ${shown} was cancelled`, 'timeout'));
    function done(): void {
      settled = true;
      clearTimeout(whole);
      clearTimeout(phase);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    function fail(e: FetchError): void {
      if (settled) return;
      done();
      req.destroy();
      reject(e);
    }
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);

    arm(connectMs, `could not connect within ${connectMs} ms`);
    req.on('socket', (socket) => {
      const connected = () => arm(headersMs, `no response headers within ${headersMs} ms of connecting`);
      if (socket.connecting) socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      else connected();
    });
    req.on('error', (e: NodeJS.ErrnoException) => fail(new FetchError(`cannot reach ${shown} (${e.code ?? e.message})`, 'unreachable', { cause: e })));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined)
        return fail(new FetchError(`${shown} redirects (HTTP ${status}); redirects are not followed`, 'unreachable'));
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes)
        return fail(new FetchError(`${shown} sent ${declared} bytes, more than the ${opts.maxBytes} allowed`, 'too-large'));
      const chunks: Buffer[] = [];
      let size = 0;
      const stalled = `the answer stalled for ${bodyMs} ms`;
      arm(bodyMs, stalled);
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) return fail(new FetchError(`${shown} sent more than the ${opts.maxBytes} bytes allowed`, 'too-large'));
        chunks.push(c);
        arm(bodyMs, stalled);
      });
      res.on('error', (e) => fail(new FetchError(`reading the answer of ${shown} failed (${e.message})`, 'unreachable', { cause: e })));
      res.on('end', () => {
        if (settled) return;
        done();
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status, headers: h, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}
