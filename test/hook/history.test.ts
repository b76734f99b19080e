// Inside the workdir the sandbox lets every write through, so the hook is what keeps a repository's
// history: each line below is run for real by bash in a fresh copy of a repository, and git itself says
// whether the history survived. The hook must deny every line that destroys it, and none of the
// everyday ones that do not.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: HookModule;
const origin = tempDir('buddy-history-');
const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [] };

const git = (dir: string, ...args: string[]) => spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' } });

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
  const work = join(origin, 'home', 'work');
  mkdirSync(join(work, 'build'), { recursive: true });
  mkdirSync(join(work, 'node_modules', 'x'), { recursive: true });
  writeFileSync(join(work, 'notes.md'), 'notes\n');
  writeFileSync(join(work, 'build', 'out.js'), 'x\n');
  git(work, 'init', '-q');
  git(work, 'add', 'notes.md');
  git(work, 'commit', '-q', '-m', 'first');
  git(work, 'gc', '-q'); // packs the objects, so .git/objects/pack/* exists
  const nested = join(work, 'vendor', 'lib');
  mkdirSync(nested, { recursive: true });
  writeFileSync(join(nested, 'lib.c'), '\n');
  git(nested, 'init', '-q');
  git(nested, 'add', '.');
  git(nested, 'commit', '-q', '-m', 'lib');
});

/** Runs `line` with bash in a fresh copy of the repository; whether both histories are still whole. */
function runForReal(line: string): boolean {
  const copy = tempDir('buddy-history-run-');
  cpSync(origin, copy, { recursive: true });
  const home = join(copy, 'home');
  spawnSync('bash', ['-c', line], { cwd: join(home, 'work'), env: { ...process.env, HOME: home }, encoding: 'utf8' });
  const whole = (dir: string) => git(dir, 'log', '--oneline').status === 0 && git(dir, 'fsck', '--no-progress').status === 0;
  return whole(join(home, 'work')) && whole(join(home, 'work', 'vendor', 'lib'));
}

const decide = (line: string) => {
  const home = join(origin, 'home');
  return hook.classifyCommand(line, { cwd: join(home, 'work'), home, config, deadline: performance.now() + 1000 }).decision;
};

describe("a repository's history, with bash and git as the oracle", () => {
  it.each([
    'rm -rf .git',
    'rm -rf ./.git/',
    'rm -rf ../work',
    'rm -rf ~/work',
    'cd .. && rm -rf work',
    'rm -rf vendor/lib',
    'rm -f .git/objects/pack/*',
    'rm -rf .git/objects',
    'rm .git/HEAD',
    'mv .git /tmp/elsewhere-$$',
    'mv vendor /tmp/elsewhere-$$',
    'truncate -s 0 .git/HEAD',
    'shred -u .git/index .git/HEAD',
    'find . -delete',
    'find . -name "*.pack" -delete',
    'rm -rf .[!.]* *',
  ])('%s destroys it, and the hook denies it', (line) => {
    expect(runForReal(line), `bash left the history whole after: ${line}`).toBe(false);
    expect(decide(line)).toBe('deny');
  });

  it.each(['rm -rf node_modules build', 'rm -rf build/*', 'rm notes.md', 'mv notes.md NOTES.md', 'rm -rf node_modules/x', 'find build -name "*.js" -delete'])(
    '%s leaves it whole, and the hook does not deny it',
    (line) => {
      expect(runForReal(line), `bash broke the history with: ${line}`).toBe(true);
      expect(decide(line)).not.toBe('deny');
    },
  );
});
