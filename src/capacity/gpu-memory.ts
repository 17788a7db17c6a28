/**
 * From the GPU size a policy states to the memory a vLLM engine can use.
 *
 * `gpu.vramGb` in a policy is the size as marketed: "RTX 3090 24 GB",
 * "H100 80 GB". GPU memory is sold in binary units, so that figure is GiB
 * (the 3090 carries 24 GiB of GDDR6X). The driver keeps part of it for
 * itself, and vLLM multiplies gpu-memory-utilization by what CUDA reports as
 * the device total (`torch.cuda.mem_get_info`). For an RTX 3090 vLLM logs
 * `total_gpu_memory=23.58GiB` (vllm-project/vllm#10517), i.e. 98.25% of 24 GiB;
 * the same fraction gives 78.6 GiB for an 80 GB H100, where vLLM logs
 * 79.18-79.22 GiB (vllm-project/vllm#10511, #12126): 0.7% low, the safe side.
 */
export const GIB = 2 ** 30;

/** Share of the marketed size that CUDA reports as the device total (fitted to the RTX 3090 log above). */
export const USABLE_FRACTION = 0.9825;

/** Device total in bytes, as vLLM sees it, for a GPU marketed as `vramGb` GB. */
export function visibleGpuBytes(vramGb: number): number {
  return vramGb * GIB * USABLE_FRACTION;
}
