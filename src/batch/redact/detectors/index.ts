/** The built-in detectors by name (the policy's `redaction.detectors`), in the order they run: the order breaks ties between overlapping finds. */
import type { Detector } from '../types.ts';
import { email } from './email.ts';
import { iban } from './iban.ts';
import { ipAddress } from './ip-address.ts';
import { paymentCard } from './payment-card.ts';
import { phone } from './phone.ts';
import { usSsn } from './us-ssn.ts';

const DETECTORS: readonly Detector[] = [email, iban, paymentCard, usSsn, ipAddress, phone];

export function detectorsByName(names: readonly string[]): Detector[] {
  const known = new Map(DETECTORS.map((d) => [d.name, d]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new Error(`unknown PII detector ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  return DETECTORS.filter((d) => names.includes(d.name));
}
