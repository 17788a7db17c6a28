/**
 * Memory bandwidth and dense FP16/BF16 tensor throughput of the GPUs vLLM
 * pools run on: the two roofs of a roofline estimate of how fast an engine
 * prefills (compute-bound) and decodes (bandwidth-bound). Figures are the
 * vendors' published peaks, per GPU:
 * - bandwidth in GB/s (10^9 bytes);
 * - tensor TFLOPS dense (without 2:4 sparsity), at the precision vLLM's
 *   bf16/fp16 kernels run: for GeForce parts, whose whitepapers list FP32
 *   accumulation at half the FP16-accumulation rate, the FP32-accumulate
 *   figure (what PyTorch matmuls use).
 * Where a datasheet gives only the sparse figure, the dense one is half of it.
 */

export interface GpuSpec {
  /** Name as reported, e.g. `H100 SXM 80GB`. */
  id: string;
  /** Normalized names (see normalizeGpuName) that mean this GPU. */
  names: readonly string[];
  /** Marketed memory size; separates variants that share a name (A100 40 GB and 80 GB). */
  vramGb: number;
  memoryBandwidthGBs: number;
  denseFp16Tflops: number;
  source: string;
}

const AMPERE_GA102 = 'https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf';
const ADA = 'https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf';
const RTX_BLACKWELL = 'https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf';

export const GPU_SPECS: readonly GpuSpec[] = [
  { id: 'RTX 3090', names: ['rtx3090'], vramGb: 24, memoryBandwidthGBs: 936, denseFp16Tflops: 71, source: `${AMPERE_GA102} (appendix A, FP32 accumulate)` },
  { id: 'RTX 4090', names: ['rtx4090'], vramGb: 24, memoryBandwidthGBs: 1008, denseFp16Tflops: 165.2, source: `${ADA} (appendix A, FP32 accumulate)` },
  { id: 'RTX 5090', names: ['rtx5090'], vramGb: 32, memoryBandwidthGBs: 1792, denseFp16Tflops: 209.5, source: `${RTX_BLACKWELL} (appendix, FP32 accumulate)` },
  {
    id: 'RTX A6000',
    names: ['rtxa6000', 'a6000'],
    vramGb: 48,
    memoryBandwidthGBs: 768,
    denseFp16Tflops: 154.8,
    source: 'https://www.nvidia.com/en-us/design-visualization/rtx-a6000/ (309.7 sparse)',
  },
  {
    id: 'RTX 6000 Ada',
    names: ['rtx6000ada', 'rtx6000adageneration', '6000ada'],
    vramGb: 48,
    memoryBandwidthGBs: 960,
    denseFp16Tflops: 364.2,
    source: 'https://www.nvidia.com/en-us/design-visualization/rtx-6000/ (1,457 FP8 sparse)',
  },
  { id: 'T4', names: ['t4'], vramGb: 16, memoryBandwidthGBs: 320, denseFp16Tflops: 65, source: 'https://www.nvidia.com/en-us/data-center/tesla-t4/' },
  {
    id: 'A10',
    names: ['a10'],
    vramGb: 24,
    memoryBandwidthGBs: 600,
    denseFp16Tflops: 125,
    source: 'https://www.nvidia.com/en-us/data-center/products/a10-gpu/ (250 sparse)',
  },
  { id: 'L4', names: ['l4'], vramGb: 24, memoryBandwidthGBs: 300, denseFp16Tflops: 121, source: 'https://www.nvidia.com/en-us/data-center/l4/ (242 sparse)' },
  {
    id: 'L40S',
    names: ['l40s'],
    vramGb: 48,
    memoryBandwidthGBs: 864,
    denseFp16Tflops: 362,
    source: 'https://www.nvidia.com/en-us/data-center/l40s/ (733 sparse)',
  },
  {
    id: 'A100 40GB',
    names: ['a100', 'a100sxm', 'a100sxm4', 'a100pcie'],
    vramGb: 40,
    memoryBandwidthGBs: 1555,
    denseFp16Tflops: 312,
    source: 'https://www.nvidia.com/en-us/data-center/a100/',
  },
  {
    id: 'A100 80GB SXM',
    names: ['a100', 'a100sxm', 'a100sxm4'],
    vramGb: 80,
    memoryBandwidthGBs: 2039,
    denseFp16Tflops: 312,
    source: 'https://www.nvidia.com/en-us/data-center/a100/',
  },
  {
    id: 'A100 80GB PCIe',
    names: ['a100pcie'],
    vramGb: 80,
    memoryBandwidthGBs: 1935,
    denseFp16Tflops: 312,
    source: 'https://www.nvidia.com/en-us/data-center/a100/',
  },
  {
    id: 'H100 SXM',
    names: ['h100', 'h100sxm', 'h100sxm5'],
    vramGb: 80,
    memoryBandwidthGBs: 3350,
    denseFp16Tflops: 989,
    source: 'https://www.nvidia.com/en-us/data-center/h100/ (1,979 sparse)',
  },
  {
    id: 'H100 PCIe',
    names: ['h100pcie'],
    vramGb: 80,
    memoryBandwidthGBs: 2000,
    denseFp16Tflops: 756,
    source: 'https://www.nvidia.com/en-us/data-center/h100/ (1,513 sparse)',
  },
  {
    id: 'H100 NVL',
    names: ['h100nvl'],
    vramGb: 94,
    memoryBandwidthGBs: 3900,
    denseFp16Tflops: 835,
    source: 'https://www.nvidia.com/en-us/data-center/h100/ (1,671 sparse)',
  },
  {
    id: 'H200',
    names: ['h200', 'h200sxm'],
    vramGb: 141,
    memoryBandwidthGBs: 4800,
    denseFp16Tflops: 989,
    source: 'https://www.nvidia.com/en-us/data-center/h200/ (1,979 sparse)',
  },
  {
    id: 'B200',
    names: ['b200'],
    vramGb: 180,
    memoryBandwidthGBs: 8000,
    denseFp16Tflops: 2250,
    source: 'https://www.nvidia.com/en-us/data-center/hgx/ (4.5 PFLOPS sparse)',
  },
  {
    id: 'MI300X',
    names: ['mi300x'],
    vramGb: 192,
    memoryBandwidthGBs: 5300,
    denseFp16Tflops: 1307.4,
    source: 'https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html',
  },
];

/**
 * `NVIDIA GeForce RTX 5090`, `rtx-5090`, `H100 SXM5 80GB HBM3` -> `rtx5090`,
 * `h100sxm5`: vendor and brand words, punctuation and a trailing memory size
 * dropped (the size is matched against vramGb instead).
 */
export function normalizeGpuName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\b\d+\s*gb\b|\bhbm\d*e?\b/g, '')
    .replace(/nvidia|geforce|tesla|amd|instinct|radeon/g, '')
    .replace(/[^a-z0-9]/g, '');
}

/** The spec of a GPU as a policy names it; among variants of one name, the one whose memory is closest to `vramGb`. */
export function findGpu(name: string, vramGb: number): GpuSpec | undefined {
  const key = normalizeGpuName(name);
  let best: GpuSpec | undefined;
  for (const g of GPU_SPECS) {
    if (!g.names.includes(key)) continue;
    if (best === undefined || Math.abs(g.vramGb - vramGb) < Math.abs(best.vramGb - vramGb)) best = g;
  }
  return best;
}
