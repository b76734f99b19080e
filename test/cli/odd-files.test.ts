// Issue 16, files: what apply finds where it expects a plain file. Real CLI processes under --root on a
// real filesystem: a dotfiles link is written through (the link kept, said in the plan) and undone
// through it; no link leads a write out of --root; a FIFO or a device is refused at once, unread; bytes
// that are not UTF-8 are refused, not rewritten. Each refusal exits 1 and writes nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discordToken, runCli, snapshot, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();
const ENV = { BUDDY_TEST_DISCORD: discordToken('for-the-odd-files-test') };
const recipe = () =>
  writeFile(join(tempDir(), 'odd.yaml'), `name: odd\nextends: balanced\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: BUDDY_TEST_DISCORD }\n    allowFrom: ['42']\n`);
const home = (root: string) => join(root, HOME);

describe('odd files where apply expects a plain file', () => {
  it('a dotfiles link (~/.claude.json -> dotfiles/claude.json) is written through, kept, and undone through', () => {
    const root = tempDir('buddy-odd-');
    mkdirSync(join(home(root), 'dotfiles'), { recursive: true });
    writeFileSync(join(home(root), 'dotfiles', 'claude.json'), '{\n  "numStartups": 3\n}\n');
    symlinkSync('dotfiles/claude.json', join(home(root), '.claude.json'));
    const file = recipe();
    const plan = runCli(['plan', '--recipe', file, '--root', root], { env: ENV });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/~\/\.claude\.json .*\(a link to ~\/dotfiles\/claude\.json: written through, the link kept\)/);
    expect(runCli(['apply', '--yes', '--recipe', file, '--root', root], { env: ENV }).code).toBe(0);
    expect(lstatSync(join(home(root), '.claude.json')).isSymbolicLink()).toBe(true);
    const merged = JSON.parse(readFileSync(join(home(root), 'dotfiles', 'claude.json'), 'utf8'));
    expect(merged.numStartups).toBe(3);
    expect(merged.projects[join(HOME, 'work')].hasTrustDialogAccepted).toBe(true);
    // No stray temp file beside the link or the file.
    expect(readdirSync(join(home(root), 'dotfiles'))).toEqual(['claude.json']);
    const r = runCli(['uninstall', '--yes', '--recipe', file, '--root', root], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(home(root), '.claude.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(home(root), 'dotfiles', 'claude.json'), 'utf8'))).toEqual({ numStartups: 3 });
  });

  const refusals: Array<[string, (root: string, outside: string) => void, RegExp]> = [
    [
      'a symlinked .claude folder that leads out of --root',
      (root, outside) => {
        mkdirSync(join(home(root), 'work'), { recursive: true });
        symlinkSync(outside, join(home(root), 'work', '.claude'));
      },
      /work\/\.claude\/settings\.local\.json leads to .*, outside --root .* \(a symbolic link\)/,
    ],
    [
      'a ~/.claude.json link to a file outside --root',
      (root, outside) => {
        mkdirSync(home(root), { recursive: true });
        writeFileSync(join(outside, 'claude.json'), '{}');
        symlinkSync(join(outside, 'claude.json'), join(home(root), '.claude.json'));
      },
      /\.claude\.json leads to .*, outside --root/,
    ],
    [
      'a FIFO as ~/.claude.json',
      (root) => {
        mkdirSync(home(root), { recursive: true });
        expect(spawnSync('mkfifo', [join(home(root), '.claude.json')]).status).toBe(0);
      },
      /\.claude\.json is a FIFO, not a regular file: buddy-init does not read or replace it/,
    ],
    [
      'a character device (as /dev/zero) as ~/.claude.json',
      (root) => {
        mkdirSync(home(root), { recursive: true });
        expect(spawnSync('mknod', [join(home(root), '.claude.json'), 'c', '1', '5']).status).toBe(0);
      },
      /\.claude\.json is a character device, not a regular file/,
    ],
    [
      'a link to a device inside --root as the token file',
      (root) => {
        const dir = join(home(root), '.claude/channels/discord/buddies/odd');
        mkdirSync(dir, { recursive: true });
        expect(spawnSync('mknod', [join(home(root), 'zero'), 'c', '1', '5']).status).toBe(0);
        symlinkSync(join(home(root), 'zero'), join(dir, '.env'));
      },
      /buddies\/odd\/\.env is a character device, not a regular file/,
    ],
    [
      'Latin-1 bytes in ~/.claude.json',
      (root) => {
        mkdirSync(home(root), { recursive: true });
        writeFileSync(join(home(root), '.claude.json'), Buffer.from('{"name": "caf\xe9"}\n', 'latin1'));
      },
      /\.claude\.json is not UTF-8 text \(byte 13\); buddy-init will not rewrite it/,
    ],
  ];
  for (const [what, arrange, message] of refusals) {
    it(`refuses ${what}: exit 1, one line naming the path, nothing written`, () => {
      const root = tempDir('buddy-odd-');
      const outside = tempDir('buddy-outside-');
      arrange(root, outside);
      const before = { inside: snapshot(root), outside: snapshot(outside) };
      for (const command of ['plan', 'apply']) {
        const started = Date.now();
        const r = runCli([command, ...(command === 'apply' ? ['--yes'] : []), '--recipe', recipe(), '--root', root], { env: ENV, timeout: 20_000 });
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        // The path said is the one used: under --root, inside the tree (issue 28.6).
        if (/not a regular file/.test(r.stderr)) expect(r.stderr).toContain(`error: ${home(root)}/`);
        expect(Date.now() - started).toBeLessThan(15_000); // not hung on the FIFO, not reading the device
      }
      expect({ inside: snapshot(root), outside: snapshot(outside) }).toEqual(before);
      expect(existsSync(join(home(root), '.local/state/buddy-init/odd/apply-state.json'))).toBe(false);
    });
  }
});
