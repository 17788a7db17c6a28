/**
 * A bundle: the files of one `generated/` directory, frozen under a version
 * id, with a manifest naming the plan hash, the git commit and the sha256 of
 * every file. Pure functions only; the stores in this folder do the I/O.
 */
import { EXIT, SwitchyardError } from '../errors.ts';
import { relativePathProblem } from '../fs/below-root.ts';
import { sha256 } from '../load/write.ts';
import { parsePlan } from '../plan/read.ts';
import type { CompiledPlan } from '../plan/types.ts';

const BUNDLE_FORMAT = 1 as const;
/** The file every bundle must hold; its hash must equal the manifest's planHash. */
export const PLAN_FILE = 'plan.json';

export interface BundleManifest {
  bundleFormat: typeof BUNDLE_FORMAT;
  version: string;
  planName: string;
  planHash: string;
  commit: string | null;
  createdAt: string;
  /** Path (relative, POSIX) -> "sha256:<hex>", sorted by path. */
  files: Record<string, string>;
}

/** What a store hands back before verification: the manifest text and the raw bytes of every file. */
export interface RawBundle {
  version: string;
  manifestText: string;
  files: Map<string, Buffer>;
}

/** A bundle whose every file matched its manifest. */
export interface Bundle {
  version: string;
  manifest: BundleManifest;
  plan: CompiledPlan;
  /** File contents (UTF-8) by path, plan.json included. */
  files: Map<string, string>;
}

/** A bundle that does not match its manifest, or a manifest that is damaged. The message names the file. */
export class BundleIntegrityError extends SwitchyardError {
  constructor(message: string) {
    super(`refusing bundle: ${message}`, 'bundle-integrity', { exitCode: EXIT.policy });
  }
}

/** The version asked for is not in the target. */
export class UnknownVersionError extends SwitchyardError {
  constructor(
    readonly version: string,
    readonly known: readonly string[],
    target: string,
  ) {
    super(
      `no bundle version ${JSON.stringify(version)} in ${target}` +
        (known.length
          ? `; known versions: ${known.slice(-5).join(', ')}${known.length > 5 ? ` (and ${known.length - 5} older)` : ''}`
          : '; it holds no bundles'),
      'unknown-bundle-version',
    );
  }
}

export { sha256 };

/**
 * Version ids: `<UTC time to the millisecond>-<12 hex of the plan hash>`,
 * e.g. `20250301T101500.123Z-3a690924f5de`. Fixed width, so string order is
 * time order; a new version is never allowed to sort before the latest one
 * (clock skew, two publishes in one millisecond), so string order is also
 * publish order.
 */
const VERSION_RE = /^(\d{8}T\d{6}\.\d{3}Z)-([0-9a-f]{12})$/;

export const isVersion = (v: string): boolean => VERSION_RE.test(v);

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, ''); // 20250301T101500.123Z
}

