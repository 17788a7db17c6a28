import { describe, expect, it } from 'vitest';
import { findGpu, GPU_SPECS, normalizeGpuName } from '../../src/capacity/gpu-bandwidth.ts';

describe('GPU bandwidth table', () => {
  it('finds GPUs however a policy spells them', () => {
    expect(findGpu('RTX 5090', 32)?.memoryBandwidthGBs).toBe(1792);
    expect(findGpu('NVIDIA GeForce RTX 3090', 24)?.id).toBe('RTX 3090');
    expect(findGpu('rtx-4090', 24)?.id).toBe('RTX 4090');
    expect(findGpu('H100 80GB HBM3', 80)?.id).toBe('H100 SXM');
    expect(findGpu('NVIDIA H100 PCIe', 80)?.id).toBe('H100 PCIe');
    expect(findGpu('Tesla T4', 16)?.id).toBe('T4');
    expect(findGpu('AMD Instinct MI300X', 192)?.id).toBe('MI300X');
    expect(findGpu('RTX 9090', 32)).toBeUndefined();
  });

  it('tells variants of one name apart by memory size', () => {
    expect(findGpu('A100', 40)?.memoryBandwidthGBs).toBe(1555);
    expect(findGpu('A100', 80)?.memoryBandwidthGBs).toBe(2039);
    expect(findGpu('A100-SXM4-80GB', 80)?.id).toBe('A100 80GB SXM');
    expect(findGpu('A100 PCIe', 80)?.id).toBe('A100 80GB PCIe');
  });

  it('normalizes names without eating the model number', () => {
    expect(normalizeGpuName('H100 80GB HBM3')).toBe('h100');
    expect(normalizeGpuName('NVIDIA L40S 48 GB')).toBe('l40s');
  });

  it('every entry has a source, positive figures and names in normalized form', () => {
    for (const g of GPU_SPECS) {
      expect(g.source).toMatch(/^https:\/\//);
      expect(g.memoryBandwidthGBs).toBeGreaterThan(100);
      expect(g.denseFp16Tflops).toBeGreaterThan(10);
      for (const n of g.names) expect(normalizeGpuName(n)).toBe(n);
    }
  });
});
