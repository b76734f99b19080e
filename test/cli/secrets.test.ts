// Issue 14: a token lives in exactly one place on the target, its 0600 file. Every file under the
// target is searched for every token after each step of a buddy's life: first apply, rotation, channel
// switch, uninstall without and with --purge, and an upgrade from a state file that held tokens in clear.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginLoadsEnv } from '../fixtures/channel-plugins/env-loader.js';
import { discordToken, filesUnder, runCli, telegramToken, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();

/** Every file under `root` (path, mode, text). */
const files = (root: string) => filesUnder(root).map((p) => ({ path: p.slice(root.length), mode: statSync(p).mode & 0o777, text: readFileSync(p, 'latin1') }));

/** Where each token is: the files that hold it. */
const holders = (root: string, token: string) => files(root).filter((f) => f.text.includes(token));

function recipe(dir: string, channel: 'discord' | 'telegram' | undefined): string {
  const chat = channel ? `channels:\n  ${channel}:\n    token: { env: BUDDY_TEST_CHAT }\n    allowFrom: ['42']\n` : '';
  return writeFile(join(dir, `buddy-${channel ?? 'none'}.yaml`), `name: sealed\nextends: balanced\nworkdir: ~/work\n${chat}auth:\n  oauthToken: { env: BUDDY_TEST_OAUTH }\n`);
}

const apply = (file: string, root: string, env: Record<string, string>) => {
  const r = runCli(['apply', '--recipe', file, '--root', root, '--yes'], { env });
  expect(r.code, r.stderr).toBe(0);
  return r;
};

/** `token` is in exactly the file `where` (under HOME), mode 0600. */
function onlyIn(root: string, token: string, where: string): void {
  const found = holders(root, token);
  expect(found.map((f) => f.path)).toEqual([join(HOME, where)]);
  expect(found[0]!.mode).toBe(0o600);
}

const nowhere = (root: string, token: string) => expect(holders(root, token).map((f) => f.path)).toEqual([]);

describe('secrets at rest on the target', () => {
  it('each token in exactly one 0600 file through apply, rotation, channel switch and uninstall', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const discordA = discordToken('AAAA-0123456789abcdef');
    const discordB = discordToken('BBBB-0123456789abcdef');
    const telegramC = telegramToken('telegram-token-CCCC');
    const oauth1 = 'sk-ant-oat01-first-0123456789abcdef';
    const oauth2 = 'sk-ant-oat01-second-0123456789abcdef';

    apply(recipe(dir, 'discord'), root, { BUDDY_TEST_CHAT: discordA, BUDDY_TEST_OAUTH: oauth1 });
    onlyIn(root, discordA, '.claude/channels/discord/buddies/sealed/.env');
    onlyIn(root, oauth1, '.config/buddy-init/sealed/auth.env');
    const stateDir = join(root, HOME, '.local/state/buddy-init/sealed');
    const state = JSON.parse(readFileSync(join(stateDir, 'apply-state.json'), 'utf8'));
    expect(state.files[join(HOME, '.claude/channels/discord/buddies/sealed/.env')].owned.values[0].value).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(state.files[join(HOME, '.config/buddy-init/sealed/auth.env')]).toEqual({ hmac: expect.stringMatching(/^hmac-sha256:/) });
    expect(statSync(join(stateDir, 'seal.key')).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);

    // Rotation: the new tokens replace the old ones; no backup keeps the old ones.
    apply(recipe(dir, 'discord'), root, { BUDDY_TEST_CHAT: discordB, BUDDY_TEST_OAUTH: oauth2 });
    onlyIn(root, discordB, '.claude/channels/discord/buddies/sealed/.env');
    onlyIn(root, oauth2, '.config/buddy-init/sealed/auth.env');
    nowhere(root, discordA);
    nowhere(root, oauth1);
    // The rotated .env was backed up with its value sealed.
    const backups = files(root).filter((f) => f.path.includes('/backups/'));
    expect(backups.some((f) => f.path.endsWith('discord/buddies/sealed/.env') && /^DISCORD_BOT_TOKEN=hmac-sha256:[0-9a-f]{64}$/m.test(f.text))).toBe(true);
    expect(backups.some((f) => f.path.endsWith('auth.env'))).toBe(false);
    expect(statSync(join(stateDir, 'backups')).mode & 0o777).toBe(0o700);

    // Channel switch: the Discord token leaves with the channel.
    apply(recipe(dir, 'telegram'), root, { BUDDY_TEST_CHAT: telegramC, BUDDY_TEST_OAUTH: oauth2 });
    onlyIn(root, telegramC, '.claude/channels/telegram/buddies/sealed/.env');
    nowhere(root, discordB);
    onlyIn(root, oauth2, '.config/buddy-init/sealed/auth.env');
    // The buddy's Discord folder held only buddy-init's lines: it goes, with the emptied `buddies` above it.
    expect(existsSync(join(root, HOME, '.claude/channels/discord'))).toBe(true);
    expect(existsSync(join(root, HOME, '.claude/channels/discord/buddies'))).toBe(false);

    // Uninstall keeps backups and the conversation, and no token.
    const un = runCli(['uninstall', '--recipe', recipe(dir, 'telegram'), '--root', root, '--yes'], { env: { BUDDY_TEST_CHAT: telegramC, BUDDY_TEST_OAUTH: oauth2 } });
    expect(un.code, un.stderr).toBe(0);
    for (const t of [discordA, discordB, telegramC, oauth1, oauth2]) nowhere(root, t);
    expect(existsSync(join(root, HOME, '.claude/channels/telegram/buddies'))).toBe(false);
    expect(files(root).some((f) => f.path.includes('/backups/'))).toBe(true);
    const purge = runCli(['uninstall', '--recipe', recipe(dir, 'telegram'), '--root', root, '--yes', '--purge'], { env: { BUDDY_TEST_CHAT: telegramC, BUDDY_TEST_OAUTH: oauth2 } });
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toMatch(/Nothing to do: nothing of buddy "sealed" is installed[\s\S]*removed .*buddy-init\/sealed\/ \(--purge\)/);
    expect(files(root).some((f) => f.path.includes('/backups/'))).toBe(false);
  });

  it('an upgrade seals a state file that held a token in clear and scrubs the backups', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const token = discordToken('LEGACY');
    const oauth = 'sk-ant-oat01-legacy-0123456789abcdef';
    const env = { BUDDY_TEST_CHAT: token, BUDDY_TEST_OAUTH: oauth };
    apply(recipe(dir, 'discord'), root, env);
    // What an earlier version left: format 1, the token in clear in the record, old backups holding it.
    const statePath = join(root, HOME, '.local/state/buddy-init/sealed/apply-state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    state.format = 1;
    const envPath = join(HOME, '.claude/channels/discord/buddies/sealed/.env');
    state.files[envPath] = { owned: { values: [{ path: ['DISCORD_BOT_TOKEN'], value: token }], members: [] } };
    writeFileSync(statePath, JSON.stringify(state));
    const old = join(root, HOME, '.local/state/buddy-init/sealed/backups/2026-01-01T00-00-00-000Z');
    writeFile(join(old, envPath), `DISCORD_BOT_TOKEN=${token}\nMINE=1\n`);
    writeFile(join(old, HOME, '.config/buddy-init/sealed/auth.env'), `CLAUDE_CODE_OAUTH_TOKEN=${oauth}\n`);
    writeFile(join(old, HOME, '.claude/channels/telegram/buddies/sealed/.env'), `TELEGRAM_BOT_TOKEN=${token}\n`);

    const plan = runCli(['plan', '--recipe', recipe(dir, 'discord'), '--root', root], { env });
    expect(plan.stdout + plan.stderr).toMatch(/recorded secret values in clear: apply rewrites it with keyed hashes/);
    apply(recipe(dir, 'discord'), root, env);
    onlyIn(root, token, '.claude/channels/discord/buddies/sealed/.env');
    onlyIn(root, oauth, '.config/buddy-init/sealed/auth.env');
    expect(JSON.parse(readFileSync(statePath, 'utf8')).format).toBe(2);
    expect(readFileSync(join(old, envPath), 'utf8')).toMatch(/^DISCORD_BOT_TOKEN=hmac-sha256:[0-9a-f]{64}\nMINE=hmac-sha256:/);
    // Still buddy-init's: a rotation replaces the token (the sealed record recognised the old value).
    const rotated = discordToken('NEW-0123456789abcdef');
    apply(recipe(dir, 'discord'), root, { ...env, BUDDY_TEST_CHAT: rotated });
    onlyIn(root, rotated, '.claude/channels/discord/buddies/sealed/.env');
    nowhere(root, token);
  });

  it('keeps only the newest backups of each file', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    for (let i = 0; i < 8; i++) apply(recipe(dir, 'discord'), root, { BUDDY_TEST_CHAT: discordToken(`n${i}`), BUDDY_TEST_OAUTH: 'sk-ant-oat01-x-0123456789' });
    const backups = files(root).filter((f) => f.path.includes('/backups/') && f.path.endsWith('discord/buddies/sealed/.env'));
    expect(backups).toHaveLength(5);
    // The stamps left are the newest ones, and none is empty.
    const stamps = readdirSync(join(root, HOME, '.local/state/buddy-init/sealed/backups'));
    expect(stamps).toHaveLength(5);
  });

  it('writes the .env the way the plugin reads it, whatever shape it found', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const token = discordToken('PLUGIN');
    // A file a person or an older tool left: CRLF endings, an export line of the key, a line of their own.
    const envPath = join(root, HOME, '.claude/channels/discord/buddies/sealed/.env');
    writeFile(envPath, 'export DISCORD_BOT_TOKEN=old\r\nMY_SETTING=1\r\n');
    apply(recipe(dir, 'discord'), root, { BUDDY_TEST_CHAT: token, BUDDY_TEST_OAUTH: 'sk-ant-oat01-x-0123456789' });
    const written = readFileSync(envPath, 'utf8');
    expect(written).toBe(`DISCORD_BOT_TOKEN=${token}\nMY_SETTING=1\n`);
    expect(pluginLoadsEnv(written)).toEqual({ DISCORD_BOT_TOKEN: token, MY_SETTING: '1' });
  });

  it('refuses a token the plugin could not read, at its place in the recipe, writing nothing', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const file = recipe(dir, 'discord');
    const r = runCli(['apply', '--recipe', file, '--root', root, '--yes'], { env: { BUDDY_TEST_CHAT: '"quoted token"', BUDDY_TEST_OAUTH: 'sk-ant-oat01-x-0123456789' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/buddy-discord\.yaml:\d+:\d+: channels\.discord\.token: .*blank, a quote or a backslash.*plugin reads its \.env line as it is/);
    expect(r.stderr).not.toContain('quoted token');
    expect(readdirSync(dir)).not.toContain('root');
  });
});
