/**
 * The records a batch is prepared from, streamed: the lines of a JSONL file
 * (read in 1 MB chunks, so memory stays flat however large the file), or
 * the text files of a directory (sorted by path, hidden files and symbolic
 * links skipped). A record too large to become one request is reported
 * without being held in memory.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export type Source = { line: number } | { file: string; index: number };

export type InputRecord = { source: Source; text: string } | { source: Source; error: string };

const NEWLINE = 10;
const CHUNK = 1 << 20;

/** Where a record came from, as messages print it: `line 12` or `file "a/b.txt"`. */
export function sourceText(s: Source): string {
  return 'line' in s ? `line ${s.line}` : `file ${JSON.stringify(s.file)}`;
}

/** Whole lines of a JSONL file (no trailing newline) and the number of the first; or a line too long to keep. */
export type Region = { firstLine: number; buf: Uint8Array } | { line: number; tooLong: number };

/**
 * The file as regions of whole lines, read in 1 MB chunks: each chunk's
 * complete lines are one region (no copy), and only a line that straddles
 * two chunks is copied. A line longer than `maxLineBytes` is reported by
 * number and size, its content never held. Decoding and splitting into
 * lines happen where the region is processed (src/batch/prepare/process.ts),
 * possibly in a worker thread.
 */
export async function* jsonlRegions(file: string, maxLineBytes: number): AsyncGenerator<Region> {
  let line = 1;
  let carry: Buffer | null = null;
  // Bytes of an over-long line seen so far; its content is dropped, not kept.
  let skipping = -1;
  const countLines = (buf: Uint8Array) => {
    let n = 0;
    for (let i = buf.indexOf(NEWLINE); i >= 0; i = buf.indexOf(NEWLINE, i + 1)) n++;
    return n;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    let pos = 0;
    if (skipping >= 0 || carry) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        if (skipping >= 0) skipping += chunk.length;
        else if (carry!.length + chunk.length > maxLineBytes + 1) {
          skipping = carry!.length + chunk.length;
          carry = null;
        } else carry = Buffer.concat([carry!, chunk]);
        continue;
      }
      if (skipping >= 0) {
        yield { line, tooLong: skipping + nl };
        skipping = -1;
      } else {
        yield { firstLine: line, buf: Buffer.concat([carry!, chunk.subarray(0, nl)]) };
        carry = null;
      }
      line++;
      pos = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= pos) {
      const buf = chunk.subarray(pos, last);
      yield { firstLine: line, buf };
      line += countLines(buf) + 1;
      pos = last + 1;
    }
    if (pos < chunk.length) {
      if (chunk.length - pos > maxLineBytes + 1) skipping = chunk.length - pos;
      else carry = Buffer.from(chunk.subarray(pos));
    }
  }
  if (skipping >= 0) yield { line, tooLong: skipping };
  else if (carry && carry.length > 0) yield { firstLine: line, buf: carry };
}

/** Regular, non-hidden files under `dir`, by relative path (POSIX separators) in code-unit order. */
async function textFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    const rel = relative(dir, join(e.parentPath, e.name));
    if (rel.split(sep).some((part) => part.startsWith('.'))) continue;
    // withFileTypes reports symbolic links as such: they are skipped, not followed.
    if (e.isFile()) files.push(rel.split(sep).join('/'));
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Each text file of a directory as one record. */
export async function* directoryRecords(dir: string, maxFileBytes: number): AsyncGenerator<InputRecord> {
  const files = await textFiles(dir);
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const source = { file, index: i + 1 };
    const path = join(dir, file);
    const st = await lstat(path);
    if (st.size > maxFileBytes) {
      yield { source, error: `is ${st.size} bytes, more than the ${maxFileBytes} one request may take` };
      continue;
    }
    const buf = await readFile(path);
    if (buf.length > maxFileBytes) yield { source, error: `is ${buf.length} bytes, more than the ${maxFileBytes} one request may take` };
    else if (!isUtf8(buf)) yield { source, error: 'is not valid UTF-8 text' };
    else if (buf.toString('utf8').trim() === '') yield { source, error: 'is empty' };
    else yield { source, text: buf.toString('utf8').replace(/^\uFEFF/, '') };
  }
}
