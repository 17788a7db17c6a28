/**
 * Can every engine of a plan start? vLLM refuses to start when its KV cache
 * cannot hold one request of max-model-len tokens, and runs out of memory
 * under load when gpu-memory-utilization leaves the driver no room; both are
 * policy errors here, reported with what would fit instead. Paths are PLAN
 * paths (`pools["pool-c"].models["llama-3.1-70b-instruct"]`); the compiler
 * maps them to policy paths through its origins.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import { closest } from '../../diagnostics/suggest.ts';
import type { PlanPool, PlanPoolModel } from '../types.ts';
import { modelCatalog, sameArchitecture, type ModelArchitecture, type ModelCatalog } from '../../capacity/catalog.ts';
import type { Quantization } from '../../capacity/dtypes.ts';
import { estimateEngine, type EngineConfig, type EngineEstimate } from '../../capacity/estimate.ts';
import { engineConfigFor, engineGpus, type EngineGpus } from '../capacity/engine.ts';

/** Above this the CUDA context, NCCL and allocator fragmentation outside vLLM's accounting have no room left. */
const MAX_GPU_MEMORY_UTILIZATION = 0.98;
const SUGGESTED_QUANTIZATIONS: readonly Quantization[] = ['awq', 'gptq', 'fp8'];
/** Tensor parallelism beyond one 8-GPU host is not something to suggest offhand. */
const MAX_SUGGESTED_TP = 8;

const q = (s: string) => JSON.stringify(s);
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const int = (n: number) => n.toLocaleString('en-US');
const sortedKeys = (o: object) => Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function checkCapacity(pools: Readonly<Record<string, PlanPool>>, catalog: ModelCatalog = modelCatalog()): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const poolId of sortedKeys(pools)) {
    const pool = pools[poolId]!;
    for (const served of sortedKeys(pool.models)) {
      const m = pool.models[served]!;
      const at = (...rest: string[]) => formatPath(['pools', poolId, 'models', served, ...rest]);
      const arch = catalog.find(m.model);
      if (arch === undefined) {
        out.push(unknownModel(m, poolId, at('model'), catalog));
        continue;
      }
      const mismatch = checkpointMismatch(m, poolId, arch, catalog, at);
      if (mismatch !== null) {
        out.push(mismatch);
        continue;
      }
      if (m.capacity.gpuMemoryUtilization > MAX_GPU_MEMORY_UTILIZATION)
        out.push(
          diagnostic(
            'error',
            'gpu-memory-utilization-too-high',
            `gpuMemoryUtilization ${m.capacity.gpuMemoryUtilization} of model ${q(served)} on pool ${q(poolId)} leaves under ${Math.round((1 - MAX_GPU_MEMORY_UTILIZATION) * 100)}% of the GPU for the CUDA context, NCCL and allocator fragmentation, which vLLM does not account for; the engine runs out of memory under load`,
            at('gpuMemoryUtilization'),
            { hint: `use at most ${MAX_GPU_MEMORY_UTILIZATION} (the default is 0.9)` },
          ),
        );
      if (!m.capacity.fits) {
        const config = engineConfigFor(pool, m, pools, catalog)!;
        out.push(doesNotFit(m, poolId, config, engineGpus(pool, m, pools), at()));
      }
    }
  }
  return out;
}

function unknownModel(m: PlanPoolModel, poolId: string, path: string, catalog: ModelCatalog): Diagnostic {
  const known = catalog.ids();
  const near = closest(m.model, known);
  return diagnostic(
    'error',
    'unknown-model',
    `model ${q(m.model)} of pool ${q(poolId)} is not in the capacity catalog, so its GPU memory cannot be checked${near ? ` (did you mean ${q(near)}?)` : ''}`,
    path,
    {
      hint: `declare it under models: { id: ${q(m.model)}, architecture: {...} } or { id: ${q(m.model)}, configFile: 'path/to/config.json' }; known models: ${known.join(', ')}`,
    },
  );
}

