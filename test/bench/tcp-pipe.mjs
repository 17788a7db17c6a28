#!/usr/bin/env node
// The lowest floor in `npm run bench gateway`: a byte pipe that joins each
// client connection to a connection of its own to the upstream and copies
// bytes both ways — no HTTP parsing, no routing, nothing per request but two
// reads and two writes. No Node proxy can cost less per request.
//   node test/bench/tcp-pipe.mjs <upstream port>
// It prints "ready <port>" on stdout once listening.
import { connect, createServer } from 'node:net';

const upstreamPort = Number(process.argv[2]);
const server = createServer((client) => {
  const upstream = connect(upstreamPort, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(`ready ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
