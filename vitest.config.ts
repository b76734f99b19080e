import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests that boot machines or servers say so in their own timeouts; the rest run in parallel.
    fileParallelism: true,
  },
});