/**
 * vLLM loads the weights the checkpoint holds. With `--quantization awq` or
 * `gptq` it reads the method's config from the checkpoint and fails to start
 * when there is none ("Cannot find the config file for awq",
 * get_quant_config, vllm/model_executor/model_loader/weight_utils.py
 * @0a1ee72ed53f07ca8e57e5e82fdbd89734b39026); a quantized checkpoint is loaded
 * quantized whatever the flag says (ModelConfig reads its
 * quantization_config), and refused when the flag names another method. fp8
 * and bitsandbytes also quantize an unquantized checkpoint while loading it
 * (dynamic FP8; bitsandbytes in-flight, docs.vllm.ai features/quantization/bnb).
 */
function checkpointMismatch(
  m: PlanPoolModel,
  poolId: string,
  arch: ModelArchitecture,
  catalog: ModelCatalog,
  at: (...rest: string[]) => string,
): Diagnostic | null {
  const stored = arch.quantization ?? null;
  const asked = m.quantization;
  if (stored === asked) return null;
  if (stored === null && (asked === 'fp8' || asked === 'bitsandbytes')) return null;
  const alternatives = (want: string | null) =>
    catalog
      .ids()
      .map((id) => catalog.find(id)!)
      .filter((c) => (c.quantization ?? null) === want && sameArchitecture(c, arch) && c.id !== arch.id)
      .map((c) => q(c.id));
  if (stored === null) {
    const others = alternatives(asked);
    return diagnostic(
      'error',
      'checkpoint-not-quantized',
      `model ${q(m.servedName)} on pool ${q(poolId)} asks vLLM for quantization ${q(asked!)}, but the checkpoint ${m.model} is not stored as ${asked}: vLLM looks for the method's quantization config in the checkpoint and does not start ("Cannot find the config file for ${asked}")`,
      at('quantization'),
      {
        hint:
          others.length > 0
            ? `serve a checkpoint of the same model stored as ${asked}, e.g. ${others.join(' or ')}`
            : `serve a checkpoint of this model stored as ${asked} (declare it under models with quantization ${q(asked!)})`,
      },
    );
  }
  return diagnostic(
    'error',
    'checkpoint-quantization-mismatch',
    asked === null
      ? `model ${q(m.servedName)} on pool ${q(poolId)} names the checkpoint ${m.model}, stored as ${stored}, without quantization: vLLM loads it as ${stored} while the plan sizes it unquantized`
      : `model ${q(m.servedName)} on pool ${q(poolId)} asks vLLM for quantization ${q(asked)}, but the checkpoint ${m.model} is stored as ${stored}: vLLM refuses a method other than the checkpoint's`,
    at('quantization'),
    { hint: `set quantization: ${q(stored)}${alternatives(asked).length > 0 ? `, or serve ${alternatives(asked).join(' or ')}` : ''}` },
  );
}

const weightsFormat = (c: EngineConfig) => c.quantization ?? (c.dtype === 'auto' ? c.arch.torchDtype : c.dtype);

function doesNotFit(m: PlanPoolModel, poolId: string, config: EngineConfig, gpus: EngineGpus, path: string): Diagnostic {
  const e = estimateEngine(config);
  const kvNeeded = Math.ceil(config.maxModelLen / 16) * 16 * e.kvBytesPerToken;
  const message =
    `model ${q(m.servedName)} (${m.model}, ${weightsFormat(config)}, tensorParallel ${config.tensorParallel}) does not fit on pool ${q(poolId)}: ` +
    `${gb(e.missingBytes)} missing per GPU. Each ${gpus.gpuModel} (${gb(e.gpuBytes)} usable x gpuMemoryUtilization ${config.gpuMemoryUtilization} = ${gb(e.budgetBytes)}) ` +
    `would need weights ${gb(e.weightsBytes)} + runtime reserve ${gb(e.reserveBytes)} + KV cache for one ${int(config.maxModelLen)}-token request ${gb(kvNeeded)}. ` +
    `${whatFits(config, e, gpus)}`;
  return diagnostic('error', 'model-does-not-fit', message, path, {
    hint: 'quantize the model, spread it over more GPUs (tensorParallel, spansPools), lower maxModelLen, or use GPUs with more memory',
  });
}

