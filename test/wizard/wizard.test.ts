import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, filesUnder, onLaptop, runCli, tempDir } from '../helpers.js';
import { Terminal } from '../pty.js';
import { TestSshd } from '../ssh/sshd.js';

// The real wizard in a real pseudo-terminal (a tmux pane), answered key by key like a person would.
const HOME = homedir();
// Shaped like the real thing (the wizard checks the platform's token shape); not a real token.
const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GaBcDe.wizardTypedTokenAbcdefghijklmnop0123';
const TG_TOKEN = `123456789:AAH${'x'.repeat(32)}`;
const OAUTH = 'sk-ant-oat01-wizard-typed-oauth-token-0123456789';
const wizard = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  new Terminal(onLaptop(['sh', '-c', `cd "${cwd}" && exec "$0" "$@"`, process.execPath, CLI, '--no-color', ...args], env.HOME), { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env });

/** Sends `sig` to the wizard's own node process (found by a path only its command line holds). */
function signalWizard(marker: string, sig: NodeJS.Signals): void {
  const pids = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  const comm = (pid: number) => (existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '');
  const node = pids.filter((pid) => comm(pid) === 'node');
  expect(node).toHaveLength(1);
  process.kill(node[0]!, sig);
}

const lockOf = (root: string) => join(root, HOME, '.local/state/buddy-init/.lock');

