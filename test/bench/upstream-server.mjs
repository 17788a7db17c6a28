#!/usr/bin/env node
// The bench's upstream stand-in: a Node HTTP server answering every
// POST .../chat/completions with the same chat completion (the OpenAI wire
// fixture's body), after reading the request. Run as its own process:
//   node test/bench/upstream-server.mjs <port> <fixture.json>
// It prints "ready <port>" on stdout once listening.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port = '0', fixture] = process.argv.slice(2);
const body = Buffer.from(JSON.stringify(JSON.parse(readFileSync(fixture, 'utf8'))));
const headers = ['content-type', 'application/json', 'content-length', String(body.length)];
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log(`ready ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
