/**
 * http.send against a real HTTP server on loopback. Evaluation blocks its
 * thread while a request runs, so the server lives in a worker thread.
 */
import { type AddressInfo, createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModules, evalQuery } from '../../../src/rego/index.ts';
import { toJSON } from '../../../src/rego/value.ts';

const SERVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
let hits = 0;
const server = http.createServer((req, res) => {
  hits++;
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 3000);
    if (req.url === '/big') { res.setHeader('content-type', 'text/plain'); return res.end('x'.repeat(11 * 1024 * 1024)); }
    if (req.url === '/hits') return res.end(String(hits));
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-test', 'yes');
    res.end(JSON.stringify({ method: req.method, path: req.url, auth: req.headers.authorization ?? null, body }));
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => process.exit(0)));
`;

let worker: Worker;
let base = '';
let dead = '';

beforeAll(async () => {
  worker = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  base = `http://127.0.0.1:${port}`;
  // A port that was just free and is closed again: a dead server.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  dead = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  worker.postMessage('stop');
  await new Promise((resolve) => worker.once('exit', resolve));
});

function run(query: string, network = true) {
  const { compiled } = compileModules([]);
  const { results, error } = evalQuery(compiled!, query, { network });
  return { results: results.map((r) => toJSON(r.x!)), error: error?.message };
}

describe('http.send', () => {
  it('sends the method, headers and JSON body, and decodes a JSON answer', () => {
    const q = `x := http.send({"method": "post", "url": "${base}/things?a=1", "headers": {"Authorization": "Bearer t"}, "body": {"n": 1}})`;
    const [res] = run(q).results as Array<Record<string, unknown>>;
    expect(res!.status_code).toBe(200);
    expect(res!.status).toBe('200 OK');
    expect(res!.body).toEqual({ method: 'POST', path: '/things?a=1', auth: 'Bearer t', body: '{"n":1}' });
    expect((res!.headers as Record<string, unknown>)['x-test']).toEqual(['yes']);
  });

  it('answers the same request once per query', () => {
    const q = `x := [http.send({"method": "get", "url": "${base}/hits"}).raw_body, http.send({"method": "get", "url": "${base}/hits"}).raw_body]`;
    const [pair] = run(q).results as string[][];
    expect(pair![0]).toBe(pair![1]);
  });

  it('stops at the timeout and at the body size cap, and reports a dead server', () => {
    expect(run(`x := http.send({"method": "get", "url": "${base}/slow", "timeout": "200ms"})`).error).toMatch(/http\.send: .*(timeout|abort)/i);
    expect(run(`x := http.send({"method": "get", "url": "${base}/big"})`).error).toMatch(/larger than 10485760 bytes/);
    expect(run(`x := http.send({"method": "get", "url": "${dead}"})`).error).toMatch(/http\.send: .*ECONNREFUSED/);
    const soft = run(`x := http.send({"method": "get", "url": "${dead}", "raise_error": false})`).results[0] as Record<string, unknown>;
    expect(soft.status_code).toBe(0);
  });

  it('validates the request and needs the network capability', () => {
    expect(run(`x := http.send({"method": "get"})`).error).toContain('eval_type_error: http.send: missing required request parameters(s): {"url"}');
    expect(run(`x := http.send({"method": "get", "url": "${base}", "bogus": 1})`).error).toContain('invalid request parameters(s): {"bogus"}');
    expect(run(`x := http.send({"method": "get", "url": "${base}"})`, false).error).toContain('network access is not enabled');
    expect(run(`x := http.send({"method": "get", "url": "${base}", "headers": {"a": "b\\r\\nc: d"}})`).error).toContain('line breaks');
  });
});

describe('net.lookup_ip_addr', () => {
  it('resolves localhost with the capability on', () => {
    const [addrs] = run('x := net.lookup_ip_addr("localhost")').results as string[][];
    expect(addrs!.some((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });
});
