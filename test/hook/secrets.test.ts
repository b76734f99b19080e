// Secrets on a real filesystem: a home with the buddy's token, an SSH key and the usual credential
// files, links pointing at them, globs of every kind, /proc/self/root, and repositories whose
// configuration runs programs. The hook must find them the way bash will reach them.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: HookModule;
const home = tempDir('buddy-secrets-home-');
const work = join(home, 'work');
const token = join(home, '.claude/channels/discord/.env');
const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [token] };

const file = (path: string, text = 'x\n') => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
  file(token, 'DISCORD_BOT_TOKEN=secret\n');
  file(join(home, '.ssh/id_ed25519'));
  file(join(home, '.ssh/id_ed25519.pub'));
  file(join(home, '.aws/credentials'));
  // Another buddy's token, in the per-buddy layout: not in this buddy's protectedPaths.
  file(join(home, '.claude/channels/telegram/buddies/other/.env'), 'TELEGRAM_BOT_TOKEN=secret\n');
  file(join(home, '.local/state/buddy-init/buddy/backups/auth.env.1'));
  file(join(work, 'notes.md'));
  symlinkSync(token, join(work, 'innocent.txt'));
  mkdirSync(join(work, 'docs'));
  symlinkSync(join(home, '.ssh'), join(work, 'docs', 'keys'));
  // A repository whose own configuration runs a program on `git status`.
  mkdirSync(join(work, 'evil'));
  spawnSync('git', ['init', '-q', join(work, 'evil')]);
  spawnSync('git', ['-C', join(work, 'evil'), 'config', 'core.fsmonitor', 'touch /tmp/pwned']);
  // A bare repository: git finds it as the folder itself, with no .git inside.
  spawnSync('git', ['init', '-q', '--bare', join(work, 'bare.git')]);
  spawnSync('git', ['-C', join(work, 'bare.git'), 'config', 'core.pager', 'touch /tmp/pwned']);
  mkdirSync(join(work, 'plain'));
  spawnSync('git', ['init', '-q', join(work, 'plain')]);
  // File names that read as options once a glob expands.
  mkdirSync(join(work, 'odd'));
  file(join(work, 'odd', '--compress-program=sh'));
});

const decide = (command: string, cwd = work) => hook.classifyCommand(command, { cwd, home, config, deadline: performance.now() + 1000 });

describe('secrets on the real filesystem', () => {
  it.each([
    ['cat ~/.claude/channels/discord/.env'],
    ['cat innocent.txt'],
    ['head -c 100 ./innocent.txt'],
    ['cat ~/.ssh/id_ed25519'],
    ['cat ~/.ssh/*'],
    ['cat ~/.ssh/id_*'],
    ['cat docs/keys/id_ed25519'],
    ['cat docs/*/id_ed25519'],
    ['grep -r TOKEN ~/.c*'],
    ['grep -rn . ~'],
    ['cat ~/.aws/cred?ntials'],
    ['cat ~/.[a]ws/credentials'],
    ['cat /proc/self/root' + token],
    ['cat ~/.local/state/buddy-init/buddy/backups/*'],
    ['cat ~/.claude/channels/telegram/buddies/other/.env'],
    ['grep TOKEN ~/.claude/channels/*/buddies/*/.env'],
    ['base64 < innocent.txt'],
    ['cp innocent.txt /tmp/x'],
  ])('%s is denied', (command) => {
    const d = decide(command);
    expect(d.decision, d.reason).toBe('deny');
    expect(d.reason).toMatch(/holds a secret|would read it|folder that holds it/);
  });

  it.each([['cat ~/.ssh/id_ed25519.pub'], ['ls -la ~/.ssh'], ['cat notes.md'], ['grep -rn x .'], ['stat innocent.txt'], ['cat *.md']])('%s is allowed', (command) => {
    const d = decide(command);
    expect(d.decision, d.reason).toBe('allow');
  });

  it('lets ssh use a key it does not print', () => {
    expect(decide('ssh -i ~/.ssh/id_ed25519 git@example.com').decision).toBe('none');
  });

  it('reads git repositories whose configuration runs nothing, and only those', () => {
    expect(decide('git status', join(work, 'plain')).decision).toBe('allow');
    expect(decide('git -C plain log --oneline').decision).toBe('allow');
    const evil = decide('git status', join(work, 'evil'));
    expect(evil.decision).toBe('none');
    expect(evil.reason).toMatch(/fsmonitor, a program git would run/);
    expect(decide('git -C evil status').decision).toBe('none');
    expect(decide('git -C bare.git log').reason).toMatch(/bare\.git\/config sets core\.pager/);
  });

  it('does not allow a glob that expands into options', () => {
    const d = decide('sort *', join(work, 'odd'));
    expect(d.decision).not.toBe('allow');
  });
});
