/**
 * `serve --bundle`: the gateway serves the current version of a publish
 * target and follows it. Each new current version (a publish or a rollback)
 * is read whole and verified (every file's sha256, the plan's own hash)
 * before its plan is swapped in; a version that fails to verify or to load
 * is logged and skipped, and the gateway keeps serving the plan it has until
 * the target's current version changes again. A version whose plan moves the
 * router state to a Redis that does not answer is tried again at every check
 * meanwhile (the Redis may be on its way up).
 */
import { SwitchyardError } from '../errors.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { type CanaryRecord, parseCanaryRecord } from '../publish/canary.ts';
import { type Follower, followCurrent } from '../publish/follow.ts';
import { readBundle } from '../publish/read.ts';
import { type Target, TargetError } from '../publish/target.ts';
import type { Logger } from './log.ts';
import type { ReloadResult } from './reload.ts';
import type { ServingSecrets } from './secrets.ts';
import { StateStoreUnreachableError } from './state-store.ts';

export interface BundleFollowOptions {
  target: Target;
  /** The version served now. */
  version: string;
  reload(plan: CompiledPlan, secrets: ServingSecrets): Promise<ReloadResult>;
  /** Resolves a plan's secret references (a new plan may name new keys). */
  secretsFor(plan: CompiledPlan): Promise<ServingSecrets>;
  log: Logger;
  pollMs?: number;
  /** Follow the target's canary record too (publish --canary, switchyard canary promote|abort). */
  canary?: CanaryControl;
  /** Told the outcome of every reload tried (switchyard_plan_reloads_total). */
  onReload?(outcome: 'success' | 'failure'): void;
}

/** What the follower drives of the gateway's canary. */
export interface CanaryControl {
  /** The canary the gateway runs (or ran last). */
  current(): { version: string; status: string } | null;
  start(plan: CompiledPlan, secrets: ServingSecrets, version: string, percent: number): Promise<void>;
  promote(): Promise<boolean>;
  end(status: 'rolled-back' | 'aborted', reason: string): boolean;
}

export interface BundleFollower {
  /** The version served now. */
  version(): string;
  /** Reloads (or failures to) so far. */
  counts(): { reloads: number; failures: number };
  close(): Promise<void>;
}

export function followBundle(o: BundleFollowOptions): BundleFollower {
  let served = o.version;
  let reloads = 0;
  let failures = 0;
  let lastError = '';

  async function onCurrent(version: string | null): Promise<void> {
    if (version === null) {
      o.log({ msg: 'bundle target has no current version: keeping the plan served', target: o.target.display, version: served });
      return;
    }
    if (version === served) return;
    const started = performance.now();
    try {
      const bundle = await readBundle(o.target, version);
      const r = await o.reload(bundle.plan, await o.secretsFor(bundle.plan));
      const previous = served;
      served = version;
      reloads++;
      // Trouble logged before is over: the same again later is news.
      lastError = '';
      o.onReload?.('success');
      o.log({
        msg: 'plan reloaded',
        version,
        previous,
        hash: r.hash,
        previousHash: r.previousHash,
        carried: r.carried,
        ms: Math.round(performance.now() - started),
      });
    } catch (e) {
      failures++;
      o.onReload?.('failure');
      if (e instanceof StateStoreUnreachableError) {
        // Thrown on, so the next check offers this version again; said once until the trouble changes (onError below keeps quiet about it).
        if (e.message !== lastError) o.log({ msg: 'plan reload failed: keeping the plan served, trying again', version, served, error: e.message });
        lastError = e.message;
        throw e;
      }
      // A bundle that does not verify or a plan the gateway cannot serve stays bad: skipped until current changes.
      // Anything else (the target unreachable mid-read) is tried again at the next check.
      if (!(e instanceof SwitchyardError) || e instanceof TargetError) throw e;
      o.log({ msg: 'plan reload failed: keeping the plan served', version, served, error: (e as Error).message });
    }
  }

  async function onCanary(text: string | null): Promise<void> {
    const control = o.canary;
    if (control === undefined || text === null) return;
    let record: CanaryRecord;
    try {
      record = parseCanaryRecord(text, o.target.display);
    } catch (e) {
      o.log({ msg: 'canary record unreadable: ignored', error: (e as Error).message });
      return;
    }
    const mine = control.current();
    const runningHere = mine !== null && mine.status === 'running' && mine.version === record.version;
    if (record.status === 'running') {
      if (runningHere) return;
      if (mine !== null && mine.status === 'running') control.end('aborted', `replaced by canary ${record.version}`);
      try {
        const bundle = await readBundle(o.target, record.version);
        await control.start(bundle.plan, await o.secretsFor(bundle.plan), record.version, record.percent);
        o.log({ msg: 'canary started', version: record.version, percent: record.percent, hash: bundle.plan.hash });
      } catch (e) {
        if (!(e instanceof SwitchyardError) || e instanceof TargetError) throw e;
        o.log({ msg: 'canary not started', version: record.version, error: (e as Error).message });
      }
      return;
    }
    if (!runningHere) return;
    if (record.status === 'promoted') {
      if (await control.promote()) o.log({ msg: 'canary promoted', version: record.version });
    } else if (control.end(record.status, record.reason ?? record.status))
      o.log({ msg: `canary ${record.status}`, version: record.version, reason: record.reason });
  }

  const follower: Follower = followCurrent(o.target, {
    initial: o.version,
    onCurrent,
    onCanary,
    onError(message) {
      // The same trouble on every poll is logged once, until it changes.
      if (message === lastError) return;
      lastError = message;
      o.log({ msg: 'bundle target unreadable: keeping the plan served', target: o.target.display, error: message });
    },
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
  });

  return {
    version: () => served,
    counts: () => ({ reloads, failures }),
    close: () => follower.close(),
  };
}
