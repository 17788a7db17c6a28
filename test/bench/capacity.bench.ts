/**
 * Capacity accuracy: our KV-cache estimate against the "GPU KV cache size"
 * vLLM reported for published configurations (sources in
 * test/capacity/kv-references.ts). Prints the table the README cites.
 */
import { estimateEngine } from '../../src/capacity/index.ts';
import { allReferences, kvError } from '../capacity/kv-references.ts';

export async function main(): Promise<void> {
  const refs = allReferences();
  const width = Math.max(...refs.map((r) => r.id.length));
  console.log(`${'reference'.padEnd(width)}  reported tokens  our tokens  error`);
  let worst = 0;
  for (const r of refs) {
    const e = kvError(r);
    worst = Math.max(worst, Math.abs(e));
    const ours = estimateEngine(r.config).kvTokens;
    console.log(
      `${r.id.padEnd(width)}  ${r.reportedTokens.toLocaleString('en-US').padStart(15)}  ${ours.toLocaleString('en-US').padStart(10)}  ${(e * 100 >= 0 ? '+' : '') + (e * 100).toFixed(1)}%`,
    );
  }
  console.log(`largest error ${(worst * 100).toFixed(1)}% over ${refs.length} published configurations (goal: within 15%)`);
}
