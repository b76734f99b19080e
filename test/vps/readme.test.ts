import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, onLaptop, runCli, telegramToken, tempDir, waitFor } from '../helpers.js';
import { Terminal } from '../pty.js';
import { asRun, readmeCommands } from '../readme/readmeCommands.js';
import { FakeChatApi } from '../supervisor/fakeChatApi.js';
import { Vps } from './vps.js';

// Issue 29: a newcomer follows the README's first screen and nothing else, to a buddy answering in
// Telegram. The commands are read from README.md and run as written, on a laptop (this machine, with an
// SSH key for the box) against a fresh booted Debian VPS: `npx buddy-init` is the clone's CLI, as npx
// runs it inside the clone (the README's install step is CI's own: a clean checkout, npm ci). The wizard
// is answered key by key in a real terminal. Stand-ins where the real thing needs an account or the
// internet, and only there: the claude binary (vps.ts; it answers a channel message through the plugin's
// reply tool, fake-claude.mjs), the Telegram plugin's server (stand-in-telegram/server.mjs: the gate,
// pairing and reply as the official one does them) and Telegram's Bot API (fakeChatApi.ts).
const vps = new Vps();
const api = new FakeChatApi();
const TOKEN = telegramToken('readme');
const OAUTH = 'sk-ant-oat01-readme-walkthrough-not-a-real-token-0123';
const OWNER = 424242;
const PLUGIN = 'telegram@claude-plugins-official';

beforeAll(async () => {
  await vps.boot();
  await api.start(vps.hostIp);
  // The plugin's server where Claude Code installs it (the stand-in claude's `plugin install` records
  // that folder), told where the fake Bot API is.
  const root = `~/.claude/plugins/cache/${PLUGIN}`;
  const server = readFileSync(join(FIXTURES, 'stand-in-telegram', 'server.mjs')).toString('base64');
  const put = vps.ssh(`mkdir -p ${root} && echo ${server} | base64 -d > ${root}/server.mjs && echo ${api.env.BUDDY_INIT_TELEGRAM_API} > ${root}/api`);
  if (put.code !== 0) throw new Error(put.stderr);
}, 300_000);
afterAll(async () => {
  vps.stop();
  await api.stop();
});

describe("the README's first screen, followed by a newcomer", () => {
  const dir = tempDir('buddy-readme-');
  const env = { HOME: vps.laptop, SSH_AUTH_SOCK: undefined, NO_COLOR: '1' };
  const cli = (args: string[]) => runCli(args, { env, cwd: dir });
  const said = (to: number, pattern: RegExp) => api.received.find((m) => m.app === 'telegram' && m.to === String(to) && pattern.test(m.text));

  it('the three commands: the wizard over SSH, status, pair; then the bot answers', async () => {
    const [wizard, status, pair] = readmeCommands('## Your buddy, in three commands');
    expect([wizard, status, pair]).toEqual(['npx buddy-init', 'npx buddy-init status', 'npx buddy-init pair CODE']);

    // 1. The wizard, as a person answers it: another machine, Telegram with a typed token, pairing.
    mkdirSync(dir, { recursive: true });
    const t = new Terminal(onLaptop(['sh', '-c', `cd "${dir}" && exec "$0" "$@"`, process.execPath, CLI, ...asRun(wizard!)], vps.laptop), {
      PATH: process.env.PATH!,
      HOME: vps.laptop,
      NO_COLOR: '1',
    });
    try {
      await t.answer(/Where should the buddy run\?/, ['Down', 'Enter']);
      await t.answer(/SSH destination/, [vps.destination(), 'Enter']);
      await t.answer(/Name of your buddy/, ['Enter']); // buddy
      await t.answer(/Working directory on the box/, ['Enter']); // ~/buddy
      await t.answer(/Which chat app/, ['Down', 'Enter']); // Telegram
      await t.answer(/How does buddy-init get the telegram bot token\?/, ['Enter']); // type it now
      await t.answer(/telegram bot token \(input hidden\)/, [TOKEN, 'Enter']);
      await t.answer(/User ids allowed/, ['Enter']); // none: pairing
      await t.answer(/Nobody is allowlisted[\s\S]*Then:/, ['Enter']); // Pairing
      await t.answer(/Let apply install it for ada with npm/, ['n', 'Enter']); // Bun: the stand-in server runs on node
      await t.answer(/How does Claude authenticate/, ['Enter']); // OAuth token
      await t.answer(/How does buddy-init get the Claude OAuth token\?/, ['Enter']); // type it now
      await t.answer(/Claude OAuth token \(input hidden\)/, [OAUTH, 'Enter']);
      await t.answer(/Permission posture/, ['Enter']); // balanced
      await t.answer(/Add your own allow\/deny rules/, ['Enter']); // no
      const next = await t.waitFor(/Start it at boot|sandbox cannot run/);
      // A container may not give bubblewrap its namespaces: the wizard asks, and the answer is yes.
      if (/sandbox cannot run/.test(next) && !/Start it at boot/.test(next)) await t.answer(/sandbox cannot run/, ['y', 'Enter']);
      await t.answer(/Start it at boot/, ['Enter']);
      await t.answer(/Write buddy\.yaml and apply\?/, ['Enter']);
      const code = await t.exitCode(180_000);
      const screen = t.screen(400);
      expect(code, screen).toBe(0);
      expect(screen).not.toContain(TOKEN);
      expect(screen).not.toContain(OAUTH);
    } finally {
      t.close();
    }

    // 2. status: up, with the chat plugin installed and its server running under claude.
    const up = await waitFor('the buddy up with its chat server', () => {
      const r = cli(asRun(status!));
      return r.code === 0 && /server running/.test(r.stdout) ? r : undefined;
    }, 90_000);
    expect(up.stdout).toMatch(/: up/);
    expect(up.stdout).toMatch(new RegExp(`plugin +● ${PLUGIN} \\S+ installed, server running`));

    // 3. Write to the bot: a stranger under pairing gets a code; the README's pair command lets them in.
    api.telegramMessage(TOKEN, OWNER, 'hello');
    const asked = await waitFor('the pairing code', () => said(OWNER, /Pairing required/), 30_000);
    const code = /\b([0-9a-f]{6})\b/.exec(asked.text)![1]!;
    const paired = cli(asRun(pair!.replace('CODE', code)));
    expect(paired.code, paired.stderr).toBe(0);
    await waitFor('the bot to say you are in', () => said(OWNER, /Paired!/), 30_000);

    // And the buddy answers, in its pinned conversation.
    api.telegramMessage(TOKEN, OWNER, 'are you there?');
    await waitFor("the buddy's answer", () => said(OWNER, /^stand-in claude heard: are you there\?$/), 30_000);
    expect(vps.ssh('cat ~/.claude/projects/-home-ada-buddy/*.jsonl').stdout).toContain('"text":"are you there?"');
    // The token only in the buddy's 0600 file on the box; the recipe references it.
    expect(readFileSync(join(dir, 'buddy.yaml'), 'utf8')).not.toContain(TOKEN);
    expect(vps.ssh('stat -c %a ~/.claude/channels/telegram/buddies/buddy/.env').stdout.trim()).toBe('600');
  }, 600_000);
});
