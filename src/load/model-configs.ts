/**
 * The config.json files a policy's `models` point to (`configFile`), read
 * here, at the edge, so the compiler stays pure: each becomes the
 * declaration's `architecture` (and `quantization`, when the checkpoint is
 * quantized), or a Diagnostic at `models[i].configFile`.
 *
 * The path comes from a policy, so it is treated as hostile: resolved against
 * the policy entry's directory, it must stay inside that directory after
 * symlinks are followed, be a regular file of at most MAX_CONFIG_BYTES, and
 * be read within READ_TIMEOUT_MS; it is opened non-blocking, so a FIFO put in
 * its place cannot hang the compiler.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { architectureFromHfConfig } from '../plan/capacity/hf-config.ts';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath } from '../diagnostics/path.ts';
import { type Architecture, NOT_DENSE_CONSEQUENCE, NOT_DENSE_HINT } from '../model/model-declaration.ts';
import type { Policy } from '../model/policy.ts';

/** A Hugging Face config.json is a few kilobytes; this leaves room for long ones and nothing else. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const READ_TIMEOUT_MS = 5_000;

type Read = { ok: true; text: string } | { ok: false; why: string };

async function readBounded(baseDir: string, rel: string): Promise<Read> {
  const base = await realpath(baseDir);
  let real: string;
  try {
    real = await realpath(resolve(baseDir, rel));
  } catch {
    return { ok: false, why: 'no such file' };
  }
  const inside = relative(base, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return { ok: false, why: "it leads outside the policy's directory" };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { ok: false, why: `it cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, why: 'it is not a regular file' };
    if (stat.size > MAX_CONFIG_BYTES) return { ok: false, why: `it is ${stat.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit for a config.json` };
    const text = await handle.readFile({ encoding: 'utf8', signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return { ok: false, why: `it grew over the ${MAX_CONFIG_BYTES}-byte limit while being read` };
    return { ok: true, text };
  } catch (e) {
    return { ok: false, why: (e as Error).name === 'AbortError' ? `reading it took over ${READ_TIMEOUT_MS} ms` : 'it cannot be read' };
  } finally {
    await handle.close();
  }
}

/**
 * Fills in the architecture of every declaration with a configFile; the
 * policy is changed in place (it is the loader's own, freshly validated
 * copy). `entryFile` is the policy entry; configFile paths are relative to
 * its directory.
 */
export async function resolveModelConfigs(policy: Policy, entryFile: string): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const baseDir = dirname(entryFile);
  for (const [i, m] of policy.models.entries()) {
    if (m.configFile === undefined || m.architecture !== undefined) continue;
    const at = formatPath(['models', i, 'configFile']);
    const read = await readBounded(baseDir, m.configFile);
    if (!read.ok) {
      out.push(
        diagnostic(
          'error',
          'model-config-unreadable',
          `configFile ${JSON.stringify(m.configFile)} of model ${JSON.stringify(m.id)} cannot be used: ${read.why}`,
          at,
          {
            hint: "give the path of the model's config.json relative to the policy entry's directory, inside it",
          },
        ),
      );
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(read.text);
    } catch (e) {
      out.push(
        diagnostic('error', 'model-config-invalid', `configFile ${JSON.stringify(m.configFile)} is not valid JSON: ${(e as Error).message.split('\n')[0]}`, at),
      );
      continue;
    }
    const r = architectureFromHfConfig(json);
    if (!r.ok) {
      out.push(
        r.kind === 'not-dense'
          ? diagnostic('error', 'model-not-dense', `model ${JSON.stringify(m.id)} is ${r.reason}: ${NOT_DENSE_CONSEQUENCE}`, at, { hint: NOT_DENSE_HINT })
          : diagnostic('error', 'model-config-invalid', `configFile ${JSON.stringify(m.configFile)} of model ${JSON.stringify(m.id)}: ${r.reason}`, at),
      );
      continue;
    }
    const a = r.architecture;
    if (m.quantization !== undefined && m.quantization !== (a.quantization ?? undefined)) {
      out.push(
        diagnostic(
          'error',
          'model-quantization-mismatch',
          `model ${JSON.stringify(m.id)} says quantization ${JSON.stringify(m.quantization)}, but its config.json ${a.quantization ? `says ${JSON.stringify(a.quantization)}` : 'has no quantization_config'}`,
          formatPath(['models', i, 'quantization']),
          { hint: 'leave quantization out: it is read from the config.json' },
        ),
      );
      continue;
    }
    const architecture: Architecture = {
      layers: a.layers,
      attentionHeads: a.attentionHeads,
      kvHeads: a.kvHeads,
      headDim: a.headDim,
      hiddenSize: a.hiddenSize,
      intermediateSize: a.intermediateSize,
      vocabSize: a.vocabSize,
      maxPositionEmbeddings: a.maxPositionEmbeddings,
      dtype: a.torchDtype,
      tiedEmbeddings: a.tiedEmbeddings,
      parameters: a.parameters,
    };
    m.architecture = architecture;
    if (a.quantization !== undefined) m.quantization = a.quantization;
  }
  return out;
}
