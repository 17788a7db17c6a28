/**
 * A hosted provider deployment (OpenAI, Azure OpenAI, Anthropic) as the
 * router sees it:
 * - latency of an attempt = time to the first token (clients stream), drawn
 *   from a lognormal fixed by its median and 95th percentile;
 * - server errors (503) with a fixed probability, at the same latency;
 * - the provider's own rate limits at the deployment's rpm and tpm, as token
 *   buckets refilled continuously over a minute (how OpenAI and Azure describe
 *   theirs): a request that does not fit gets 429 with the Retry-After the
 *   bucket needs, after REJECT_LATENCY_MS. Tokens count input plus
 *   max_tokens, as the providers estimate them.
 * The defaults per provider kind are placeholders, not measurements: they sit
 * inside the reference policy's 600 ms attempt timeout; a scenario file sets
 * measured figures per provider.
 */
import type { PlanDeployment, ProviderKind } from '../plan/types.ts';
import type { Random } from '../runtime/types.ts';
import * as random from './random.ts';
import type { Lognormal } from './random.ts';
import type { ProviderModelOverride } from './scenario.ts';

const { lognormalFromPercentiles, sampleLognormal } = random;

export interface HostedDefaults {
  p50Ms: number;
  p95Ms: number;
  errorRate: number;
}

/** Pass-through deployments never reach the simulator: the gateway cannot serve them (runtime/servable.ts). */
type HostedKind = Exclude<ProviderKind, 'vllm' | 'passthrough'>;

const HOSTED_DEFAULTS: Readonly<Record<HostedKind, HostedDefaults>> = {
  openai: { p50Ms: 280, p95Ms: 450, errorRate: 0.001 },
  azure_openai: { p50Ms: 300, p95Ms: 480, errorRate: 0.001 },
  anthropic: { p50Ms: 320, p95Ms: 520, errorRate: 0.001 },
  // Any OpenAI-compatible server: from a hosted API to a laptop running Ollama; a scenario file sets measured figures.
  openai_compatible: { p50Ms: 350, p95Ms: 700, errorRate: 0.002 },
};

/** How long a provider takes to answer 429: it rejects before doing any work. */
export const REJECT_LATENCY_MS = 20;

const MINUTE_MS = 60_000;

/** A bucket of `capacity` that refills at capacity per minute. */
class TokenBucket {
  private level: number;
  private last = 0;
  constructor(readonly capacity: number) {
    this.level = capacity;
  }
  private refill(now: number): void {
    this.level = Math.min(this.capacity, this.level + ((now - this.last) * this.capacity) / MINUTE_MS);
    this.last = now;
  }
  /** ms until `amount` is available (0: take it now). Infinity when it never fits. */
  waitFor(now: number, amount: number): number {
    this.refill(now);
    if (amount > this.capacity) return Infinity;
    return this.level >= amount ? 0 : ((amount - this.level) * MINUTE_MS) / this.capacity;
  }
  take(amount: number): void {
    this.level -= amount;
  }
}

export type HostedAnswer = { kind: 'ok' | 'error-503' | 'http-429'; latencyMs: number; retryAfterMs?: number };

export class HostedEndpoint {
  readonly latency: Lognormal;
  readonly errorRate: number;
  private readonly requests: TokenBucket | null;
  private readonly tokens: TokenBucket | null;

  constructor(
    d: PlanDeployment,
    override: ProviderModelOverride | undefined,
    readonly random: Random,
  ) {
    const base = HOSTED_DEFAULTS[d.providerKind as HostedKind] ?? HOSTED_DEFAULTS.openai;
    const p50 = override?.p50Ms ?? base.p50Ms;
    const p95 = override?.p95Ms ?? Math.max(p50, base.p95Ms * (p50 / base.p50Ms));
    this.latency = lognormalFromPercentiles(p50, p95);
    this.errorRate = override?.errorRate ?? base.errorRate;
    this.requests = d.rpm === null ? null : new TokenBucket(d.rpm);
    this.tokens = d.tpm === null ? null : new TokenBucket(d.tpm);
  }

  /** One call at `now` of `tokens` (input + max output); `latency` overrides the distribution (latency events), `errorRate` likewise. */
  answer(now: number, tokens: number, latency: Lognormal, errorRate: number): HostedAnswer {
    const waitReq = this.requests === null ? 0 : this.requests.waitFor(now, 1);
    const waitTok = this.tokens === null ? 0 : this.tokens.waitFor(now, tokens);
    if (waitReq > 0 || waitTok > 0) {
      // Providers send whole seconds in Retry-After and the exact figure in retry-after-ms; the router reads ms.
      const wait = Math.max(waitReq, waitTok);
      return { kind: 'http-429', latencyMs: REJECT_LATENCY_MS, retryAfterMs: Number.isFinite(wait) ? Math.ceil(wait) : 24 * 3_600_000 };
    }
    this.requests?.take(1);
    this.tokens?.take(tokens);
    const latencyMs = sampleLognormal(this.random, latency);
    return { kind: errorRate > 0 && this.random() < errorRate ? 'error-503' : 'ok', latencyMs };
  }
}
