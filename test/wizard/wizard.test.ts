import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, onLaptop, runCli, tempDir } from '../helpers.js';
import { Terminal } from '../pty.js';
import { TestSshd } from '../ssh/sshd.js';

// The real wizard in a real pseudo-terminal (a tmux pane), answered key by key like a person would.
const HOME = homedir();
const TOKEN = 'wizard-typed-token-0123456789abcdef';
const wizard = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  new Terminal(onLaptop(['sh', '-c', `cd "${cwd}" && exec "$0" "$@"`, process.execPath, CLI, '--no-color', ...args], env.HOME), { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env });

async function answer(t: Terminal, prompt: RegExp, keys: string[]): Promise<void> {
  await t.waitFor(prompt);
  for (const k of keys) {
    if (/^(Enter|Up|Down|C-c|Space)$/.test(k)) t.key(k);
    else t.type(k);
    await new Promise((r) => setTimeout(r, 60));
  }
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : out.push(join(d, e.name));
  };
  walk(dir);
  return out;
}

describe('wizard in a terminal', () => {
  const dir = tempDir('buddy-wizard-');
  const root = join(dir, 'root');

  it('a fresh local install: a typed token goes only to the 0600 file on the target', async () => {
    const t = wizard(dir, ['--root', root]); // --root means this machine: no "where" question
    try {
      await answer(t, /Name of your buddy/, ['jarvis', 'Enter']);
      await answer(t, /Working directory on the box/, ['Enter']);
      await answer(t, /Which chat app/, ['Enter']); // Discord
      await answer(t, /How does buddy-init get the discord bot token\?/, ['Enter']); // type it now
      await answer(t, /discord bot token \(input hidden\)/, [TOKEN, 'Enter']);
      await answer(t, /User ids allowed/, ['184012345678901234', 'Enter']);
      // This machine has no Bun: the wizard asks before apply may install it.
      await answer(t, /The chat plugin runs on Bun, which the box lacks\. Let apply install it for \w+ with npm/, ['Enter']); // yes
      await answer(t, /How does Claude authenticate/, ['Down', 'Down', 'Enter']); // already logged in
      await answer(t, /Permission posture/, ['Enter']); // balanced
      await answer(t, /Add your own allow\/deny rules/, ['Enter']); // no
      await answer(t, /Start it at boot/, ['Enter']); // yes
      await answer(t, /Write buddy\.yaml and apply\?/, ['Enter']);
      expect(await t.exitCode()).toBe(0);
      const screen = t.screen();
      expect(screen).toMatch(/Next steps/);
      expect(screen).toMatch(/DM your discord bot/);
      expect(screen).not.toContain(TOKEN);
    } finally {
      t.close();
    }
    const recipe = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/token: \{ stored: true \}/);
    expect(recipe).toMatch(/^bun: \{ install: true \}$/m);
    expect(recipe).toMatch(/^# Names the systemd unit/m);
    expect(recipe).not.toContain(TOKEN);
    const tokenFile = join(root, HOME, '.claude/channels/discord/buddies/jarvis/.env');
    expect(readFileSync(tokenFile, 'utf8')).toBe(`DISCORD_BOT_TOKEN=${TOKEN}\n`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    // The one copy: no other file here (recipe, state, backups) holds the typed token.
    expect(files(dir).filter((f) => readFileSync(f, 'latin1').includes(TOKEN))).toEqual([tokenFile]);
  }, 90_000);

  it('a re-run tightens the posture, shows the rule changes first, keeps a hand-granted rule and the comments', async () => {
    const settings = join(root, HOME, '.claude/settings.local.json');
    const doc = JSON.parse(readFileSync(settings, 'utf8'));
    doc.permissions.allow.push('Bash(npm test)');
    writeFileSync(settings, JSON.stringify(doc, null, 2));
    writeFileSync(join(dir, 'buddy.yaml'), `# my own note, keep me\n${readFileSync(join(dir, 'buddy.yaml'), 'utf8')}`);
    const t = wizard(dir, ['--root', root]);
    try {
      await answer(t, /What now\?/, ['Enter']); // change the posture
      await answer(t, /Permission posture/, ['Up', 'Enter']); // strict
      await answer(t, /Add your own allow\/deny rules/, ['Enter']);
      const screen = await t.waitFor(/Write buddy\.yaml and apply\?/);
      expect(screen).toMatch(/Permission changes/);
      expect(screen).toMatch(/- permissions\.allow: Bash\(git log \*\)/);
      expect(screen).toMatch(/= permissions\.allow: Bash\(npm test\) \(yours, kept\)/);
      expect(readFileSync(join(dir, 'buddy.yaml'), 'utf8')).toMatch(/extends: balanced/); // not yet written
      t.key('Enter');
      expect(await t.exitCode()).toBe(0);
    } finally {
      t.close();
    }
    const recipe = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/^# my own note, keep me$/m);
    expect(recipe).toMatch(/^extends: strict$/m);
    const after = JSON.parse(readFileSync(settings, 'utf8'));
    expect(after.permissions.allow).toContain('Bash(npm test)');
    expect(after.permissions.allow).not.toContain('Bash(git log *)');
    expect(after.permissions.defaultMode).toBe('default');
  }, 90_000);

  it('Ctrl-C midway exits cleanly, writes nothing, and says so', async () => {
    const fresh = tempDir('buddy-wizard-ctrlc-');
    const t = wizard(fresh, ['--root', join(fresh, 'root')]);
    try {
      await answer(t, /Name of your buddy/, ['half']);
      await answer(t, /half/, ['C-c']);
      expect(await t.exitCode()).toBe(130);
      expect(t.screen()).toMatch(/cancelled; nothing was written/);
    } finally {
      t.close();
    }
    expect(files(fresh)).toEqual([]);
  }, 60_000);
});

describe('wizard over SSH', () => {
  const sshd = new TestSshd();
  beforeAll(() => sshd.start(), 60_000);
  afterAll(() => sshd.stop());

  it('tests the connection and confirms the host key before any other question, then installs remotely', async () => {
    const dir = tempDir('buddy-wizard-ssh-');
    const t = wizard(dir, [], { HOME: sshd.laptop });
    try {
      await answer(t, /Where should the buddy run\?/, ['Down', 'Enter']);
      await answer(t, /SSH destination/, [sshd.destination(), 'Enter']);
      const screen = await t.waitFor(/Is this the right fingerprint\?/);
      expect(screen).toMatch(/ssh-ed25519 host key fingerprint is:\s+SHA256:/);
      expect(screen).not.toMatch(/Name of your buddy/);
      t.type('y');
      t.key('Enter');
      await answer(t, /Found on ssh/, []);
      await answer(t, /Name of your buddy/, ['remote', 'Enter']);
      await answer(t, /Working directory on the box/, ['Enter']);
      await answer(t, /Which chat app/, ['Down', 'Down', 'Enter']); // none
      await answer(t, /How does Claude authenticate/, ['Down', 'Down', 'Enter']);
      await answer(t, /Permission posture/, ['Enter']);
      await answer(t, /Add your own allow\/deny rules/, ['Enter']);
      await answer(t, /Start it at boot/, ['Enter']);
      await answer(t, /Write buddy\.yaml and apply\?/, ['Enter']);
      expect(await t.exitCode()).toBe(0);
    } finally {
      t.close();
    }
    expect(readFileSync(join(dir, 'buddy.yaml'), 'utf8')).toMatch(new RegExp(`target: \\{ ssh: ${sshd.user}@127\\.0\\.0\\.1:${sshd.port} \\}`));
    expect(existsSync(join(sshd.home, '.config/systemd/user/remote.service'))).toBe(true);
    expect(readFileSync(join(sshd.laptop, '.ssh', 'known_hosts'), 'utf8')).toContain(sshd.hostKey());
  }, 90_000);
});

describe('wizard without a terminal', () => {
  it('lists the missing flags instead of hanging, and writes nothing', () => {
    const dir = tempDir('buddy-wizard-flags-');
    const r = runCli(['--root', join(dir, 'root'), '--chat', 'discord'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no terminal to ask, and these answers are missing: --name --workdir --token-env --allow-from --install-bun --auth .*--posture --linger/);
    expect(files(dir)).toEqual([]);
  });

  it('with every answer as a flag, installs; --yes takes the defaults', () => {
    const dir = tempDir('buddy-wizard-flags-');
    const r = runCli(['--root', join(dir, 'root'), '--name', 'flagbud', '--chat', 'telegram', '--token-env', 'TG', '--allow-from', '42', '--auth', 'none', '--posture', 'strict', '--yes'], {
      cwd: dir,
      env: { TG: 'telegram-token-from-env-12345' },
    });
    expect(r.code, r.stderr).toBe(0);
    const recipe = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/token: \{ env: TG \}/);
    expect(recipe).toMatch(/allowFrom:\s+- "42"/);
    expect(readFileSync(join(dir, 'root', HOME, '.claude/channels/telegram/buddies/flagbud/.env'), 'utf8')).toBe('TELEGRAM_BOT_TOKEN=telegram-token-from-env-12345\n');
    expect(r.stdout).not.toContain('telegram-token-from-env-12345');
  });

  it('refuses a bad answer given as a flag, naming it', () => {
    const dir = tempDir('buddy-wizard-flags-');
    const r = runCli(['--root', join(dir, 'root'), '--name', 'Bad Name', '--yes'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name Bad Name: 2-40 lowercase letters/);
    const rule = runCli(['--root', join(dir, 'root'), '--allow', 'Bash(:*)', '--yes', '--chat', 'none', '--auth', 'none'], { cwd: dir });
    expect(rule.code).toBe(2);
    expect(rule.stderr).toMatch(/--allow Bash\(:\*\): Claude Code would skip it: Prefix cannot be empty before :\*/);
  });

  it('re-runs by flags: change the chat settings (comments kept), re-apply, uninstall', () => {
    const dir = tempDir('buddy-wizard-rerun-');
    const root = join(dir, 'root');
    const first = runCli(['--root', root, '--name', 'rerun', '--chat', 'none', '--auth', 'none', '--yes'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(dir, 'buddy.yaml'), `${readFileSync(join(dir, 'buddy.yaml'), 'utf8')}# trailing note of mine\n`);
    const chat = runCli(['--root', root, '--action', 'chat', '--chat', 'discord', '--token-env', 'DT', '--allow-from', '11', '22', '--yes'], { cwd: dir, env: { DT: 'discord-token-rerun-0123456789' } });
    expect(chat.code, chat.stderr).toBe(0);
    const recipe = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/channels:\n\s+discord:\n\s+token: \{ env: DT \}\n\s+allowFrom:\n\s+- "11"\n\s+- "22"/);
    expect(recipe).toMatch(/# trailing note of mine/);
    expect(JSON.parse(readFileSync(join(root, HOME, '.claude/channels/discord/buddies/rerun/access.json'), 'utf8')).allowFrom).toEqual(['11', '22']);
    const again = runCli(['--root', root, '--action', 'apply', '--yes'], { cwd: dir, env: { DT: 'discord-token-rerun-0123456789' } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    const gone = runCli(['--root', root, '--action', 'uninstall', '--yes'], { cwd: dir });
    expect(gone.code, gone.stderr).toBe(0);
    expect(existsSync(join(root, HOME, '.config/systemd/user/rerun.service'))).toBe(false);
  });
});
