/**
 * Runs the risk rules from a bundle built by OPA itself
 * (`opa build -t wasm -e switchyard/risk policies/risk`), through OPA's own
 * JavaScript SDK for Wasm policies. For teams that want the exact OPA
 * semantics, or that already ship bundles.
 */
import { readFile } from 'node:fs/promises';
import { InputFileError, inputFileProblem } from '../fs/input-file.ts';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import * as tar from 'tar';
import { findingsFromResult } from './findings.ts';
import { RISK_PACKAGE, type PolicyEngine, type RiskFinding, type RiskInput } from './types.ts';

/** An OPA Wasm bundle of the risk rules is a few MB; the cap applies to the file and to what it unpacks to. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

export interface WasmBundle {
  wasm: Uint8Array;
  data: unknown;
}

/** Reads `/policy.wasm` and `/data.json` from a bundle.tar.gz, or takes a bare .wasm file. */
export async function readWasmBundle(file: string): Promise<WasmBundle> {
  const problem = inputFileProblem(file, MAX_BUNDLE_BYTES, 'bundle');
  if (problem) throw problem;
  if (file.endsWith('.wasm')) return { wasm: await readFile(file), data: {} };
  const files = new Map<string, Buffer>();
  // Only the two files the engine reads are kept, and no more than MAX_BUNDLE_BYTES of them once unpacked (a gzip bomb stops there).
  let unpacked = 0;
  let tooBig = false;
  await tar.t({
    file,
    onReadEntry: (entry) => {
      const name = entry.path.replace(/^\.?\//, '');
      if (name !== 'policy.wasm' && name !== 'data.json') return entry.resume();
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => {
        unpacked += c.length;
        if (unpacked > MAX_BUNDLE_BYTES) tooBig = true;
        else chunks.push(c);
      });
      entry.on('end', () => files.set(name, Buffer.concat(chunks)));
    },
  });
  if (tooBig) throw new InputFileError(`bundle ${file} unpacks to more than the ${MAX_BUNDLE_BYTES / (1024 * 1024)} MiB allowed`, 'too-large');
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new Error(`${file} has no policy.wasm: build it with opa build -t wasm -e ${RISK_PACKAGE.replace('.', '/')} policies/risk`);
  const data = files.get('data.json');
  return { wasm, data: data ? JSON.parse(data.toString('utf8')) : {} };
}

export async function createOpaWasmEngine(bundleFile: string): Promise<PolicyEngine> {
  const bundle = await readWasmBundle(bundleFile);
  const policy = await loadPolicy(bundle.wasm);
  policy.setData((bundle.data ?? {}) as object);
  const entrypoint = RISK_PACKAGE.replace(/\./g, '/');
  if (!(entrypoint in (policy.entrypoints as Record<string, number>)))
    throw new Error(`${bundleFile} has no entrypoint ${entrypoint} (it has: ${Object.keys(policy.entrypoints).join(', ')})`);
  return {
    name: 'opa-wasm',
    async evaluate(input: RiskInput): Promise<RiskFinding[]> {
      const results = policy.evaluate(input, entrypoint) as Array<{ result?: Record<string, unknown> }>;
      return findingsFromResult(results[0]?.result ?? {});
    },
  };
}
