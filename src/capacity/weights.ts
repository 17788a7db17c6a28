/**
 * Weight memory per GPU. The parameter count is derived from the
 * architecture (so a quantization can treat linear layers and embeddings
 * differently) and matches the published counts to within 1%.
 */
import type { ModelArchitecture } from './catalog.ts';
import { activationDtype, dtypeBytes, QUANTIZED_BYTES_PER_PARAM, type Dtype, type Quantization } from './dtypes.ts';

export interface ParameterCounts {
  /** Attention projections and MLP: what quantization applies to and tensor parallelism splits. */
  linear: number;
  /** Input embedding plus the LM head unless tied: split over the vocabulary by tensor parallelism, never quantized. */
  embeddings: number;
  /** RMSNorm weights: replicated on every GPU. */
  norms: number;
  total: number;
}

export function parameterCounts(a: ModelArchitecture): ParameterCounts {
  const q = a.attentionHeads * a.headDim;
  const kv = a.kvHeads * a.headDim;
  const attention = a.hiddenSize * q + 2 * a.hiddenSize * kv + q * a.hiddenSize;
  const mlp = 3 * a.hiddenSize * a.intermediateSize; // gate, up, down
  const linear = a.layers * (attention + mlp);
  const embeddings = a.vocabSize * a.hiddenSize * (a.tiedEmbeddings ? 1 : 2);
  const norms = (2 * a.layers + 1) * a.hiddenSize;
  return { linear, embeddings, norms, total: linear + embeddings + norms };
}

/** Bytes of weights each GPU of a tensor-parallel group of `tp` holds. */
export function weightBytesPerGpu(a: ModelArchitecture, dtype: Dtype, quantization: Quantization | null, tp: number): number {
  const p = parameterCounts(a);
  const act = dtypeBytes(activationDtype(dtype, quantization), a);
  const linearBytes = quantization === null ? act : QUANTIZED_BYTES_PER_PARAM[quantization];
  return (p.linear * linearBytes + p.embeddings * act) / tp + p.norms * act;
}
