import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn Node and property tests compile many policies: generous, never a speed assertion.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker per core but one; on a 2-core CI machine that runs the files one at a
    // time, although many spend most of their time waiting (real Prometheus scraping for 50 s, load held for
    // 30 s, child processes killed and restarted). Two workers at least overlap those waits.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
