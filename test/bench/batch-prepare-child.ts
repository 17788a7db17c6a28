/**
 * One `batch prepare` run in a process of its own, so the benchmark reads
 * that run's peak RSS (worker threads included) and nothing else's. Prints
 * one JSON line. Arguments: plan.json, profile, input, out, workers ('auto'
 * or a number).
 */
import { readFileSync, rmSync } from 'node:fs';
import { prepare } from '../../src/batch/prepare/prepare.ts';
import { parsePlan } from '../../src/plan/read.ts';

const [planFile, profile, input, out, workers] = process.argv.slice(2) as [string, string, string, string, string];
const plan = parsePlan(readFileSync(planFile, 'utf8'));
rmSync(out, { recursive: true, force: true });
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const r = await prepare({ plan, profile, input, out, ...(workers === 'auto' ? {} : { workers: Number(workers) }) });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
// All threads of the process: the workers' time is in it.
const cpu = process.cpuUsage(cpu0);
rmSync(out, { recursive: true, force: true });
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    workers: r.workers,
    requests: r.manifest.requests,
    parts: r.manifest.parts.length,
    redacted: Object.values(r.manifest.redactions).reduce((a, b) => a + b, 0),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
