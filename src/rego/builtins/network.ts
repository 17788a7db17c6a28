/**
 * http.send and net.lookup_ip_addr: the builtins that reach the network.
 * They run only when the query has the network capability (EvalOptions
 * `network`, `--allow-net` on the CLI); otherwise they stop evaluation with
 * an error saying so, as a policy compiled without them under OPA's
 * `--capabilities` would fail. Requests within one query are answered once
 * (OPA's intra-query cache). Timeouts default to 5 s (at most 60 s) and
 * response bodies are capped at 10 MiB.
 */
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { fromJSON, isNumber, ObjectValue, SetValue, toJSON, typeName, type Value } from '../value.ts';
import { runBlocking, type TaskResult } from './blocking.ts';
import { goJSON } from './encoding.ts';
import { stringOperand, objectOperand } from './operands.ts';
import { parseDuration } from './time.ts';
import { BuiltinError, type Builtin, type BuiltinContext } from './types.ts';

const MAX_BODY = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_TIMEOUT_MS = 60_000;

/** TLS settings this engine cannot honour through fetch: refused rather than ignored. */
const UNSUPPORTED = [
  'tls_ca_cert',
  'tls_ca_cert_file',
  'tls_ca_cert_env_variable',
  'tls_client_cert',
  'tls_client_cert_file',
  'tls_client_cert_env_variable',
  'tls_client_key',
  'tls_client_key_file',
  'tls_client_key_env_variable',
  'tls_insecure_skip_verify',
  'tls_server_name',
];

const ALLOWED = new Set([
  'method',
  'url',
  'body',
  'raw_body',
  'headers',
  'enable_redirect',
  'force_json_decode',
  'force_yaml_decode',
  'timeout',
  'raise_error',
  'cache',
  'force_cache',
  'force_cache_duration_seconds',
  'caching_mode',
  'cache_ignored_headers',
  'max_retry_attempts',
  'tls_use_system_certs',
  ...UNSUPPORTED,
]);

const halt = (name: string, msg: string, code: 'eval_type_error' | 'eval_builtin_error' = 'eval_builtin_error') =>
  new BuiltinError(code, `${name}: ${msg}`, true);

function requireNetwork(name: string, ctx: BuiltinContext): void {
  if (!ctx.network)
    throw halt(name, 'network access is not enabled for this evaluation (the network capability is off; switchyard policy test --allow-net turns it on)');
}

const keyList = (keys: string[]): string => `{${keys.map((k) => JSON.stringify(k)).join(', ')}}`;

function timeoutMs(v: Value | undefined): number {
  if (v === undefined) return DEFAULT_TIMEOUT_MS;
  let ns: bigint;
  if (typeof v === 'string') {
    const d = parseDuration(v);
    if (typeof d !== 'bigint') throw halt('http.send', d.error);
    ns = d;
  } else if (isNumber(v)) ns = BigInt(Math.trunc(Number(v)));
  else throw halt('http.send', `timeout must be a duration string or a number of nanoseconds, got ${typeName(v)}`, 'eval_type_error');
  const ms = Number(ns / 1_000_000n);
  return ms <= 0 ? DEFAULT_TIMEOUT_MS : Math.min(ms, MAX_TIMEOUT_MS);
}

function headersOf(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined) return out;
  if (!(v instanceof ObjectValue)) throw halt('http.send', 'headers must be an object', 'eval_type_error');
  for (const [k, x] of v) {
    if (typeof k !== 'string' || typeof x !== 'string') throw halt('http.send', 'header names and values must be strings', 'eval_type_error');
    if (/[\r\n]/.test(k) || /[\r\n]/.test(x)) throw halt('http.send', 'header names and values must not hold line breaks', 'eval_type_error');
    out[k] = x;
  }
  return out;
}

function response(r: TaskResult, req: ObjectValue): Value {
  const raise = req.get('raise_error') !== false;
  if (!r.ok) {
    if (raise) throw halt('http.send', r.error);
    return ObjectValue.fromRecord({ status_code: 0, error: ObjectValue.fromRecord({ code: 'eval_http_send_network_error', message: r.error }) });
  }
  if (!('status' in r)) throw halt('http.send', 'unexpected answer');
  const headers = new ObjectValue();
  for (const [k, v] of r.headers) headers.set(k.toLowerCase(), [...((headers.get(k.toLowerCase()) as Value[] | undefined) ?? []), v]);
  const type = r.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  let body: Value = null;
  try {
    if (req.get('force_json_decode') === true || /[/+]json\b/.test(type)) body = fromJSON(JSON.parse(r.body));
    else if (req.get('force_yaml_decode') === true || /yaml/.test(type)) body = fromJSON(parseYaml(r.body));
  } catch {
    body = null;
  }
  return ObjectValue.fromRecord({ status: `${r.status} ${r.statusText}`.trim(), status_code: r.status, headers, body, raw_body: r.body });
}

function httpSend(req: ObjectValue, ctx: BuiltinContext): Value {
  const name = 'http.send';
  requireNetwork(name, ctx);
  const keys = req.keys().map(String);
  const unknown = keys.filter((k) => !ALLOWED.has(k)).sort();
  if (unknown.length > 0) throw halt(name, `invalid request parameters(s): ${keyList(unknown)}`, 'eval_type_error');
  const missing = ['method', 'url'].filter((k) => !req.has(k));
  if (missing.length > 0) throw halt(name, `missing required request parameters(s): ${keyList(missing)}`, 'eval_type_error');
  const refused = UNSUPPORTED.filter((k) => req.has(k));
  if (refused.length > 0) throw halt(name, `not supported by Switchyard's Rego engine: ${keyList(refused)}`);
  const method = String(req.get('method')).toUpperCase();
  const url = req.get('url');
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw halt(name, 'url must be an http:// or https:// URL', 'eval_type_error');
  const memoKey = `http.send:${goJSON(req)}`;
  const cached = ctx.memo.get(memoKey);
  if (cached !== undefined) return cached;
  const headers = headersOf(req.get('headers'));
  const raw = req.get('raw_body');
  const json = req.get('body');
  let body: string | undefined;
  if (typeof raw === 'string') body = raw;
  else if (json !== undefined) {
    body = JSON.stringify(toJSON(json));
    headers['Content-Type'] ??= 'application/json';
  }
  const init = {
    method,
    headers,
    redirect: req.get('enable_redirect') === true ? ('follow' as const) : ('manual' as const),
    ...(body === undefined ? {} : { body }),
  };
  const out = response(runBlocking({ kind: 'fetch', url, init, maxBytes: MAX_BODY, timeoutMs: timeoutMs(req.get('timeout')) }), req);
  ctx.memo.set(memoKey, out);
  return out;
}

function lookup(host: string, ctx: BuiltinContext): Value {
  const name = 'net.lookup_ip_addr';
  if (isIP(host)) return new SetValue([host]);
  requireNetwork(name, ctx);
  const r = runBlocking({ kind: 'lookup', host, timeoutMs: DEFAULT_TIMEOUT_MS });
  if (!r.ok) throw new BuiltinError('eval_builtin_error', `${name}: ${r.error}`);
  return new SetValue('addresses' in r ? r.addresses : []);
}

export const NETWORK: Builtin[] = [
  { name: 'http.send', arity: 1, call: ([r], ctx) => httpSend(objectOperand('http.send', r!, 1), ctx) },
  { name: 'net.lookup_ip_addr', arity: 1, call: ([h], ctx) => lookup(stringOperand('net.lookup_ip_addr', h!, 1), ctx) },
];
