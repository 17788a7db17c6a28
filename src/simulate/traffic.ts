/**
 * Traffic: each model group with `traffic` figures receives Poisson arrivals
 * at its peak rpm (times any traffic multiplier in force), with input and
 * output token counts drawn around the group's means (lognormal, coefficient
 * of variation INPUT_CV / OUTPUT_CV). Clients ask for exactly the output they
 * get (max_tokens = the drawn output), so token limits count what is used.
 *
 * Tenants: the plan gives each tenant limits, not traffic. A tenant is taken
 * to send `tenantLoad` (default 0.8) of what its limits allow at peak: of its
 * rpm, or of its tpm divided by the mean tokens of a request to the groups it
 * may use, whichever is lower (a limit that never binds says nothing about
 * traffic). That rate is spread over the groups it may use in proportion to
 * their peak rpm; where tenants' shares of a group add up to more than the
 * group's traffic they are scaled down to it. Tenants without limits share
 * what the limited ones leave of the groups they may use, equally; anything
 * left carries no tenant. Group traffic never changes with tenants: they
 * only say who sends it.
 */
import type { CompiledPlan } from '../plan/types.ts';
import type { Random } from '../runtime/types.ts';
import * as random from './random.ts';

const { exponential, tokenCount } = random;

export const DEFAULT_TENANT_LOAD = 0.8;
const INPUT_CV = 0.6;
const OUTPUT_CV = 0.5;

/** Per group: tenant id -> share of the group's requests (0-1), in tenant id order; what is missing carries no tenant. */
export function tenantShares(plan: CompiledPlan, tenantLoad = DEFAULT_TENANT_LOAD): Record<string, Record<string, number>> {
  const groups = Object.keys(plan.groups)
    .sort()
    .filter((g) => plan.groups[g]!.traffic !== null);
  const peak = (g: string) => plan.groups[g]!.traffic!.peakRpm;
  const tenants = Object.keys(plan.tenants).sort();
  const allowed = (t: string) => plan.tenants[t]!.allowedGroups.filter((g) => plan.groups[g]?.traffic);
  const rpm: Record<string, Record<string, number>> = Object.fromEntries(groups.map((g) => [g, {}]));
  const unlimited = (t: string) => allowedRate(plan, t) === null;
  for (const t of tenants) {
    const limit = allowedRate(plan, t);
    if (limit === null) continue;
    const gs = allowed(t);
    const total = gs.reduce((s, g) => s + peak(g), 0);
    for (const g of gs) rpm[g]![t] = (limit * tenantLoad * peak(g)) / total;
  }
  const shares: Record<string, Record<string, number>> = {};
  for (const g of groups) {
    const limited = Object.values(rpm[g]!).reduce((s, x) => s + x, 0);
    const scale = limited > peak(g) ? peak(g) / limited : 1;
    const out: Record<string, number> = {};
    for (const [t, r] of Object.entries(rpm[g]!)) out[t] = (r * scale) / peak(g);
    const free = tenants.filter((t) => unlimited(t) && allowed(t).includes(g));
    const left = Math.max(0, 1 - Object.values(out).reduce((s, x) => s + x, 0));
    for (const t of free) out[t] = left / free.length;
    shares[g] = Object.fromEntries(
      Object.keys(out)
        .sort()
        .map((t) => [t, out[t]!]),
    );
  }
  return shares;
}

/**
 * Requests per minute a tenant's limits allow over the groups it may use:
 * its rpm, or its tpm over the peak-weighted mean tokens (input + output) of
 * a request to those groups, whichever is lower; null without limits.
 */
export function allowedRate(plan: CompiledPlan, tenant: string): number | null {
  const t = plan.tenants[tenant]!;
  const gs = t.allowedGroups.map((g) => plan.groups[g]?.traffic).filter((x) => x !== null && x !== undefined);
  let byTokens: number | null = null;
  if (t.tpm !== null && gs.length > 0) {
    const weight = gs.reduce((s, x) => s + x.peakRpm, 0);
    const meanTokens = gs.reduce((s, x) => s + x.peakRpm * (x.meanInputTokens + x.meanOutputTokens), 0) / weight;
    byTokens = t.tpm / meanTokens;
  }
  if (t.rpm === null) return byTokens;
  return byTokens === null ? t.rpm : Math.min(t.rpm, byTokens);
}

export interface Arrival {
  t: number;
  tenant: string | undefined;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The arrivals of one group, one at a time, from its own random stream. A
 * multiplier that changes over time is handled by thinning: candidates come
 * at the highest rate the group will see and each is kept with probability
 * rate(t) / highest.
 */
export class ArrivalStream {
  private t: number;
  private readonly meanGapMs: number;
  private readonly cumulative: number[];
  private readonly tenantIds: string[];

  constructor(
    readonly group: string,
    private readonly peakRpm: number,
    private readonly meanInput: number,
    private readonly meanOutput: number,
    shares: Record<string, number>,
    /** Multiplier of the rate at time t (ms from the start) and its maximum over the run. */
    private readonly multiplier: (t: number) => number,
    private readonly maxMultiplier: number,
    private readonly start: number,
    private readonly end: number,
    private readonly random: Random,
  ) {
    this.t = start;
    this.meanGapMs = maxMultiplier > 0 ? 60_000 / (peakRpm * maxMultiplier) : Infinity;
    this.tenantIds = Object.keys(shares);
    let acc = 0;
    this.cumulative = this.tenantIds.map((t) => (acc += shares[t]!));
  }

  /** The next arrival, or null when the run is over. */
  next(): Arrival | null {
    const r = this.random;
    for (;;) {
      this.t += exponential(r, this.meanGapMs);
      if (!(this.t < this.end)) return null;
      const m = this.multiplier(this.t - this.start);
      if (m < this.maxMultiplier && r() * this.maxMultiplier >= m) continue;
      const u = r();
      let tenant: string | undefined;
      for (let i = 0; i < this.cumulative.length; i++) {
        if (u < this.cumulative[i]!) {
          tenant = this.tenantIds[i];
          break;
        }
      }
      return { t: this.t, tenant, inputTokens: tokenCount(r, this.meanInput, INPUT_CV), outputTokens: tokenCount(r, this.meanOutput, OUTPUT_CV) };
    }
  }

  get rpm(): number {
    return this.peakRpm;
  }
}