/** Tensor-parallel sizes vLLM accepts for this model (attention heads split evenly), up to `max`. */
function tpSizes(config: EngineConfig, from: number, max: number): number[] {
  const out: number[] = [];
  for (let tp = from; tp <= max; tp++) if (config.arch.attentionHeads % tp === 0) out.push(tp);
  return out;
}

/** AWQ and GPTQ need a checkpoint stored that way; fp8 quantizes any checkpoint while loading. */
const checkpointNote = (qn: Quantization) => (qn === 'awq' || qn === 'gptq' ? ` with a checkpoint stored as ${qn}` : '');

function whatFits(config: EngineConfig, e: EngineEstimate, gpus: EngineGpus): string {
  const tryWith = (over: Partial<EngineConfig>) => estimateEngine({ ...config, ...over });
  const where = gpus.pools.map(q).join(' + ');
  const fits: string[] = [];

  const quantized = SUGGESTED_QUANTIZATIONS.filter((qn) => qn !== config.quantization)
    .map((qn) => [qn, tryWith({ quantization: qn })] as const)
    .filter(([, r]) => r.fits);
  if (quantized.length > 0)
    fits.push(
      `quantization ${quantized.map(([qn, r]) => `${q(qn)}${checkpointNote(qn)} (weights ${gb(r.weightsBytes)} per GPU, KV cache for ${int(r.kvTokens)} tokens)`).join(' or ')}`,
    );

  const biggerTp = tpSizes(config, config.tensorParallel + 1, MAX_SUGGESTED_TP).find((tp) => tryWith({ tensorParallel: tp }).fits);
  if (biggerTp !== undefined) {
    fits.push(
      biggerTp <= gpus.available
        ? `tensorParallel ${biggerTp} over ${where} (KV cache for ${int(tryWith({ tensorParallel: biggerTp }).kvTokens)} tokens)`
        : `tensorParallel ${biggerTp}, which needs ${biggerTp} GPUs (${where} ${gpus.available === 1 ? 'has 1' : `have ${gpus.available}`}: add pools to spansPools)`,
    );
  }

  if (config.kvCacheDtype === 'auto' && tryWith({ kvCacheDtype: 'fp8' }).fits)
    fits.push(`kvCacheDtype "fp8" (KV cache for ${int(tryWith({ kvCacheDtype: 'fp8' }).kvTokens)} tokens)`);

  if (e.kvTokens > 0) {
    const len = e.kvTokens >= 1024 ? Math.floor(e.kvTokens / 1024) * 1024 : e.kvTokens;
    fits.push(`maxModelLen ${int(len)} or less (the KV cache holds ${int(e.kvTokens)} tokens)`);
  }

  if (quantized.length === 0 && (biggerTp === undefined || biggerTp > gpus.available)) {
    for (const qn of SUGGESTED_QUANTIZATIONS.filter((x) => x !== config.quantization)) {
      const tp = tpSizes(config, config.tensorParallel + 1, MAX_SUGGESTED_TP).find((t) => tryWith({ quantization: qn, tensorParallel: t }).fits);
      if (tp === undefined) continue;
      fits.push(
        `quantization ${q(qn)}${checkpointNote(qn)} with tensorParallel ${tp}${tp <= gpus.available ? ` over ${where}` : ` (needs ${tp} GPUs: add pools to spansPools)`}`,
      );
      break;
    }
  }
  return fits.length > 0 ? `Would fit: ${fits.join('; ')}.` : `Nothing fits on ${gpus.gpuModel} GPUs up to tensorParallel ${MAX_SUGGESTED_TP}, even quantized.`;
}
