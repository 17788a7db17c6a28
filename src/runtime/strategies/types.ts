import type { LocalState } from '../state.ts';
import type { RtDeployment } from '../tables.ts';
import type { Random } from '../types.ts';

export interface PickContext {
  state: LocalState;
  now: number;
  inputTokens: number;
  outputTokens: number;
  random: Random;
  /** Worst-case cost of the tenant's calls in flight (this router's other requests), counted against its budget. */
  tenantInFlightUsd?: number;
}

/** Index (into `candidates`) of the deployment to call next among those marked usable, or -1 when none is. */
export type Pick = (candidates: readonly RtDeployment[], usable: Uint8Array, ctx: PickContext) => number;
