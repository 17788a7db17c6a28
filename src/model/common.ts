import { z } from 'zod';
import { DURATION_PATTERN } from './duration.ts';
import { GROUP_NAME_PATTERN, GROUP_NAME_RULE } from './group-name.ts';

/**
 * Identifiers are used as YAML keys, Redis key parts, file names under
 * generated/ and Prometheus label values, so they are kept to a portable set.
 */
export const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit (max 63 chars)');

/** A model group name: what clients send as `model` (see group-name.ts). Deployment, provider and tenant ids stay Ids. */
export const GroupName = z.string().regex(GROUP_NAME_PATTERN, GROUP_NAME_RULE);

/** A duration written the way Prometheus and most ops tools write it: 500ms, 30s, 10m, 2h, 1d. */
export const Duration = z.string().regex(DURATION_PATTERN, 'must be a duration such as 500ms, 30s, 10m, 2h or 1d');

export { durationMs } from './duration.ts';

/**
 * Secrets are never written into policies: only a reference to where the
 * runtime finds them. `env:NAME` reads an environment variable,
 * `vault:path#field` a field of a Vault KV secret.
 */
export const SECRET_REF_PATTERN = /^(env:[A-Za-z_][A-Za-z0-9_]*|vault:[A-Za-z0-9_./-]+#[A-Za-z0-9_.-]+)$/;
export const SecretRef = z.string().regex(SECRET_REF_PATTERN, 'must be a secret reference (env:NAME or vault:path#field), never a literal secret');

/** A setting read from the environment where the proxy or gateway runs (`env:NAME`): endpoints that differ per environment. */
export const ENV_REF_PATTERN = /^env:[A-Za-z_][A-Za-z0-9_]*$/;

export const PositiveInt = z.number().int().positive();
export const NonNegativeNumber = z.number().nonnegative().finite();
export const Fraction = z.number().min(0).max(1);
