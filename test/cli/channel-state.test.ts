// Issue 14: each buddy's chat plugin keeps its token, allowlist and inbox in a folder of its own, named to
// the plugin by DISCORD_STATE_DIR / TELEGRAM_STATE_DIR. Two buddies of one user on one app must not share
// a token or an allowlist; two on one Telegram token must not be applied (Telegram gives a bot's updates
// to one poller, and the plugin kills the poller whose pid it finds in its folder); an upgrade from the
// shared folder of earlier versions moves the token and leaves nothing of it behind.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginLoadsEnv, pluginStateDir } from '../fixtures/channel-plugins/env-loader.js';
import { discordToken, filesUnder, runCli, telegramToken, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();
const OAUTH = 'sk-ant-oat01-chan-0123456789abcdef';

function recipe(dir: string, name: string, channel: 'discord' | 'telegram', token: string, allow: string): string {
  return writeFile(
    join(dir, `${name}.yaml`),
    `name: ${name}\nextends: balanced\nworkdir: ~/${name}\nchannels:\n  ${channel}:\n    token: ${token}\n    allowFrom: ['${allow}']\nauth:\n  oauthToken: { env: BUDDY_TEST_OAUTH }\n`,
  );
}

const cli = (args: string[], root: string, env: Record<string, string> = {}) => runCli([...args, '--root', root], { env: { BUDDY_TEST_OAUTH: OAUTH, ...env } });
const at = (root: string, path: string) => join(root, HOME, path);
const read = (root: string, path: string) => readFileSync(at(root, path), 'utf8');

/** Every file under `root` whose bytes hold `needle`. */
const holders = (root: string, needle: string) => filesUnder(root).filter((p) => readFileSync(p, 'latin1').includes(needle)).map((p) => p.slice(root.length));

describe('a chat state folder per buddy', () => {
  it('two buddies on Discord get a folder, a token and an allowlist each, and claude is told which', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const ta = discordToken('ALPHA-0123456789abcdef');
    const tb = discordToken('BRAVO-0123456789abcdef');
    for (const [name, token, allow] of [['alpha', ta, '11'], ['bravo', tb, '22']] as const) {
      const r = cli(['apply', '--yes', '--recipe', recipe(dir, name, 'discord', '{ env: BUDDY_TEST_CHAT }', allow)], root, { BUDDY_TEST_CHAT: token });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(holders(root, ta)).toEqual([join(HOME, '.claude/channels/discord/buddies/alpha/.env')]);
    expect(holders(root, tb)).toEqual([join(HOME, '.claude/channels/discord/buddies/bravo/.env')]);
    expect(JSON.parse(read(root, '.claude/channels/discord/buddies/alpha/access.json')).allowFrom).toEqual(['11']);
    expect(JSON.parse(read(root, '.claude/channels/discord/buddies/bravo/access.json')).allowFrom).toEqual(['22']);
    // The plugin's default folder is nobody's.
    expect(existsSync(at(root, '.claude/channels/discord/.env'))).toBe(false);
    expect(existsSync(at(root, '.claude/channels/discord/access.json'))).toBe(false);
    // What each buddy's plugin reads, by the plugin's own code, given the environment claude starts with.
    for (const [name, token] of [['alpha', ta], ['bravo', tb]] as const) {
      const supervisor = JSON.parse(read(root, `.config/buddy-init/${name}/supervisor.json`));
      const stateDir = pluginStateDir('discord', supervisor.env, HOME);
      expect(stateDir).toBe(join(HOME, `.claude/channels/discord/buddies/${name}`));
      expect(pluginLoadsEnv(readFileSync(join(root, stateDir, '.env'), 'utf8')).DISCORD_BOT_TOKEN).toBe(token);
      expect(supervisor.env.TELEGRAM_STATE_DIR).toBeUndefined();
    }
    // Uninstalling one leaves the other's token and allowlist as they were.
    expect(cli(['uninstall', '--yes', '--recipe', join(dir, 'alpha.yaml')], root).code).toBe(0);
    expect(holders(root, ta)).toEqual([]);
    expect(existsSync(at(root, '.claude/channels/discord/buddies/alpha'))).toBe(false);
    expect(holders(root, tb)).toEqual([join(HOME, '.claude/channels/discord/buddies/bravo/.env')]);
    expect(JSON.parse(read(root, '.claude/channels/discord/buddies/bravo/access.json')).allowFrom).toEqual(['22']);
  });

  it('a second buddy on a Telegram token already in use is refused, naming the holder, writing nothing', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const token = telegramToken('telegram-token-SHARED');
    const first = cli(['apply', '--yes', '--recipe', recipe(dir, 'one', 'telegram', '{ env: BUDDY_TEST_CHAT }', '11')], root, { BUDDY_TEST_CHAT: token });
    expect(first.code, first.stderr).toBe(0);
    const second = recipe(dir, 'two', 'telegram', '{ env: BUDDY_TEST_CHAT }', '22');
    const plan = cli(['plan', '--recipe', second], root, { BUDDY_TEST_CHAT: token });
    expect(plan.stdout + plan.stderr).toMatch(/apply cannot run: the Telegram bot token is already used by .*telegram\/buddies\/one\/\.env/);
    const refused = cli(['apply', '--yes', '--recipe', second], root, { BUDDY_TEST_CHAT: token });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error: apply cannot run: the Telegram bot token is already used by .*\/buddies\/one\/\.env: .*@BotFather\)$/m);
    expect(existsSync(at(root, '.config/buddy-init/two'))).toBe(false);
    expect(existsSync(at(root, '.claude/channels/telegram/buddies/two'))).toBe(false);
    // A token the person set up by hand in the plugin's own folder counts too.
    writeFile(at(root, '.claude/channels/telegram/.env'), `TELEGRAM_BOT_TOKEN=${telegramToken('by-hand-token')}\n`);
    const byHand = cli(['apply', '--yes', '--recipe', second], root, { BUDDY_TEST_CHAT: telegramToken('by-hand-token') });
    expect(byHand.stderr).toMatch(/already used by .*channels\/telegram\/\.env/);
    // Its own bot: applied, and a re-apply of the first is not blocked by its own file.
    expect(cli(['apply', '--yes', '--recipe', second], root, { BUDDY_TEST_CHAT: telegramToken('token-of-two') }).code).toBe(0);
    expect(cli(['apply', '--yes', '--recipe', join(dir, 'one.yaml')], root, { BUDDY_TEST_CHAT: token }).code).toBe(0);
  });

  it('an upgrade from the shared folder moves the token to the buddy folder and leaves none behind', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const token = discordToken('OLDLAYOUT');
    const file = recipe(dir, 'mover', 'discord', '{ env: BUDDY_TEST_CHAT }', '42');
    expect(cli(['apply', '--yes', '--recipe', file], root, { BUDDY_TEST_CHAT: token }).code).toBe(0);
    // Turn what this version wrote into what the shared-folder versions wrote: the token and access
    // policy in the plugin's default folder, a format-1 state file recording the token in clear, a
    // person's own line in the .env and an id they paired by hand.
    const own = '.claude/channels/discord/buddies/mover';
    const shared = '.claude/channels/discord';
    writeFileSync(at(root, `${shared}/.env`), `DISCORD_BOT_TOKEN=${token}\nMY_SETTING=1\n`, { mode: 0o600 });
    const access = JSON.parse(read(root, `${own}/access.json`));
    access.allowFrom.push('777');
    writeFileSync(at(root, `${shared}/access.json`), JSON.stringify(access));
    rmSync(at(root, own), { recursive: true });
    const statePath = at(root, '.local/state/buddy-init/mover/apply-state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    state.format = 1;
    delete state.files[join(HOME, own, '.env')];
    state.files[join(HOME, shared, '.env')] = { owned: { values: [{ path: ['DISCORD_BOT_TOKEN'], value: token }], members: [] } };
    state.files[join(HOME, shared, 'access.json')] = state.files[join(HOME, own, 'access.json')];
    delete state.files[join(HOME, own, 'access.json')];
    writeFileSync(statePath, JSON.stringify(state));

    // The recipe now says `stored: true`: the token is read back from where the old version put it.
    const stored = recipe(dir, 'mover', 'discord', '{ stored: true }', '42');
    const plan = cli(['plan', '--recipe', stored], root);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`~/${own}/.env`);
    expect(plan.stdout).not.toContain(token);
    expect(cli(['apply', '--yes', '--recipe', stored], root).code).toBe(0);

    expect(holders(root, token)).toEqual([join(HOME, own, '.env')]);
    expect(statSync(at(root, `${own}/.env`)).mode & 0o777).toBe(0o600);
    // The person's own line stays where they wrote it; buddy-init's id leaves the shared allowlist, the
    // hand-paired one stays there (not carried over: a door is opened again by pairing with this buddy).
    expect(read(root, `${shared}/.env`)).toBe('MY_SETTING=1\n');
    expect(JSON.parse(read(root, `${shared}/access.json`)).allowFrom).toEqual(['777']);
    expect(JSON.parse(read(root, `${own}/access.json`)).allowFrom).toEqual(['42']);
    expect(JSON.parse(readFileSync(statePath, 'utf8')).format).toBe(2);
    // And the next plan has nothing to do.
    expect(cli(['plan', '--recipe', stored], root).stdout).toMatch(/No changes/);
  });
});
