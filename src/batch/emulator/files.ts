/** The emulator's Files store: uploaded input files and the output and error files batches produce, in memory. */
import { randomBytes } from 'node:crypto';
import { notFound } from './errors.ts';

export const BATCH_FILE_EXPIRY_S = 30 * 86_400;

export interface StoredFile {
  id: string;
  seq: number;
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: string;
  content: Buffer;
}

/** The File object as the API returns it (with the deprecated status fields the real API still sends). */
export function fileObject(f: StoredFile) {
  return {
    id: f.id,
    object: 'file',
    bytes: f.bytes,
    created_at: f.created_at,
    expires_at: f.expires_at,
    filename: f.filename,
    purpose: f.purpose,
    status: 'processed',
    status_details: null,
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const fileId = () => `file-${[...randomBytes(22)].map((b) => ALNUM[b % ALNUM.length]).join('')}`;

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private seq = 0;
  storedBytes = 0;

  add(content: Buffer, filename: string, purpose: string, createdSec: number, expiresAfterSec: number | null): StoredFile {
    const f: StoredFile = {
      id: fileId(),
      seq: this.seq++,
      bytes: content.length,
      created_at: createdSec,
      expires_at: expiresAfterSec === null ? null : createdSec + expiresAfterSec,
      filename,
      purpose,
      content,
    };
    this.files.set(f.id, f);
    this.storedBytes += f.bytes;
    return f;
  }

  get(id: string): StoredFile {
    const f = this.files.get(id);
    if (!f) throw notFound(`No such File object: ${id}`, 'id');
    return f;
  }

  has(id: string): boolean {
    return this.files.has(id);
  }

  delete(id: string): StoredFile {
    const f = this.get(id);
    this.files.delete(id);
    this.storedBytes -= f.bytes;
    return f;
  }

  /** Newest first unless `order` is asc, like the API. */
  list(purpose: string | null, order: 'asc' | 'desc'): StoredFile[] {
    const all = [...this.files.values()].filter((f) => purpose === null || f.purpose === purpose);
    return all.sort((a, b) => (order === 'asc' ? a.seq - b.seq : b.seq - a.seq));
  }
}
