import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn Node and property tests compile many policies: generous, never a speed assertion.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
