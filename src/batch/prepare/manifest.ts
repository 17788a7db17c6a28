/**
 * The prepared directory: `manifest.json` (what was prepared, for which
 * profile, split how), the part files, `rejects.jsonl` (line numbers and
 * reasons, never content) and, for profiles that allow re-identification,
 * `reidentify/<part>.jsonl` with the placeholder -> value map of each
 * request (mode 0600; it is never uploaded). Submit and collect read the
 * manifest back and trust nothing in it they have not checked.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchError } from '../errors.ts';
import type { Estimate } from './estimate.ts';
import type { Source } from './input.ts';
import type { PartInfo } from './split.ts';

export const MANIFEST_FILE = 'manifest.json';
export const REJECTS_FILE = 'rejects.jsonl';
export const REIDENTIFY_DIR = 'reidentify';
export const RESULTS_FILE = 'results.jsonl';
const GENERATED_BY = 'switchyard batch prepare';
const PART_FILE = /^part-[0-9]{4}\.jsonl$/;

export interface PreparedManifest {
  generatedBy: typeof GENERATED_BY;
  version: 1;
  profile: string;
  provider: string;
  endpoint: string;
  model: string;
  plan: { name: string; hash: string };
  input: { kind: 'jsonl' | 'directory'; name: string };
  requests: number;
  rejected: number;
  parts: PartInfo[];
  /** Directory input: the file of each request, by index (custom_id `file-<n>` is files[n-1]). */
  files: string[] | null;
  /** Values replaced, by detector or rule. */
  redactions: Record<string, number>;
  /** A placeholder map was kept under reidentify/. */
  reidentify: boolean;
  estimate: Estimate;
}

export const customIdOf = (s: Source) => ('line' in s ? `line-${s.line}` : `file-${s.index}`);

export function newManifest(m: Omit<PreparedManifest, 'generatedBy' | 'version'>): PreparedManifest {
  return { generatedBy: GENERATED_BY, version: 1, ...m };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks a prepared directory's manifest; a one-line BatchError when it is not one. */
export async function readManifest(dir: string): Promise<PreparedManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new BatchError(`${dir} is not a prepared batch directory (no ${MANIFEST_FILE}); run switchyard batch prepare first`);
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new BatchError(`${path} is not valid JSON; prepare the batch again`);
  }
  const bad = (what: string) => new BatchError(`${path}: ${what}; prepare the batch again`);
  if (!isObject(m) || m.generatedBy !== GENERATED_BY || m.version !== 1) throw bad('not written by this version of switchyard batch prepare');
  for (const k of ['profile', 'provider', 'endpoint', 'model'] as const) if (typeof m[k] !== 'string') throw bad(`"${k}" is missing`);
  if (!Array.isArray(m.parts) || m.parts.length === 0) throw bad('no part files are listed');
  for (const p of m.parts as unknown[]) {
    if (!isObject(p) || typeof p.file !== 'string' || !PART_FILE.test(p.file) || typeof p.requests !== 'number' || typeof p.bytes !== 'number')
      throw bad('a part entry is malformed');
  }
  if (m.files !== null && !(Array.isArray(m.files) && m.files.every((f) => typeof f === 'string'))) throw bad('"files" is malformed');
  return m as unknown as PreparedManifest;
}
