/**
 * A generated batch input for the prepare benchmark: JSONL chat requests of
 * about 1.5 kB, document-like text with newlines, numbers (years, amounts,
 * invoice numbers) on most lines and personal data (emails, phone numbers,
 * card numbers, IBANs, SSNs, IP addresses) on about one line in ten.
 * Deterministic (seeded), written in 4 MB pieces so generating 1 GB takes
 * little memory.
 */
import { open } from 'node:fs/promises';

const WORDS = (
  'the invoice total amount customer order shipped received please review attached document summary report quarterly revenue ' +
  'growth market analysis contract supplier delivery payment terms net due date item quantity unit price tax discount account ' +
  'reference number statement balance period service agreement renewal notice policy claim request approval manager department'
).split(' ');

const PII = [
  'jane.doe@example.com',
  '+1 (555) 123-4567',
  '4111 1111 1111 1111',
  'DE89 3704 0044 0532 0130 00',
  '123-45-6789',
  '192.168.10.24',
  'j.smith+billing@mail.example.co.uk',
  '020 7946 0958',
];

/** A small LCG: the same input on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function batchLine(r: () => number, withPii: boolean): string {
  const words: string[] = [];
  const n = 180 + Math.floor(r() * 80);
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.04) words.push(String(Math.floor(r() * 10_000)));
    else if (x < 0.05) words.push(`INV${2_024_000_000 + Math.floor(r() * 999_999)}`);
    else if (x < 0.06) words.push(`${2000 + Math.floor(r() * 30)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`);
    else if (x < 0.075) words.push('\n');
    else words.push(WORDS[Math.floor(r() * WORDS.length)]!);
  }
  if (withPii) for (let k = 0; k < 2; k++) words.splice(Math.floor(r() * words.length), 0, PII[Math.floor(r() * PII.length)]!);
  return JSON.stringify({
    messages: [
      { role: 'system', content: 'Extract the invoice number, the total and the due date as JSON.' },
      { role: 'user', content: words.join(' ') },
    ],
    max_tokens: 300,
    temperature: 0,
  });
}

/** Writes about `bytes` of input to `file`; returns the bytes and lines written. */
export async function writeBatchInput(file: string, bytes: number, seed = 42): Promise<{ bytes: number; lines: number }> {
  const r = rng(seed);
  const fh = await open(file, 'w');
  let written = 0;
  let lines = 0;
  try {
    while (written < bytes) {
      const piece: string[] = [];
      let size = 0;
      while (size < 4 << 20 && written + size < bytes) {
        const line = `${batchLine(r, r() < 0.1)}\n`;
        piece.push(line);
        size += line.length;
        lines++;
      }
      const buf = Buffer.from(piece.join(''));
      await fh.write(buf);
      written += buf.length;
    }
  } finally {
    await fh.close();
  }
  return { bytes: written, lines };
}
