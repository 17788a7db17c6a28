/**
 * The canary record kept beside the bundles of a target: which version runs
 * as a canary, on what share of traffic, and how it ended (rolled back on its
 * own, with the gateway's reason; promoted; aborted). Gateways write it when
 * they decide; people read it (`switchyard bundles` shows versions, this
 * shows the canary).
 */
import { SwitchyardError } from '../errors.ts';
import { withStore } from './store.ts';
import type { Target } from './target.ts';

export type CanaryStatus = 'running' | 'rolled-back' | 'promoted' | 'aborted';

export interface CanaryRecord {
  version: string;
  percent: number;
  status: CanaryStatus;
  /** Why it ended (the gateway's verdict for a rollback); null while running. */
  reason: string | null;
  /** ISO time of the last change. */
  at: string;
}

const STATUSES: readonly CanaryStatus[] = ['running', 'rolled-back', 'promoted', 'aborted'];
const MAX_REASON = 500;

/** A record that does not parse. */
class CanaryRecordError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'canary-record');
  }
}

export function parseCanaryRecord(text: string, where: string): CanaryRecord {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CanaryRecordError(`${where}: the canary record is not JSON`);
  }
  const ok =
    typeof v === 'object' &&
    v !== null &&
    typeof v.version === 'string' &&
    typeof v.percent === 'number' &&
    STATUSES.includes(v.status as CanaryStatus) &&
    (v.reason === null || typeof v.reason === 'string') &&
    typeof v.at === 'string';
  if (!ok) throw new CanaryRecordError(`${where}: the canary record is damaged`);
  return {
    version: v.version as string,
    percent: v.percent as number,
    status: v.status as CanaryStatus,
    reason: v.reason as string | null,
    at: v.at as string,
  };
}

export const canaryRecordText = (r: CanaryRecord): string =>
  `${JSON.stringify({ ...r, reason: r.reason === null ? null : r.reason.replace(/[\r\n]+/g, ' ').slice(0, MAX_REASON) }, null, 2)}\n`;

export async function readCanaryRecord(target: Target): Promise<CanaryRecord | null> {
  return withStore(target, async (store) => {
    const text = await store.canaryText();
    return text === null ? null : parseCanaryRecord(text, target.display);
  });
}

export async function writeCanaryRecord(target: Target, record: CanaryRecord): Promise<void> {
  await withStore(target, (store) => store.setCanaryText(canaryRecordText(record)));
}
