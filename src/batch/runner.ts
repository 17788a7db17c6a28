/**
 * What every batch command shares once the plan is read: the journal, the
 * Batch API client of each provider (made when first needed), the clock and
 * the progress log. Commands are functions of this context, so tests drive
 * them in-process against the emulator and the CLI is a thin shell.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledPlan, PlanBatchProfile } from '../plan/types.ts';
import { type BatchApi, type ClientOptions, createBatchApi } from './client.ts';
import type { Journal, JobRecord } from './journal.ts';
import { MANIFEST_FILE, readManifest, type PreparedManifest } from './prepare/manifest.ts';
import { profileOf } from './profile.ts';
import { BatchError } from './errors.ts';

export interface RunnerContext {
  plan: CompiledPlan;
  journal: Journal;
  api(profile: PlanBatchProfile): Promise<BatchApi>;
  /** Epoch milliseconds. */
  now(): number;
  log(line: string): void;
}

export function runnerContext(p: {
  plan: CompiledPlan;
  journal: Journal;
  client?: ClientOptions;
  now?: () => number;
  log?: (line: string) => void;
  /** Replaces the SDK client (tests of failure paths). */
  apiFor?: (profile: PlanBatchProfile) => Promise<BatchApi>;
}): RunnerContext {
  const apis = new Map<string, Promise<BatchApi>>();
  return {
    plan: p.plan,
    journal: p.journal,
    api(profile) {
      let a = apis.get(profile.provider);
      if (!a) {
        a = p.apiFor ? p.apiFor(profile) : createBatchApi(p.plan, profile, p.client);
        apis.set(profile.provider, a);
        a.catch(() => apis.delete(profile.provider));
      }
      return a;
    },
    now: p.now ?? Date.now,
    log: p.log ?? (() => {}),
  };
}

export interface PreparedDir {
  dir: string;
  manifest: PreparedManifest;
  /** sha256 of manifest.json: which preparation of the directory the jobs belong to. */
  manifestSha: string;
  profile: PlanBatchProfile;
}

/** A prepared directory, checked against the plan: the profile must still send the same model to the same endpoint and provider. */
export async function openPrepared(ctx: RunnerContext, dir: string): Promise<PreparedDir> {
  let abs: string;
  try {
    abs = await realpath(dir);
  } catch {
    throw new BatchError(`${dir} does not exist; run switchyard batch prepare first`);
  }
  const manifest = await readManifest(abs);
  const profile = profileOf(ctx.plan, manifest.profile);
  for (const k of ['provider', 'endpoint', 'model'] as const)
    if (manifest[k] !== profile[k])
      throw new BatchError(
        `${dir} was prepared for ${k} ${JSON.stringify(manifest[k])} but profile ${profile.id} now uses ${JSON.stringify(profile[k])}; prepare it again`,
      );
  const manifestSha = createHash('sha256')
    .update(await readFile(join(abs, MANIFEST_FILE)))
    .digest('hex');
  return { dir: abs, manifest, manifestSha, profile };
}

/** The journal's jobs for a prepared directory: its parts (round 0) and its retries, in round and part order. */
export async function jobsOf(ctx: RunnerContext, p: PreparedDir): Promise<JobRecord[]> {
  return (await ctx.journal.list())
    .filter((r) => r.dir === p.dir && r.manifest === p.manifestSha)
    .sort((a, b) => a.round - b.round || (a.part < b.part ? -1 : a.part > b.part ? 1 : 0));
}
