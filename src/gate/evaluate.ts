/**
 * Evaluates the readiness criteria against a Prometheus server through its
 * HTTP API (`/api/v1/query`). Pure data in, results out; the only I/O is
 * limitedFetch, so a slow, silent or flooding server ends the gate with one
 * line (exit code 2) instead of hanging it.
 */
import { SwitchyardError } from '../errors.ts';
import { displayUrl, limitedFetch } from '../net/limited-fetch.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { criterionWindow, holds, readinessCriteria, thresholdText, type Category, type Criterion } from '../observability/readiness.ts';

export type Status = 'pass' | 'fail' | 'no-data' | 'error';

export interface CriterionResult {
  id: string;
  category: Category;
  description: string;
  status: Status;
  /** The value judged (the worst one when the query returned several series); null without data. */
  value: number | null;
  threshold: string;
  unit: Criterion['unit'];
  window: string | null;
  promql: string;
  /** Prometheus's error for a query it rejected. */
  error?: string;
}

/** Prometheus could not be reached or is not a Prometheus API: exit 2. */
class PrometheusUnreachable extends SwitchyardError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, 'prometheus-unreachable', options);
  }
}

export interface GateOptions {
  /** Overrides every criterion's window. */
  windowMs?: number | null;
  /** Per query: the whole exchange (default 10 s); connecting has at most 5 s of it, and the answer may pause at most 10 s. */
  timeoutMs?: number;
}

/** A readiness answer is a few series; a server that sends megabytes is not the Prometheus API. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: unknown };
}

async function query(base: string, promql: string, opts: GateOptions): Promise<QueryResponse> {
  const url = `${base.replace(/\/+$/, '')}/api/v1/query`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // limitedFetch prints the URL without credentials or query; every deadline and the size cap end in a FetchError (exit 2).
  const res = await limitedFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: promql }).toString(),
    timeoutMs,
    connectTimeoutMs: Math.min(timeoutMs, 5_000),
    bodyTimeoutMs: Math.min(timeoutMs, 10_000),
    maxBytes: MAX_ANSWER_BYTES,
  });
  const shown = displayUrl(base);
  let body: QueryResponse;
  try {
    body = JSON.parse(res.text) as QueryResponse;
  } catch {
    throw new PrometheusUnreachable(`${shown} is not a Prometheus HTTP API (HTTP ${res.status} from /api/v1/query)`);
  }
  if (typeof body !== 'object' || body === null || (body.status !== 'success' && body.status !== 'error'))
    throw new PrometheusUnreachable(`${shown} is not a Prometheus HTTP API (unexpected answer from /api/v1/query)`);
  return body;
}

/** Finite sample values of an instant query answer (NaN means "no data": 0/0 over an idle window). */
function sampleValues(data: QueryResponse['data']): number[] {
  if (!data) return [];
  const raw: unknown[] = [];
  if (data.resultType === 'scalar') raw.push((data.result as [number, string])[1]);
  else if (data.resultType === 'vector') for (const s of data.result as { value: [number, string] }[]) raw.push(s.value[1]);
  return raw.map((v) => Number(v)).filter((v) => Number.isFinite(v));
}

function judge(c: Criterion, values: number[]): { status: Status; value: number | null } {
  if (values.length === 0) return { status: 'no-data', value: null };
  const failing = values.find((v) => !c.bounds.every((b) => holds(v, b)));
  if (failing !== undefined) return { status: 'fail', value: failing };
  return { status: 'pass', value: values[0]! };
}

export async function evaluateGate(plan: CompiledPlan, prometheusUrl: string, opts: GateOptions = {}): Promise<CriterionResult[]> {
  const results: CriterionResult[] = [];
  for (const c of readinessCriteria(plan)) {
    const window = criterionWindow(c, opts.windowMs ?? null);
    const promql = c.promql(window ?? '5m');
    const base = { id: c.id, category: c.category, description: c.description, threshold: thresholdText(c), unit: c.unit, window, promql };
    const answer = await query(prometheusUrl, promql, opts);
    if (answer.status === 'error') {
      results.push({ ...base, status: 'error', value: null, error: answer.error ?? 'query failed' });
      continue;
    }
    results.push({ ...base, ...judge(c, sampleValues(answer.data)) });
  }
  return results;
}

export const ready = (results: readonly CriterionResult[]) => results.length > 0 && results.every((r) => r.status === 'pass');
