// Issue 16: one buddy-init at a time per target user. Real CLI processes under --root: a lock held by a
// live process makes a second apply wait, then fail naming the holder, with nothing written; a lock
// whose holder is gone (dead pid here, or a machine that stopped beating) is taken over, with a message;
// applies of two buddies started all at once all land, none losing another's keys.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discordToken, runCli, runCliAsync, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();
const ENV = { BUDDY_TEST_DISCORD: discordToken('for-the-lock-test-0123') };
const recipe = (dir: string, name: string) =>
  writeFile(join(dir, `${name}.yaml`), `name: ${name}\nextends: balanced\nworkdir: ~/${name}\nchannels:\n  discord:\n    token: { env: BUDDY_TEST_DISCORD }\n    allowFrom: ['4${name.length}']\n`);
const lockFile = (root: string) => join(root, HOME, '.local/state/buddy-init/.lock');
const holdLock = (root: string, holder: object) => {
  mkdirSync(join(root, HOME, '.local/state/buddy-init'), { recursive: true });
  writeFileSync(lockFile(root), JSON.stringify({ command: 'apply', startedAt: '2026-12-02T10:00:00.000Z', beat: 0, nonce: 'x', ...holder }));
};

describe('the target lock', () => {
  it('held by a live process: apply waits, then fails naming it, and writes nothing', () => {
    const root = tempDir('buddy-lock-');
    const sleeper = spawn('sleep', ['60']);
    try {
      holdLock(root, { pid: sleeper.pid, host: hostname() });
      const started = Date.now();
      const r = runCli(['apply', '--yes', '--recipe', recipe(tempDir(), 'ada'), '--root', root], { env: { ...ENV, BUDDY_INIT_LOCK_WAIT: '2' } });
      expect(r.code).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      expect(r.stderr).toContain(`another buddy-init is applying on local, rebased under ${root} (pid ${sleeper.pid} from ${hostname()}, apply, since 2026-12-02T10:00:00.000Z)`);
      // The file to remove is named where it is: inside the tree (issue 28.6).
      expect(r.stderr).toContain(`or remove ${join(root, HOME, '.local/state/buddy-init/.lock')} if you are sure`);
      expect(existsSync(join(root, HOME, '.claude.json'))).toBe(false);
      // uninstall and doctor --fix wait for it too.
      expect(runCli(['uninstall', '--yes', '--recipe', recipe(tempDir(), 'ada'), '--root', root], { env: { BUDDY_INIT_LOCK_WAIT: '1' } }).stderr).toContain('another buddy-init is applying');
    } finally {
      sleeper.kill();
    }
  });

  it("left by a process that is gone: taken over with a message, and released after", () => {
    const root = tempDir('buddy-lock-');
    const gone = spawn('true');
    holdLock(root, { pid: gone.pid, host: hostname() });
    return new Promise<void>((resolve) => gone.on('exit', resolve)).then(() => {
      const r = runCli(['apply', '--yes', '--recipe', recipe(tempDir(), 'ada'), '--root', root], { env: ENV });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`taking over a stale lock .*pid ${gone.pid} from .*: that process is gone`));
      expect(existsSync(lockFile(root))).toBe(false);
    });
  });

  it('left by another machine that stopped beating: taken over after the stale time', () => {
    const root = tempDir('buddy-lock-');
    holdLock(root, { pid: 1, host: 'laptop-that-lost-power' });
    const r = runCli(['apply', '--yes', '--recipe', recipe(tempDir(), 'ada'), '--root', root], { env: { ...ENV, BUDDY_INIT_LOCK_WAIT: '20' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/taking over a stale lock .*pid 1 from laptop-that-lost-power.*no sign of life for 8 s/);
  }, 30_000);

  it('eight buddies applied at once, and one of them four times more: every apply lands, no trust flag or allowlist id lost', async () => {
    const root = tempDir('buddy-lock-');
    const dir = tempDir();
    const names = ['ada', 'bob', 'cyd', 'dee', 'eve', 'fay', 'gus', 'hal'];
    const files = names.map((n) => recipe(dir, n));
    const runs = await Promise.all([...files, ...files.slice(0, 4).map(() => files[0]!)].map((f) => runCliAsync(['apply', '--yes', '--recipe', f, '--root', root], { env: { ...ENV, BUDDY_INIT_LOCK_WAIT: '120' } })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const claudeJson = JSON.parse(readFileSync(join(root, HOME, '.claude.json'), 'utf8'));
    for (const [i, name] of names.entries()) {
      expect(claudeJson.projects[join(HOME, name)]?.hasTrustDialogAccepted, name).toBe(true);
      const access = JSON.parse(readFileSync(join(root, HOME, `.claude/channels/discord/buddies/${name}/access.json`), 'utf8'));
      expect(access.allowFrom).toEqual(['43']);
      // Each state file is whole, and nothing is left to do.
      expect(runCli(['plan', '--recipe', files[i]!, '--root', root], { env: ENV }).stdout, name).toContain('No changes');
    }
    expect(existsSync(lockFile(root))).toBe(false);
  }, 180_000);
});

describe('refusals', () => {
  it('a state written by a newer buddy-init', () => {
    const root = tempDir('buddy-lock-');
    writeFile(join(root, HOME, '.local/state/buddy-init/ada/apply-state.json'), JSON.stringify({ format: 2, buddyInit: '9.9.9', name: 'ada', appliedAt: 'x', files: {}, pendingEffects: [] }));
    const r = runCli(['apply', '--yes', '--recipe', recipe(tempDir(), 'ada'), '--root', root], { env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/apply-state\.json on local.* was written by buddy-init 9\.9\.9, this is 0\.1\.0; upgrade buddy-init/);
  });

  it('an empty --root (an unset variable) is an error, not the real home', () => {
    const r = runCli(['apply', '--yes', '--recipe', recipe(tempDir(), 'ada'), '--root', ''], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--root is empty \(an unset variable\?\)/);
  });
});
