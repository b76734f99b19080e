import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests that boot machines or servers say so in their own timeouts; the rest run in parallel, two
    // files at a time even on a 2-core machine: the long files mostly wait (for a VPS, a cron minute, a
    // heal), and one at a time the suite took over 25 minutes.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
