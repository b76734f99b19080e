import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `fast` (`npm test`, under 3 minutes on 2 cores) is what a contributor runs after each
 * change: the unit tests, the CLI on real files, the hook's corpora, the wizard in a real terminal, the
 * documentation's captures. `full` is the rest (`npm run test:all` runs both, and CI runs that): the
 * hook against bash over generated lines, the supervisor against tmux, SSH against sshd, the booted
 * VPS, the real Claude Code client, and the fault and race tests that kill applies at every step or
 * write for a minute.
 */
const FAST_FOLDERS = ['test/unit', 'test/cli', 'test/hook', 'test/wizard', 'test/readme'];
const SLOW_IN_FAST_FOLDERS = [
  'test/cli/interrupted.test.ts',
  'test/cli/lost-updates.test.ts',
  'test/unit/configLock.test.ts',
  'test/hook/oracle.test.ts',
  'test/hook/third.test.ts',
];

const testFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
const all = testFiles('test');
const fast = all.filter((f) => FAST_FOLDERS.some((d) => f.startsWith(`${d}/`)) && !SLOW_IN_FAST_FOLDERS.includes(f));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests that boot machines or servers say so in their own timeouts; the rest run in parallel, two
    // files at a time even on a 2-core machine: the long files mostly wait (for a VPS, a cron minute, a
    // heal), and one at a time the suite took over 25 minutes.
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'fast', include: fast } },
      { extends: true, test: { name: 'full', include: all.filter((f) => !fast.includes(f)) } },
    ],
  },
});
