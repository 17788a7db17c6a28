/**
 * Memory a vLLM engine keeps out of its KV cache besides the weights: the
 * activation peak, CUDA-graph memory and non-torch memory. vLLM measures the
 * activation peak at start-up by profiling one forward pass over a batch of
 * max-num-batched-tokens tokens followed by a dummy sampler run over
 * max-num-seqs sequences, so both knobs move the KV budget.
 *
 * The model and the vLLM start-up logs it was fitted to (GiB as logged):
 *
 * - Forward pass: about three hidden-size and three intermediate-size vectors
 *   per token in the activation dtype are alive at the MLP peak (residual,
 *   normed input, attention output; gate/up output and their product), the
 *   intermediate ones split by tensor parallelism:
 *   `T x bytes x 3 x (hidden + intermediate / tp)`. Llama 3.1 8B on an RTX
 *   3090 (vllm-project/vllm#10517, profiled with max-model-len tokens): peak
 *   torch minus weights 2.07 GiB at 20,000 tokens (model 2.06) and 2.99 GiB
 *   at 29,000 tokens (model 2.99).
 * - Sampler: float32 logits of every sequence plus about 8.6 more
 *   logits-sized temporaries (sort values, int64 indices, probabilities) =
 *   38.4 bytes x vocabulary x sequences, whatever the tensor parallelism
 *   (logits are gathered). H100 logs with 1,024 sequences (vLLM V1, GitHub
 *   file "vLLM Empirical Test Results Analysis", search-index id 28022205292):
 *   Llama 3.1 8B 4.76 GiB (model 4.70), Qwen3-0.6B 5.56 (5.56),
 *   gpt-oss-20b 7.38 (7.36), Llama 3.3 70B FP8 TP2 4.84 (4.70); with 256
 *   sequences and 8,192 tokens, Meta-Llama-3-8B logged 1.26 GiB
 *   (vllm-project/vllm#10511; model 1.17).
 *   The peak is the larger of the two phases: the forward pass's buffers are
 *   free when the sampler runs.
 * - Non-torch memory (CUDA context growth, cuBLAS workspaces, NCCL): 0.35 GiB
 *   logged on the RTX 3090, 0.13 GiB on H100 with one GPU and 0.55 GiB with
 *   tensor parallelism 2: 0.35 GiB plus 0.4 GiB when tp > 1.
 * - CUDA graphs: 0.10-0.60 GiB logged (Qwen3-0.6B 0.10, gpt-oss-20b 0.39,
 *   an 8B Llama on vLLM 0.15.1 0.55, Llama 3.3 70B 0.60): 0.6 GiB. Recent vLLM
 *   counts it before sizing the cache; older versions captured graphs after,
 *   in the headroom above gpu-memory-utilization. Reserving it is the safe
 *   side; `cudaGraphs: false` reproduces the older logs.
 */
import type { ModelArchitecture } from './catalog.ts';
import { GIB } from './gpu-memory.ts';

const FORWARD_VECTORS = 3;
const SAMPLER_BYTES_PER_LOGIT = 38.4;
const NON_TORCH_BYTES = 0.35 * GIB;
const NON_TORCH_TP_EXTRA_BYTES = 0.4 * GIB;
const CUDA_GRAPH_BYTES = 0.6 * GIB;

export interface ReserveInput {
  arch: ModelArchitecture;
  tp: number;
  /** Bytes of one activation element (2 for bf16/fp16). */
  activationBytes: number;
  /** max-num-batched-tokens: the size of the profiled forward pass. */
  maxNumBatchedTokens: number;
  /** max-num-seqs: the sequences of the profiled sampler run. */
  maxNumSeqs: number;
  cudaGraphs: boolean;
}

export interface Reserve {
  forwardBytes: number;
  samplerBytes: number;
  /** max(forward, sampler). */
  activationBytes: number;
  nonTorchBytes: number;
  cudaGraphBytes: number;
  totalBytes: number;
}

export function reserveBytes(r: ReserveInput): Reserve {
  const a = r.arch;
  const forwardBytes = r.maxNumBatchedTokens * r.activationBytes * FORWARD_VECTORS * (a.hiddenSize + a.intermediateSize / r.tp);
  const samplerBytes = Math.min(r.maxNumSeqs, r.maxNumBatchedTokens) * a.vocabSize * SAMPLER_BYTES_PER_LOGIT;
  const activationBytes = Math.max(forwardBytes, samplerBytes);
  const nonTorchBytes = NON_TORCH_BYTES + (r.tp > 1 ? NON_TORCH_TP_EXTRA_BYTES : 0);
  const cudaGraphBytes = r.cudaGraphs ? CUDA_GRAPH_BYTES : 0;
  return { forwardBytes, samplerBytes, activationBytes, nonTorchBytes, cudaGraphBytes, totalBytes: activationBytes + nonTorchBytes + cudaGraphBytes };
}
