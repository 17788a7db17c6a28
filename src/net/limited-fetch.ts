/**
 * HTTP reads with a size and a time limit. Every call Switchyard makes to a
 * server it does not control (Vault, Prometheus, a provider's control API)
 * goes through here, so a slow or hostile server can neither hang the
 * process nor fill its memory.
 */
import { SwitchyardError } from '../errors.ts';

export interface LimitedFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whole exchange: connect, headers and body. */
  timeoutMs: number;
  /** Largest response body read; more is an error, not a truncation. */
  maxBytes: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
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
 * fetch() refuses URLs with credentials; `https://user:pass@host` (as people
 * write Prometheus or Vault behind a proxy) becomes basic authentication.
 */
function credentialsToHeader(url: string, given: Record<string, string>): { bare: string; headers: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FetchError(`${JSON.stringify(displayUrl(url))} is not a URL`, 'unreachable');
  }
  if (!u.username && !u.password) return { bare: url, headers: given };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  const hasAuth = Object.keys(given).some((k) => k.toLowerCase() === 'authorization');
  return { bare: u.toString(), headers: hasAuth ? given : { ...given, authorization: `Basic ${basic}` } };
}

export async function limitedFetch(url: string, opts: LimitedFetchOptions): Promise<LimitedResponse> {
  const f = opts.fetch ?? fetch;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const shown = displayUrl(url);
  const timedOut = () => new FetchError(`no answer from ${shown} within ${opts.timeoutMs} ms`, 'timeout');
  const { bare, headers } = credentialsToHeader(url, opts.headers ?? {});
  let res: Response;
  try {
    res = await f(bare, {
      method: opts.method ?? 'GET',
      headers,
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      signal,
      redirect: 'error',
    });
  } catch (e) {
    if (timeout.aborted) throw timedOut();
    const err = e as Error & { cause?: { code?: string; message?: string } };
    throw new FetchError(`cannot reach ${shown} (${err.cause?.code ?? err.cause?.message ?? err.message})`, 'unreachable', { cause: e });
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    await res.body?.cancel();
    throw new FetchError(`${shown} sent ${declared} bytes, more than the ${opts.maxBytes} allowed`, 'too-large');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  try {
    for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
      size += r.value.byteLength;
      if (size > opts.maxBytes) {
        await reader!.cancel();
        throw new FetchError(`${shown} sent more than the ${opts.maxBytes} bytes allowed`, 'too-large');
      }
      chunks.push(r.value);
    }
  } catch (e) {
    if (e instanceof FetchError) throw e;
    if (timeout.aborted) throw timedOut();
    throw new FetchError(`reading the answer of ${shown} failed (${(e as Error).message})`, 'unreachable', { cause: e });
  }
  return { status: res.status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
}
