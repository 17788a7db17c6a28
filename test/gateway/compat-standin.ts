/**
 * A strict OpenAI-compatible server on loopback, as strict as the servers it
 * stands for: it serves OpenAI's API only under its path prefix (Ollama:
 * `/v1` below the root), answers 400 to `stream_options` or `n` when told it
 * does not support them (as llama.cpp's server and several hosted services
 * do), and records what it received. Bodies and streams are the shared wire
 * fixtures (fixtures/wire/openai).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';

const WIRE = join(SHARED_FIXTURES, 'wire', 'openai');
export const wire = (name: string) => readFileSync(join(WIRE, name), 'utf8');

export interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** One strict OpenAI-compatible server: its prefix, and what it refuses. */
export async function standIn(o: { prefix: string; refuses: ('n' | 'stream_options')[] }): Promise<{ server: Server; root: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      const fail = (status: number, message: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }));
      };
      if (req.method !== 'POST' || req.url !== `${o.prefix}/chat/completions`) return fail(404, `no route ${req.url}`);
      for (const key of o.refuses) if (key in body) return fail(400, `unsupported parameter: ${key}`);
      if (body.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // Without include_usage there is no usage chunk (fixtures/wire/README.md).
        const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
        const events = wire('chat_stream.sse')
          .split('\n\n')
          .filter((e) => e !== '' && (includeUsage || !e.includes('"choices":[]')));
        res.end(events.map((e) => `${e}\n\n`).join(''));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(wire('chat_response.json'));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, root: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