describe('wizard in a terminal', () => {
  const dir = tempDir('buddy-wizard-');
  const root = join(dir, 'root');

  it('a fresh local install: each secret checked when given, a typed token goes only to the 0600 file on the target', async () => {
    const t = wizard(dir, ['--root', root]); // --root means this machine: no "where" question
    try {
      await t.answer(/Name of your buddy/, ['jarvis', 'Enter']);
      await t.answer(/Working directory on the box \(a folder of its own/, ['Enter']); // ~/buddy
      await t.answer(/Which chat app/, ['Enter']); // Discord
      await t.answer(/How does buddy-init get the discord bot token\?/, ['Enter']); // type it now
      // Half a paste is refused at the prompt (its length said, never the value), and asked again in an
      // empty field: the right token pasted as it is goes through (issue 28.9).
      await t.answer(/discord bot token \(input hidden\)/, ['MTIzNDU2.half-a-paste', 'Enter']);
      await t.answer(/does not look like a Discord bot token \(three dot-separated parts.*got 21 characters\)/, [TOKEN, 'Enter']);
      await t.answer(/only DM people it shares a server with/, []);
      await t.answer(/User ids allowed/, ['184012345678901234', 'Enter']);
      // This machine has no Bun: the wizard asks before apply may install it.
      await t.answer(/The chat plugin runs on Bun, which the box lacks\. Let apply install it for \w+ with npm/, ['Enter']); // yes
      await t.answer(/How does Claude authenticate/, ['Enter']); // OAuth token
      await t.answer(/How does buddy-init get the Claude OAuth token\?/, ['Down', 'Enter']); // from a variable...
      await t.answer(/Environment variable name/, ['BUDDY_WIZARD_UNSET_VARIABLE', 'Enter']);
      // ...that is not set: said at once, and the person may type the token instead.
      await t.answer(/BUDDY_WIZARD_UNSET_VARIABLE is not set in this shell\.[\s\S]*Then:/, ['Enter']); // type it now instead
      await t.answer(/Claude OAuth token \(input hidden\)/, [OAUTH, 'Enter']);
      await t.answer(/Permission posture/, ['Enter']); // balanced
      await t.answer(/Add your own allow\/deny rules/, ['Enter']); // no
      await t.answer(/Start it at boot/, ['Enter']); // yes
      // Right above the question (issue 28.10): the counts, what the box lacks, and the way to the diff;
      // the files' changed lines are not there to push it all away.
      const asked = await t.waitFor(/Write buddy\.yaml and apply\?/);
      const above = asked.slice(asked.lastIndexOf('Plan for buddy "jarvis"'), asked.lastIndexOf('Write buddy.yaml and apply?'));
      expect(above).toMatch(/Target requirements:[\s\S]*missing claude/);
      expect(above).toMatch(/\d+ to create, \d+ to update, \d+ commands? to run[\s\S]*run buddy-init again with --diff\)\s*\S*\s*$/);
      expect(above).not.toMatch(/^\s*[+-] +"/m);
      expect(above.split('\n').length).toBeLessThan(45);
      await t.answer(/Write buddy\.yaml and apply\?/, ['Enter']);
      expect(await t.exitCode()).toBe(0);
      const screen = t.screen();
      // It ends with what stands between these files and a running buddy.
      expect(screen).toMatch(/The files are in place, but the buddy cannot run until [\s\S]*missing claude[\s\S]*then run apply again\.\s+EXIT=0/);
      expect(screen).toMatch(/Next steps/);
      expect(screen).toMatch(/DM your discord bot/);
      expect(screen).toMatch(/created .*\/root\/.*\/\.config\/systemd\/user\/jarvis\.service/); // where the file went, under --root
      expect(screen).toMatch(/Nothing was started: --root put the files under/);
      expect(screen.slice(screen.indexOf('Next steps'))).not.toMatch(/systemctl/);
      expect(screen).not.toContain(TOKEN);
      expect(screen).not.toContain(OAUTH);
    } finally {
      t.close();
    }
    const recipe = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/token: \{ stored: true \}/);
    expect(recipe).toMatch(/oauthToken: \{ stored: true \}/);
    expect(recipe).toMatch(/^workdir: ~\/buddy$/m);
    // The schema editors read is the copy shipped with buddy-init on this machine: no network (issue 28.7).
    const schemaPath = /^# yaml-language-server: \$schema=(\/\S+\/schema\/recipe\.schema\.json)$/m.exec(recipe)?.[1];
    expect(schemaPath).toBeDefined();
    expect(JSON.parse(readFileSync(schemaPath!, 'utf8'))).toEqual(JSON.parse(runCli(['schema']).stdout));
    expect(recipe).toMatch(/^bun: \{ install: true \}$/m);
    expect(recipe).toMatch(/^# Names the systemd unit/m);
    expect(recipe).not.toContain(TOKEN);
    const tokenFile = join(root, HOME, '.claude/channels/discord/buddies/jarvis/.env');
    expect(readFileSync(tokenFile, 'utf8')).toBe(`DISCORD_BOT_TOKEN=${TOKEN}\n`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    // The one copy: no other file here (recipe, state, backups) holds a typed secret.
    expect(filesUnder(dir).filter((f) => readFileSync(f, 'latin1').includes(TOKEN))).toEqual([tokenFile]);
    const authFile = join(root, HOME, '.config/buddy-init/jarvis/auth.env');
    expect(filesUnder(dir).filter((f) => readFileSync(f, 'latin1').includes(OAUTH))).toEqual([authFile]);
    expect(statSync(authFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'buddy.yaml.draft'))).toBe(false);
  }, 90_000);

  it('a re-run tightens the posture, shows the rule changes first, keeps a hand-granted rule and the comments', async () => {
    const settings = join(root, HOME, 'buddy/.claude/settings.local.json');
    const doc = JSON.parse(readFileSync(settings, 'utf8'));
    doc.permissions.allow.push('Bash(npm test)');
    writeFileSync(settings, JSON.stringify(doc, null, 2));
    writeFileSync(join(dir, 'buddy.yaml'), `# my own note, keep me\n${readFileSync(join(dir, 'buddy.yaml'), 'utf8')}`);
    const t = wizard(dir, ['--root', root]);
    try {
      await t.answer(/What now\?/, ['Enter']); // change the posture
      await t.answer(/Permission posture/, ['Up', 'Enter']); // strict
      await t.answer(/Add your own allow\/deny rules/, ['Enter']);
      const screen = await t.waitFor(/Write buddy\.yaml and apply\?/);
      expect(screen).toMatch(/Permission changes/);
      expect(screen).toMatch(/\+ permissions\.deny: Bash\(sudo \*\)/);
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
    expect(after.permissions.deny).toContain('Bash(sudo *)');
    expect(after.permissions.defaultMode).toBe('default');
  }, 90_000);

  it('Ctrl-C midway exits cleanly, writes nothing, and says so', async () => {
    const fresh = tempDir('buddy-wizard-ctrlc-');
    const t = wizard(fresh, ['--root', join(fresh, 'root')]);
    try {
      await t.answer(/Name of your buddy/, ['half']);
      await t.answer(/half/, ['C-c']);
      expect(await t.exitCode()).toBe(130);
      expect(t.screen()).toMatch(/cancelled; nothing was written/);
    } finally {
      t.close();
    }
    expect(filesUnder(fresh)).toEqual([]);
  }, 60_000);

  // Every answer but the last as a flag: the run waits at "Write buddy.yaml and apply?", holding the lock.
  const upToTheLastQuestion = (root: string, name: string) => ['--root', root, '--name', name, '--workdir', '~/buddy', '--chat', 'none', '--auth', 'none', '--posture', 'strict', '--no-edit-rules', '--linger'];

  for (const [sig, code] of [['SIGHUP', 129], ['SIGTERM', 143]] as const) {
    it(`${sig} at the last question (a dropped session) cleans up as Ctrl-C does: no draft, no lock, nothing written`, async () => {
      const fresh = tempDir('buddy-wizard-hup-');
      const root = join(fresh, 'root');
      const t = wizard(fresh, upToTheLastQuestion(root, 'hup'));
      try {
        await t.waitFor(/Write buddy\.yaml and apply\?/);
        // The answers are planned from the draft (0600), under the target user's lock.
        expect(statSync(join(fresh, 'buddy.yaml.draft')).mode & 0o777).toBe(0o600);
        expect(existsSync(lockOf(root))).toBe(true);
        signalWizard(root, sig);
        expect(await t.exitCode()).toBe(code);
        expect(t.screen()).toMatch(/cancelled; nothing was written/);
      } finally {
        t.close();
      }
      expect(filesUnder(fresh)).toEqual([]);
    }, 60_000);
  }

  it('a failure after the questions keeps the answers in a 0600 draft without the typed token; the next run resumes from it', async () => {
    const fresh = tempDir('buddy-wizard-draft-');
    const root = join(fresh, 'root');
    // Another buddy-init (this test process: alive, on this host) holds the lock, so the plan fails late.
    mkdirSync(dirname(lockOf(root)), { recursive: true });
    writeFileSync(lockOf(root), JSON.stringify({ pid: process.pid, host: hostname(), command: 'apply', startedAt: new Date().toISOString(), beat: 0, nonce: 'x' }));
    const args = ['--root', root, '--name', 'drafty', '--workdir', '~/buddy', '--chat', 'discord', '--allow-from', '42', '--no-install-bun', '--auth', 'none', '--posture', 'strict', '--no-edit-rules', '--linger'];
    const first = wizard(fresh, args, { BUDDY_INIT_LOCK_WAIT: '1' });
    try {
      await first.answer(/How does buddy-init get the discord bot token\?/, ['Enter']);
      await first.answer(/discord bot token \(input hidden\)/, [TOKEN, 'Enter']);
      expect(await first.exitCode()).toBe(1);
      const screen = first.screen();
      expect(screen).toMatch(/another buddy-init is applying/);
      expect(screen).toMatch(/Your answers are kept in buddy\.yaml\.draft \(0600, no secret in it\)/);
      expect(screen).not.toMatch(/\.tmp\b/);
    } finally {
      first.close();
    }
    const draft = join(fresh, 'buddy.yaml.draft');
    expect(statSync(draft).mode & 0o777).toBe(0o600);
    expect(readFileSync(draft, 'utf8')).toMatch(/^# typed secrets \(never kept here, asked again\): channels\.discord\.token$/m);
    expect(filesUnder(fresh).filter((f) => readFileSync(f, 'latin1').includes(TOKEN))).toEqual([]);
    rmSync(lockOf(root));

    const second = wizard(fresh, ['--root', root]);
    try {
      await second.answer(/buddy\.yaml\.draft holds your answers from a run that did not finish[\s\S]*Resume from them\?/, ['Enter']);
      await second.answer(/discord bot token \(typed last time, never kept; input hidden\)/, [TOKEN, 'Enter']);
      await second.answer(/Write buddy\.yaml and apply\?/, ['Enter']);
      expect(await second.exitCode()).toBe(0);
    } finally {
      second.close();
    }
    expect(existsSync(draft)).toBe(false);
    const recipe = readFileSync(join(fresh, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/^name: drafty$/m);
    expect(recipe).not.toMatch(/buddy-init draft/);
    expect(readFileSync(join(root, HOME, '.claude/channels/discord/buddies/drafty/.env'), 'utf8')).toBe(`DISCORD_BOT_TOKEN=${TOKEN}\n`);
  }, 90_000);
});

describe('wizard over SSH', () => {
  const sshd = new TestSshd();
  beforeAll(() => sshd.start(), 60_000);
  afterAll(() => sshd.stop());

  it('tests the connection and confirms the host key before any other question, then installs remotely', async () => {
    const dir = tempDir('buddy-wizard-ssh-');
    const t = wizard(dir, [], { HOME: sshd.laptop });
    try {
      await t.answer(/Where should the buddy run\?/, ['Down', 'Enter']);
      await t.answer(/SSH destination/, [sshd.destination(), 'Enter']);
      const screen = await t.waitFor(/Is this the right fingerprint\?/);
      expect(screen).toMatch(/ssh-ed25519 host key fingerprint is:\s+SHA256:/);
      expect(screen).not.toMatch(/Name of your buddy/);
      t.type('y');
      t.key('Enter');
      await t.answer(/Found on ssh/, []);
      await t.answer(/Name of your buddy/, ['remote', 'Enter']);
      await t.answer(/Working directory on the box/, ['Enter']);
      await t.answer(/Which chat app/, ['Down', 'Down', 'Enter']); // none
      await t.answer(/How does Claude authenticate/, ['Down', 'Down', 'Enter']);
      await t.answer(/Permission posture/, ['Enter']);
      await t.answer(/Add your own allow\/deny rules/, ['Enter']);
      await t.answer(/Start it at boot/, ['Enter']);
      await t.answer(/Write buddy\.yaml and apply\?/, ['Enter']);
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
    expect(filesUnder(dir)).toEqual([]);
  });

  it('with every answer as a flag, installs; --yes takes the defaults', () => {
    const dir = tempDir('buddy-wizard-flags-');
    const r = runCli(['--root', join(dir, 'root'), '--name', 'flagbud', '--chat', 'telegram', '--token-env', 'TG', '--allow-from', '42', '--auth', 'none', '--posture', 'strict', '--yes'], {
      cwd: dir,
      env: { TG: TG_TOKEN },
    });
    expect(r.code, r.stderr).toBe(0);
    const recipe = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/token: \{ env: TG \}/);
    expect(recipe).toMatch(/allowFrom:\s+- "42"/);
    expect(readFileSync(join(dir, 'root', HOME, '.claude/channels/telegram/buddies/flagbud/.env'), 'utf8')).toBe(`TELEGRAM_BOT_TOKEN=${TG_TOKEN}\n`);
    expect(r.stdout).not.toContain(TG_TOKEN);
  });

  it("where Claude Code's sandbox cannot run, stops with the fix unless told to go on without it, then writes sandbox: false", () => {
    const dir = tempDir('buddy-wizard-nosandbox-');
    // This machine with bubblewrap taken away (in a mount namespace of the run's own): no executable bwrap.
    const withoutBwrap = (args: string[]) => {
      const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind /dev/null "$(command -v bwrap)" && exec "$@"', 'sh', process.execPath, CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TG: TG_TOKEN } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const args = ['--root', join(dir, 'root'), '--name', 'nosb', '--chat', 'telegram', '--token-env', 'TG', '--allow-from', '42', '--auth', 'none', '--posture', 'balanced', '--yes'];
    const refused = withoutBwrap(args);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/the sandbox cannot run on local[^:]*: bubblewrap not found.*fix: sudo apt-get install -y bubblewrap socat, then run buddy-init again \(nothing was written\)/);
    expect(filesUnder(dir)).toEqual([]);
    const without = withoutBwrap([...args, '--without-sandbox']);
    expect(without.code, without.stderr).toBe(0);
    expect(readFileSync(join(dir, 'buddy.yaml'), 'utf8')).toMatch(/^sandbox: false$/m);
    expect(existsSync(join(dir, 'root', HOME, '.config/buddy-init/nosb/claude-settings.json'))).toBe(false);
  });

  it('checks a secret source when it is chosen: an unset variable or a token of the wrong shape stops at once, naming it', () => {
    const dir = tempDir('buddy-wizard-flags-');
    // --yes takes the defaults: Discord, its token from DISCORD_BOT_TOKEN, here unset.
    const unset = runCli(['--root', join(dir, 'root'), '--yes'], { cwd: dir, env: { DISCORD_BOT_TOKEN: '' } });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/^error: --token-env DISCORD_BOT_TOKEN: DISCORD_BOT_TOKEN is not set in this shell \(the discord bot token; set it, or run buddy-init in a terminal to type it\)$/m);
    const shape = runCli(['--root', join(dir, 'root'), '--chat', 'telegram', '--token-env', 'TG', '--allow-from', '42', '--yes'], { cwd: dir, env: { TG: TOKEN } });
    expect(shape.code).toBe(2);
    expect(shape.stderr).toMatch(/--token-env TG: TG does not look like a Telegram bot token \(digits, a colon, 35 characters.*got 71 characters\)/);
    expect(shape.stderr).not.toContain(TOKEN);
    const auth = runCli(['--root', join(dir, 'root'), '--chat', 'none', '--auth', 'oauth', '--auth-env', 'NOPE_UNSET', '--yes'], { cwd: dir });
    expect(auth.code).toBe(2);
    expect(auth.stderr).toMatch(/--auth-env NOPE_UNSET: NOPE_UNSET is not set in this shell \(the Claude OAuth token/);
    expect(filesUnder(dir)).toEqual([]);
  });

  it('refuses a chat nobody may talk to, unless pairing is chosen', () => {
    const dir = tempDir('buddy-wizard-flags-');
    const base = ['--root', join(dir, 'root'), '--name', 'pairbud', '--chat', 'telegram', '--token-env', 'TG', '--auth', 'none', '--yes'];
    const nobody = runCli(base, { cwd: dir, env: { TG: TG_TOKEN } });
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toMatch(/--allow-from: nobody is allowlisted, so the bot would answer nobody; .* or pass --dm-policy pairing/);
    expect(filesUnder(dir)).toEqual([]);
    const pairing = runCli([...base, '--dm-policy', 'pairing'], { cwd: dir, env: { TG: TG_TOKEN } });
    expect(pairing.code, pairing.stderr).toBe(0);
    expect(readFileSync(join(dir, 'buddy.yaml'), 'utf8')).toMatch(/^\s+dmPolicy: pairing$/m);
    expect(JSON.parse(readFileSync(join(dir, 'root', HOME, '.claude/channels/telegram/buddies/pairbud/access.json'), 'utf8')).dmPolicy).toBe('pairing');
    expect(pairing.stdout).toMatch(/it answers with a pairing code: approve it with (npx )?buddy-init pair CODE/);
  });

  it('refuses a bad answer given as a flag, naming it', () => {
    const dir = tempDir('buddy-wizard-flags-');
    const r = runCli(['--root', join(dir, 'root'), '--name', 'Bad Name', '--yes'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name Bad Name: 2-40 lowercase letters/);
    const rule = runCli(['--root', join(dir, 'root'), '--allow', 'Bash(:*)', '--yes', '--chat', 'none', '--auth', 'none'], { cwd: dir });
    expect(rule.code).toBe(2);
    expect(rule.stderr).toMatch(/--allow Bash\(:\*\): Claude Code would skip it: Prefix cannot be empty before :\*/);
    // A bare command is taken for what it is, not "capitalise it into a tool name".
    const bare = runCli(['--root', join(dir, 'root'), '--allow', 'npm run build', '--yes', '--chat', 'none', '--auth', 'none'], { cwd: dir });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--allow npm run build: Claude Code would skip it: Tool names must start with uppercase\. Did you mean "Bash\(npm run build\)"\?$/m);
    const tool = runCli(['--root', join(dir, 'root'), '--allow', 'read', '--yes', '--chat', 'none', '--auth', 'none'], { cwd: dir });
    expect(tool.stderr).toMatch(/--allow read: .*Use "Read"/);
  });

  it('re-runs by flags: change the chat settings (comments kept), re-apply, uninstall', () => {
    const dir = tempDir('buddy-wizard-rerun-');
    const root = join(dir, 'root');
    const first = runCli(['--root', root, '--name', 'rerun', '--chat', 'none', '--auth', 'none', '--yes'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(dir, 'buddy.yaml'), `${readFileSync(join(dir, 'buddy.yaml'), 'utf8')}# trailing note of mine\n`);
    const chat = runCli(['--root', root, '--action', 'chat', '--chat', 'discord', '--token-env', 'DT', '--allow-from', '11', '22', '--yes'], { cwd: dir, env: { DT: TOKEN } });
    expect(chat.code, chat.stderr).toBe(0);
    const recipe = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    expect(recipe).toMatch(/channels:\n\s+discord:\n\s+token: \{ env: DT \}\n\s+allowFrom:\n\s+- "11"\n\s+- "22"/);
    expect(recipe).toMatch(/# trailing note of mine/);
    expect(JSON.parse(readFileSync(join(root, HOME, '.claude/channels/discord/buddies/rerun/access.json'), 'utf8')).allowFrom).toEqual(['11', '22']);
    // The re-run's chat change checks its secret source as the first run does, before anything changes.
    const before = readFileSync(join(dir, 'buddy.yaml'), 'utf8');
    const unset = runCli(['--root', root, '--action', 'chat', '--chat', 'telegram', '--token-env', 'UNSET_TG', '--allow-from', '5', '--yes'], { cwd: dir });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/--token-env UNSET_TG: UNSET_TG is not set in this shell/);
    expect(readFileSync(join(dir, 'buddy.yaml'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'buddy.yaml.draft'))).toBe(false);
    const again = runCli(['--root', root, '--action', 'apply', '--yes'], { cwd: dir, env: { DT: TOKEN } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    const gone = runCli(['--root', root, '--action', 'uninstall', '--yes'], { cwd: dir });
    expect(gone.code, gone.stderr).toBe(0);
    expect(existsSync(join(root, HOME, '.config/systemd/user/rerun.service'))).toBe(false);
  });
});
