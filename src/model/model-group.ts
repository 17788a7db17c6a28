import { z } from 'zod';
import { CircuitBreaker } from './circuit-breaker.ts';
import { STRATEGIES, WORKLOADS } from './closed-sets.ts';
import { Duration, GroupName, Id, NonNegativeNumber, PositiveInt } from './common.ts';

export const Strategy = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof Strategy>;

/** Interactive traffic has a user waiting; the risk rules and SLOs treat it differently. */
export const Workload = z.enum(WORKLOADS);
export type Workload = z.infer<typeof Workload>;

export const Retries = z
  .object({
    count: z.number().int().min(0).max(10).default(2),
    backoff: z
      .object({
        initial: Duration.default('250ms'),
        max: Duration.default('4s'),
        multiplier: z.number().min(1).max(10).default(2),
      })
      .strict()
      .default({}),
    /** HTTP status codes worth another attempt; timeouts and connection errors always are. */
    retryOn: z.array(z.number().int().min(400).max(599)).default([429, 500, 502, 503, 504]),
  })
  .strict();

export const Timeouts = z
  .object({
    /** Whole-attempt deadline for one upstream call. */
    request: Duration.default('30s'),
    /** Time to first byte for streaming responses. */
    streamFirstToken: Duration.optional(),
  })
  .strict();

/** What the group is expected to carry; used for capacity and cost figures, not for routing. */
export const Traffic = z
  .object({
    peakRpm: PositiveInt,
    meanInputTokens: PositiveInt,
    meanOutputTokens: PositiveInt,
    /** Requests per month, for cost projections; defaults to peakRpm sustained 8 hours a day, 30 days. */
    monthlyRequests: NonNegativeNumber.optional(),
  })
  .strict();

/** A public model name clients ask for, served by one or more deployments. */
export const ModelGroup = z
  .object({
    name: GroupName,
    description: z.string().optional(),
    workload: Workload.default('interactive'),
    strategy: Strategy.default('usage_based'),
    deployments: z.array(Id).min(1, 'a model group needs at least one deployment'),
    retries: Retries.default({}),
    timeouts: Timeouts.default({}),
    /** Groups tried in this order when every deployment of this group failed. */
    fallbacks: z.array(GroupName).default([]),
    /** Groups with a larger context window, tried first when a request is too long for this group. */
    contextWindowFallbacks: z.array(GroupName).default([]),
    /** Overrides the policy's default breaker for this group's deployments. */
    circuitBreaker: CircuitBreaker.optional(),
    traffic: Traffic.optional(),
  })
  .strict();
export type ModelGroup = z.infer<typeof ModelGroup>;
export type ModelGroupInput = z.input<typeof ModelGroup>;