function stampMs(version: string): number {
  const m = VERSION_RE.exec(version);
  if (!m) return Number.NaN;
  const s = m[1]!;
  return Date.parse(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13)}`);
}

/** The id of a new version published at `nowMs`, sorting after `latest`. */
export function nextVersion(planHash: string, nowMs: number, latest: string | null): string {
  const short = planHash.replace(/^sha256:/, '').slice(0, 12);
  const after = latest === null ? Number.NEGATIVE_INFINITY : stampMs(latest);
  return `${stamp(Math.max(nowMs, Number.isNaN(after) ? nowMs : after + 1))}-${short}`;
}

function checkBundlePath(p: string): void {
  if (relativePathProblem(p)) throw new BundleIntegrityError(`bundle file path must be relative and normalized: ${JSON.stringify(p)}`);
}

const byKey = <T>(entries: Iterable<[string, T]>): Array<[string, T]> => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Manifest for a set of files; `plan.json` among them must be a valid plan. */
export function buildManifest(files: ReadonlyMap<string, Buffer>, meta: { version: string; commit: string | null; createdAt: string }): BundleManifest {
  const planBytes = files.get(PLAN_FILE);
  if (!planBytes) throw new BundleIntegrityError(`a bundle needs ${PLAN_FILE}`);
  const plan = parsePlan(planBytes.toString('utf8'));
  const hashes: Record<string, string> = {};
  for (const [path, bytes] of byKey(files)) {
    checkBundlePath(path);
    hashes[path] = sha256(bytes);
  }
  return {
    bundleFormat: BUNDLE_FORMAT,
    version: meta.version,
    planName: plan.name,
    planHash: plan.hash,
    commit: meta.commit,
    createdAt: meta.createdAt,
    files: hashes,
  };
}

export const manifestText = (m: BundleManifest): string => `${JSON.stringify(m, null, 2)}\n`;

/** Parses a manifest; throws BundleIntegrityError naming `where` when it is not one. */
export function parseManifest(text: string, where: string): BundleManifest {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BundleIntegrityError(`${where}: manifest is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const m = v as Partial<BundleManifest> | null;
  const bad = (what: string) => new BundleIntegrityError(`${where}: manifest ${what}`);
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw bad('must be a JSON object');
  if (m.bundleFormat !== BUNDLE_FORMAT) throw bad(`has bundleFormat ${JSON.stringify(m.bundleFormat)}; this version reads ${BUNDLE_FORMAT}`);
  if (typeof m.version !== 'string' || !isVersion(m.version)) throw bad('has no valid version');
  if (typeof m.planHash !== 'string' || typeof m.planName !== 'string') throw bad('has no planHash or planName');
  if (m.commit !== null && typeof m.commit !== 'string') throw bad('commit must be a string or null');
  if (typeof m.createdAt !== 'string') throw bad('has no createdAt');
  if (typeof m.files !== 'object' || m.files === null || Array.isArray(m.files)) throw bad('has no files object');
  for (const [p, h] of Object.entries(m.files)) {
    if (typeof h !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(h)) throw bad(`lists ${p} without a sha256`);
  }
  return m as BundleManifest;
}

/**
 * Checks a bundle against its manifest: the version it is stored under, the
 * exact file set, every file's sha256, and plan.json (parsePlan verifies the
 * plan's own hash, which must equal the manifest's planHash).
 */
export function verifyBundle(raw: RawBundle, target: string): Bundle {
  const where = `bundle ${raw.version} in ${target}`;
  const manifest = parseManifest(raw.manifestText, where);
  if (manifest.version !== raw.version) throw new BundleIntegrityError(`${where}: manifest says version ${manifest.version}`);
  for (const path of Object.keys(manifest.files)) {
    if (!raw.files.has(path)) throw new BundleIntegrityError(`${where}: ${path} is listed in the manifest but missing`);
  }
  for (const [path, bytes] of raw.files) {
    const want = manifest.files[path];
    if (want === undefined) throw new BundleIntegrityError(`${where}: ${path} is not listed in the manifest`);
    const got = sha256(bytes);
    if (got !== want)
      throw new BundleIntegrityError(`${where}: ${path} does not match the manifest (sha256 ${got.slice(7, 19)}…, manifest ${want.slice(7, 19)}…)`);
  }
  const planBytes = raw.files.get(PLAN_FILE);
  if (!planBytes) throw new BundleIntegrityError(`${where}: ${PLAN_FILE} is missing`);
  let plan: CompiledPlan;
  try {
    plan = parsePlan(planBytes.toString('utf8'));
  } catch (e) {
    throw new BundleIntegrityError(`${where}: ${PLAN_FILE}: ${(e as Error).message}`);
  }
  if (plan.hash !== manifest.planHash) throw new BundleIntegrityError(`${where}: ${PLAN_FILE} has plan hash ${plan.hash}, manifest says ${manifest.planHash}`);
  const files = new Map<string, string>();
  for (const [path, bytes] of byKey(raw.files)) files.set(path, bytes.toString('utf8'));
  return { version: raw.version, manifest, plan, files };
}

/** Same content: same plan hash and the same file set with the same hashes. */
export function sameContent(a: Pick<BundleManifest, 'planHash' | 'files'>, b: Pick<BundleManifest, 'planHash' | 'files'>): boolean {
  if (a.planHash !== b.planHash) return false;
  const ka = Object.keys(a.files);
  if (ka.length !== Object.keys(b.files).length) return false;
  return ka.every((k) => a.files[k] === b.files[k]);
}
