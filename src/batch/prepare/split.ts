/**
 * Splitting prepared requests into Batch API input files: a new file starts
 * whenever the next line would pass the profile's request count, its byte
 * size (the line's newline included) or, for embeddings, OpenAI's 50,000
 * inputs per batch. Lines keep their order; a line larger than a whole file
 * never reaches here (it is rejected when read).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAll } from '../atomic.ts';

export interface SplitLimits {
  maxRequests: number;
  maxBytes: number;
  maxEmbeddingInputs: number;
}

/** OpenAI's cap on embedding inputs across one batch. */
export const MAX_EMBEDDING_INPUTS = 50_000;

/** The pure part: which part each line goes to. */
export class SplitPlanner {
  part = 0;
  requests = 0;
  bytes = 0;
  inputs = 0;

  constructor(private readonly limits: SplitLimits) {}

  /** Places a line of `bytes` (newline included) carrying `inputs` embedding inputs; true when it opens a new part. */
  place(bytes: number, inputs: number): boolean {
    const l = this.limits;
    const opens =
      this.part === 0 || this.requests + 1 > l.maxRequests || this.bytes + bytes > l.maxBytes || (inputs > 0 && this.inputs + inputs > l.maxEmbeddingInputs);
    if (opens) {
      this.part++;
      this.requests = 0;
      this.bytes = 0;
      this.inputs = 0;
    }
    this.requests++;
    this.bytes += bytes;
    this.inputs += inputs;
    return opens;
  }
}

export interface PartInfo {
  file: string;
  requests: number;
  bytes: number;
  firstId: string;
  lastId: string;
}

const partName = (n: number) => `part-${String(n).padStart(4, '0')}.jsonl`;

/** The part files of one prepare run, written through the planner in contiguous slices. */
export class PartWriter {
  private readonly planner: SplitPlanner;
  private current: FileHandle | null = null;
  readonly parts: PartInfo[] = [];

  constructor(
    private readonly dir: string,
    limits: SplitLimits,
  ) {
    this.planner = new SplitPlanner(limits);
  }

  private async openPart(firstId: string): Promise<void> {
    await this.closeCurrent();
    const file = partName(this.planner.part);
    this.current = await open(join(this.dir, file), 'wx');
    this.parts.push({ file, requests: 0, bytes: 0, firstId, lastId: firstId });
  }

  private async closeCurrent(): Promise<void> {
    if (!this.current) return;
    await this.current.sync();
    await this.current.close();
    this.current = null;
  }

  /**
   * Writes lines held back to back in `out` (line k is `bytes[k]` long,
   * newline included); returns the index in `parts` each line went to.
   */
  async writeLines(out: Uint8Array, ids: readonly string[], bytes: readonly number[], inputs: readonly number[]): Promise<number[]> {
    const partOf: number[] = [];
    let sliceStart = 0;
    let offset = 0;
    for (let k = 0; k < ids.length; k++) {
      if (this.planner.place(bytes[k]!, inputs[k]!)) {
        if (offset > sliceStart) await writeAll(this.current!, out.subarray(sliceStart, offset));
        await this.openPart(ids[k]!);
        sliceStart = offset;
      }
      const part = this.parts[this.parts.length - 1]!;
      part.requests++;
      part.bytes += bytes[k]!;
      part.lastId = ids[k]!;
      partOf.push(this.parts.length - 1);
      offset += bytes[k]!;
    }
    if (offset > sliceStart) await writeAll(this.current!, out.subarray(sliceStart, offset));
    return partOf;
  }

  /** Flushes the last part to disk and closes it. */
  async close(): Promise<void> {
    await this.closeCurrent();
  }

  async abandon(): Promise<void> {
    await this.current?.close().catch(() => {});
    this.current = null;
  }
}
