/**
 * Capacity accuracy: our KV-cache estimate against the "GPU KV cache size"
 * vLLM reported for published configurations (sources in
 * test/capacity/kv-references.ts). Prints the table the README cites.
 */
import { estimateEngine } from '../../src/capacity/index.ts';
import { allReferences, kvError, kvErrorBytes, withinTolerance } from '../capacity/kv-references.ts';

export async function main(): Promise<void> {
  const refs = allReferences();
  const width = Math.max(...refs.map((r) => r.id.length));
  console.log(`${'reference'.padEnd(width)}  GPUs  reported tokens  our tokens   error  KV GiB off  ok`);
  let worst = 0;
  let median: number[] = [];
  for (const r of refs) {
    const e = kvError(r);
    worst = Math.max(worst, Math.abs(e));
    median.push(Math.abs(e));
    const ours = estimateEngine(r.config).kvTokens;
    const gpus = `${r.config.tensorParallel}x${r.config.vramGb}`;
    console.log(
      `${r.id.padEnd(width)}  ${gpus.padStart(4)}  ${r.reportedTokens.toLocaleString('en-US').padStart(15)}  ${ours.toLocaleString('en-US').padStart(10)}  ${`${(e * 100 >= 0 ? '+' : '') + (e * 100).toFixed(1)}%`.padStart(6)}  ${(kvErrorBytes(r) / 2 ** 30).toFixed(2).padStart(10)}  ${withinTolerance(r) ? 'yes' : 'NO'}`,
    );
  }
  median = median.sort((a, b) => a - b);
  const mid = median[Math.floor(median.length / 2)]!;
  console.log(
    `${refs.length} published configurations: median error ${(mid * 100).toFixed(1)}%, largest ${(worst * 100).toFixed(1)}% (goal: within 15%, or under by at most 1.5 GiB of KV cache; never over by 15%)`,
  );
}
