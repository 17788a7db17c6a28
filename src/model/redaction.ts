import { z } from 'zod';
import { Id } from './common.ts';

/**
 * Built-in PII detectors of the batch runner (src/batch/redact/detectors):
 * each finds one kind of personal data and replaces it with a typed
 * placeholder such as `[EMAIL_1]`. Payment cards are confirmed with the Luhn
 * check and IBANs with their ISO 13616 checksum, so ordinary numbers stay.
 */
export const PII_DETECTORS = ['email', 'phone', 'payment_card', 'iban', 'ip_address', 'us_ssn'] as const;
export const PiiDetector = z.enum(PII_DETECTORS);
export type PiiDetector = z.infer<typeof PiiDetector>;

export const RedactionRule = z
  .object({
    name: Id,
    /** ECMAScript regular expression matched against every string in a request body. */
    pattern: z.string().min(1).max(1_000),
    /** Written in place of each match, literally (`$&` and `$1` are not expanded). */
    replacement: z.string().max(200).default('[REDACTED]'),
  })
  .strict();
export type RedactionRule = z.infer<typeof RedactionRule>;

/** What a batch profile removes from request bodies before they leave for the provider. */
export const Redaction = z
  .object({
    enabled: z.boolean(),
    /** Built-in detectors to run; all of them when omitted. */
    detectors: z.array(PiiDetector).optional(),
    /** The profile's own patterns, applied in addition to the detectors. */
    rules: z.array(RedactionRule).default([]),
    /**
     * Keep a local map from each placeholder to the value it replaced, so that
     * `switchyard batch collect` can put the values back into the answers. The
     * map never leaves the machine; without it, exports stay redacted.
     */
    reidentify: z.boolean().default(false),
  })
  .strict();
export type Redaction = z.infer<typeof Redaction>;
