/**
 * Runs an async network task to completion from synchronous code: Rego
 * evaluation is synchronous, but Node's fetch and DNS are not. A worker
 * thread performs the task while this thread waits on a shared flag
 * (Atomics.wait), then the answer is read off the message port. Only
 * http.send and net.lookup_ip_addr use it, and only with the network
 * capability on. Every call has a deadline.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export type Task =
  | {
      kind: 'fetch';
      url: string;
      init: { method: string; headers: Record<string, string>; body?: string; redirect: 'follow' | 'manual' };
      maxBytes: number;
      timeoutMs: number;
    }
  | { kind: 'lookup'; host: string; timeoutMs: number };

export type TaskResult =
  | { ok: true; status: number; statusText: string; headers: Array<[string, string]>; body: string }
  | { ok: true; addresses: string[] }
  | { ok: false; error: string };

const WORKER = `
const { workerData } = require('node:worker_threads');
const dns = require('node:dns');
const { task, port, flag } = workerData;
const done = (result) => { port.postMessage(result); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
(async () => {
  if (task.kind === 'lookup') {
    const addrs = await dns.promises.lookup(task.host, { all: true });
    return done({ ok: true, addresses: addrs.map((a) => a.address) });
  }
  const res = await fetch(task.url, { ...task.init, signal: AbortSignal.timeout(task.timeoutMs) });
  const reader = res.body ? res.body.getReader() : null;
  const chunks = [];
  let size = 0;
  while (reader) {
    const { done: end, value } = await reader.read();
    if (end) break;
    size += value.length;
    if (size > task.maxBytes) { await reader.cancel(); throw new Error('response body larger than ' + task.maxBytes + ' bytes'); }
    chunks.push(value);
  }
  done({ ok: true, status: res.status, statusText: res.statusText, headers: [...res.headers], body: Buffer.concat(chunks).toString('utf8') });
})().catch((e) => done({ ok: false, error: (e && e.cause && e.cause.message) || (e && e.message) || String(e) }));
`;

export function runBlocking(task: Task): TaskResult {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, { eval: true, workerData: { task, port: port2, flag }, transferList: [port2] });
  try {
    const waited = Atomics.wait(flag, 0, 0, task.timeoutMs + 1000);
    const msg = receiveMessageOnPort(port1);
    if (waited === 'timed-out' || !msg) return { ok: false, error: `timed out after ${task.timeoutMs} ms` };
    return msg.message as TaskResult;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
