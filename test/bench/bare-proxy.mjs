#!/usr/bin/env node
// The floor the gateway is compared with in `npm run bench gateway`: Node's
// http server relaying each request body to the upstream through one undici
// Pool and the answer back, with no routing, auth, metrics or logging.
//   node test/bench/bare-proxy.mjs <upstream origin>
// It prints "ready <port>" on stdout once listening.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2], { pipelining: 1, keepAliveTimeout: 30_000 });
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const parts = [];
    pool.dispatch(
      { path: req.url, method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) },
      {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData(_c, d) {
          parts.push(d);
        },
        onResponseEnd() {
          const body = Buffer.concat(parts);
          res.writeHead(200, ['content-type', 'application/json', 'content-length', String(body.length)]);
          res.end(body);
        },
        onResponseError() {
          res.writeHead(502);
          res.end();
        },
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => console.log(`ready ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
