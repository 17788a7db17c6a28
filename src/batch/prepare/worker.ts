/** A prepare worker thread: processes the regions the pool sends and returns the finished lines (transferred, not copied). */
import { parentPort, workerData } from 'node:worker_threads';
import type { PlanBatchProfile } from '../../plan/types.ts';
import { createProcessor } from './process.ts';

const data = workerData as { profile: PlanBatchProfile; maxLineBytes: number };
const processor = createProcessor(data.profile, data.maxLineBytes);

parentPort!.on('message', (m: { seq: number; buf: Uint8Array; firstLine: number }) => {
  try {
    const result = processor.region(m.buf, m.firstLine);
    parentPort!.postMessage({ seq: m.seq, result }, [result.out.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ seq: m.seq, error: (e as Error).stack ?? String(e) });
  }
});
