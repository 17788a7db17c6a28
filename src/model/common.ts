import { z } from 'zod';
import { DURATION_PATTERN, durationMs } from './duration.ts';
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

/** The longest duration a policy may write: longer than any timeout, window or alert delay makes sense, and far inside what Prometheus parses. */
const MAX_DURATION = '30d';

/**
 * A duration written the way Prometheus and most ops tools write it: 500ms,
 * 30s, 10m, 2h, 1d; more than zero and at most 30 days (a zero window
 * divides by zero, a huge one overflows Prometheus's duration parser).
 */
export const Duration = z
  .string()
  .regex(DURATION_PATTERN, 'must be a duration such as 500ms, 30s, 10m, 2h or 1d')
  .superRefine((d, ctx) => {
    if (!DURATION_PATTERN.test(d)) return; // the format is reported above
    const ms = durationMs(d);
    if (ms === 0) ctx.addIssue({ code: 'custom', message: 'must be longer than zero, e.g. 500ms or 30s' });
    else if (!(ms <= durationMs(MAX_DURATION))) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_DURATION}` });
  });

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

/**
 * Sane upper bounds of counts and sizes: far above any real deployment,
 * far below what turns the capacity or cost arithmetic into Infinity or the
 * generated files into numbers their readers refuse (1e300 GB of VRAM).
 */
export const LIMITS = {
  /** Tokens in a context window or a request. */
  tokens: 10_000_000,
  /** Requests or tokens per minute. */
  perMinute: 10_000_000_000,
  /** USD per million tokens. */
  pricePer1M: 100_000,
  /** USD per month. */
  budgetUsd: 1_000_000_000,
  /** GB of memory on one GPU. */
  vramGb: 1024,
  /** GPUs in a pool or a tensor-parallel group. */
  gpus: 4096,
} as const;

/** A whole number from 1 to `max`. */
export const Count = (max: number) => PositiveInt.max(max);

/**
 * Characters no policy string may hold: C0 and C1 controls (newline, tab,
 * NUL, ESC), DEL, Unicode line and paragraph separators and the
 * bidirectional overrides. They would end a comment or a line in a generated
 * file, hide text from a reviewer, or make a terminal run escape codes.
 */
const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
export const CONTROL_CHARACTER = new RegExp(`[${CONTROL}]`);
export const NO_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL}]*$`);
export const NO_CONTROL_MESSAGE = 'must not contain control characters (newline, tab, NUL, ESC) or bidirectional overrides';

/** One line of free text (a description, a GPU model name), at most `max` characters. */
export const Text = (max: number) => z.string().max(max).regex(NO_CONTROL_CHARACTERS, NO_CONTROL_MESSAGE);

/** A description: free text on one line. */
export const Description = Text(1000);

/**
 * A model name as an upstream API or LiteLLM reads it (`gpt-4o`,
 * `ft:gpt-4o-mini:org::id`, `anthropic.claude-3-5-sonnet`): no whitespace or
 * control characters, and not starting with `-`, which a tool reading flags
 * would take for an option.
 */
export const ModelName = z
  .string()
  .min(1)
  .max(256)
  .regex(new RegExp(`^[^\\s${CONTROL}]*$`), 'must not contain whitespace or control characters')
  .regex(/^[^-]/, 'must not start with "-" (a tool would read it as an option)');

/** The policy's name: it titles every generated file, the dashboard and the runbooks. */
export const PolicyName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9 ._-]*)?$/, 'must be letters, digits, spaces, ".", "_" or "-", starting with a letter or digit');

/**
 * An http(s) base URL on one line. A URL with credentials in it is a literal
 * secret, which the loader reports separately.
 */
export const HttpUrl = z
  .string()
  .max(2048)
  .regex(new RegExp(`^[^\\s${CONTROL}]*$`), 'must not contain whitespace or control characters')
  .url()
  // (a string that is no URL at all is reported by .url() alone)
  .refine((u) => !URL.canParse(u) || /^https?:\/\//i.test(u), 'must be an http:// or https:// URL');

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * An IPv4 address in dotted decimal, or an IPv6 address as the WHATWG URL
 * parser reads one between brackets. No node: import here: the model is
 * loaded (and type-checked) in policy repositories that have no Node types.
 */
const isIpAddress = (h: string): boolean => IPV4.test(h) || (/^[0-9A-Fa-f:.]+$/.test(h) && h.includes(':') && URL.canParse(`http://[${h}]/`));

/** A host name or an IPv4 or IPv6 address: what a server binds to or a client dials, never a flag or a command. */
export const Host = z
  .string()
  .min(1)
  .max(253)
  .refine((h) => HOSTNAME.test(h) || isIpAddress(h), 'must be a host name or an IP address (letters, digits, "-" and "." only)');
