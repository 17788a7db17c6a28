/**
 * The CPU-bound middle of prepare, without I/O: whole input lines in,
 * finished Batch API lines out (encoded, ready to write), with what the
 * writer needs to split them into files and what the summary needs (rejects,
 * redaction counts, the estimate's sums, the re-identification entries).
 * It runs in worker threads for large inputs (worker.ts) and in-process for
 * small ones; both give the same bytes.
 */
import { isUtf8 } from 'node:buffer';
import type { PlanBatchProfile } from '../../plan/types.ts';
import { createRedactor, type RedactionCounts, type Redactor, RequestPlaceholders } from '../redact/redactor.ts';
import type { Source } from './input.ts';
import { customIdOf } from './manifest.ts';
import { type Built, buildFromJsonl, buildFromText, embeddingInputs, outputCap } from './request.ts';

export interface RejectEntry {
  source: Source;
  reason: string;
}

/** Accepted requests of a region, in input order. */
export interface RegionResult {
  /** Every accepted Batch API line, each ending in a newline, UTF-8. */
  out: Uint8Array;
  /** Per accepted line: its custom_id, its byte length (newline included) and embedding inputs. */
  ids: string[];
  bytes: number[];
  inputs: number[];
  /** Index into ids -> the JSON line of its placeholder map (profiles that allow re-identification). */
  maps: [number, string][];
  rejects: RejectEntry[];
  counts: [string, number][];
  /** Characters of request bodies (input token estimate), summed output caps, requests without a cap. */
  chars: number;
  outputTokens: number;
  uncapped: number;
}

export interface Processor {
  /** Whole lines of a JSONL file (no trailing newline), the first numbered `firstLine`. */
  region(buf: Uint8Array, firstLine: number): RegionResult;
  /** One text file of a directory input, or a record that could not be read. */
  record(source: Source, text: string | null, error: string | null): RegionResult;
}

const NEWLINE = 10;

export function createProcessor(profile: PlanBatchProfile, maxLineBytes: number): Processor {
  const redactor: Redactor = createRedactor(profile.redaction);
  const keepMap = profile.redaction.reidentify;
  const urlJson = JSON.stringify(profile.endpoint);

  const fresh = () => ({
    pieces: [] as string[],
    ids: [] as string[],
    bytes: [] as number[],
    inputs: [] as number[],
    maps: [] as [number, string][],
    rejects: [] as RejectEntry[],
    counts: new Map() as RedactionCounts,
    chars: 0,
    outputTokens: 0,
    uncapped: 0,
  });
  type Acc = ReturnType<typeof fresh>;

  const accept = (acc: Acc, source: Source, built: Built) => {
    if ('reason' in built) {
      acc.rejects.push({ source, reason: built.reason });
      return;
    }
    const placeholders = new RequestPlaceholders();
    const body = redactor.active ? (redactor.redactValue(built.body, placeholders, acc.counts) as Record<string, unknown>) : built.body;
    const customId = customIdOf(source);
    const bodyJson = JSON.stringify(body);
    const head = `{"custom_id":"${customId}","method":"POST","url":${urlJson},"body":`;
    const bytes = head.length + Buffer.byteLength(bodyJson) + 2;
    if (bytes > profile.maxFileBytes) {
      acc.rejects.push({ source, reason: `is ${bytes - 1} bytes as a batch line, more than the profile's file limit of ${profile.maxFileBytes}` });
      return;
    }
    // Kept in pieces: joining here would copy every request once more.
    acc.pieces.push(head, bodyJson, '}\n');
    acc.ids.push(customId);
    acc.bytes.push(bytes);
    acc.inputs.push(embeddingInputs(body, profile.endpoint));
    acc.chars += bodyJson.length;
    const cap = outputCap(body, profile.endpoint);
    if (cap === null) acc.uncapped++;
    else acc.outputTokens += cap;
    if (keepMap && placeholders.values.size > 0)
      acc.maps.push([acc.ids.length - 1, JSON.stringify({ custom_id: customId, values: Object.fromEntries(placeholders.values) })]);
  };

  const finish = (acc: Acc): RegionResult => {
    // Not from Buffer's shared pool: the bytes may be transferred to another thread. The pieces are
    // written one after another: joining them first would copy the region once more and measure it again.
    let size = 0;
    for (const b of acc.bytes) size += b;
    const out = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const piece of acc.pieces) at += out.write(piece, at);
    if (at !== size) throw new Error(`batch prepare: a region measured ${size} bytes but wrote ${at}`);
    return {
      out,
      ids: acc.ids,
      bytes: acc.bytes,
      inputs: acc.inputs,
      maps: acc.maps,
      rejects: acc.rejects,
      counts: [...acc.counts],
      chars: acc.chars,
      outputTokens: acc.outputTokens,
      uncapped: acc.uncapped,
    };
  };

  /** One line as text: blank lines are skipped, the rest become a request or a reject. */
  const line = (acc: Acc, n: number, t: string) => {
    if (n === 1 && t.charCodeAt(0) === 0xfeff) t = t.slice(1);
    if (t.charCodeAt(t.length - 1) === 13) t = t.slice(0, -1);
    // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when that bound passes the limit.
    if (t.length * 3 > maxLineBytes) {
      const b = Buffer.byteLength(t);
      if (b > maxLineBytes) {
        acc.rejects.push({ source: { line: n }, reason: `is ${b} bytes, more than the ${maxLineBytes} one request may take` });
        return;
      }
    }
    if (t.charCodeAt(0) !== 123 && t.trim() === '') return;
    accept(acc, { line: n }, buildFromJsonl(t, profile));
  };

  return {
    region(buf, firstLine) {
      const acc = fresh();
      const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      if (isUtf8(b)) {
        const text = b.toString('utf8');
        let from = 0;
        for (let n = firstLine; ; n++) {
          const nl = text.indexOf('\n', from);
          line(acc, n, nl < 0 ? text.slice(from) : text.slice(from, nl));
          if (nl < 0) break;
          from = nl + 1;
        }
      } else {
        // Rare: find the lines that are not UTF-8 one by one.
        let from = 0;
        for (let n = firstLine; ; n++) {
          const nl = b.indexOf(NEWLINE, from);
          const slice = nl < 0 ? b.subarray(from) : b.subarray(from, nl);
          if (isUtf8(slice)) line(acc, n, slice.toString('utf8'));
          else acc.rejects.push({ source: { line: n }, reason: 'is not valid UTF-8' });
          if (nl < 0) break;
          from = nl + 1;
        }
      }
      return finish(acc);
    },
    record(source, text, error) {
      const acc = fresh();
      if (error !== null || text === null) acc.rejects.push({ source, reason: error ?? 'could not be read' });
      else accept(acc, source, buildFromText(text, profile));
      return finish(acc);
    },
  };
}

/** A region that is one over-long line, reported without its content. */
export function tooLongResult(line: number, bytes: number, maxLineBytes: number): RegionResult {
  return {
    out: new Uint8Array(0),
    ids: [],
    bytes: [],
    inputs: [],
    maps: [],
    rejects: [{ source: { line }, reason: `is ${bytes} bytes, more than the ${maxLineBytes} one request may take` }],
    counts: [],
    chars: 0,
    outputTokens: 0,
    uncapped: 0,
  };
}
