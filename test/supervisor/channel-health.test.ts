// Issue 19: the chat goes deaf when the plugin's server dies under a claude that looks fine. The real
// supervisor bundle, a real tmux, the stand-in claude (test/fixtures/fake-claude.mjs: the real one needs
// an account to reach its prompt; this one runs each --channels plugin's server as its child, from the
// plugin's folder, as Claude Code does, and answers /reload-plugins), and a local fake of the Discord
// and Telegram HTTP APIs that records what the owner is told.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelWatch } from '../../src/runtime/supervisor/config.js';
import { FIXTURES } from '../helpers.js';
import { FakeChatApi } from './fakeChatApi.js';
import { Buddy, waitFor } from './harness.js';

const PLUGIN = 'echochat@stand-in';
const DISCORD_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GaBcDe.channelHealthTokenAbcdefghij0123';
const TELEGRAM_TOKEN = `123456789:AAH${'h'.repeat(32)}`;

const api = new FakeChatApi();
beforeAll(() => api.start());
afterAll(() => api.stop());
const buddies: Buddy[] = [];
afterEach(() => buddies.splice(0).forEach((b) => b.cleanup()));

interface Health {
  plugin: string;
  server?: { pid: number; since: string };
  lastHeal?: { action: string; why: string; healed?: boolean };
}

/** A buddy with one chat: its plugin installed where Claude Code records it, its token where the plugin reads it. */
function chatBuddy(app: 'discord' | 'telegram'): Buddy & { health(): Health | undefined; flag(name: string): string } {
  const variable = app === 'discord' ? 'DISCORD_BOT_TOKEN' : 'TELEGRAM_BOT_TOKEN';
  const b = new Buddy({ claude: { bin: join(FIXTURES, 'fake-claude.mjs'), args: [], channels: [PLUGIN] }, pluginGraceSeconds: 2, reloadWaitSeconds: 3 });
  buddies.push(b);
  const watch: ChannelWatch = { plugin: PLUGIN, app, tokenFile: join(b.home, '.claude/channels', app, '.env'), tokenVariable: variable, alertTo: ['111', '222'] };
  writeFileSync(b.configFile, JSON.stringify({ ...b.config, channelWatch: [watch] }));
  mkdirSync(join(b.home, '.claude/channels', app), { recursive: true });
  writeFileSync(watch.tokenFile, `${variable}=${app === 'discord' ? DISCORD_TOKEN : TELEGRAM_TOKEN}\n`, { mode: 0o600 });
  const root = join(b.home, '.claude/plugins/cache/stand-in/echochat/0.1.0');
  mkdirSync(root, { recursive: true });
  // A plugin server that stays up; one that exits as it starts while $FAKE_CLAUDE_NO_SERVERS exists.
  writeFileSync(join(root, 'server.mjs'), "import { existsSync } from 'node:fs';\nif (process.env.FAKE_CLAUDE_NO_SERVERS && existsSync(process.env.FAKE_CLAUDE_NO_SERVERS)) process.exit(1);\nsetInterval(() => {}, 1 << 30);\n");
  writeFileSync(join(b.home, '.claude/plugins/installed_plugins.json'), JSON.stringify({ version: 2, plugins: { [PLUGIN]: [{ scope: 'user', installPath: root, version: '0.1.0' }] } }));
  return Object.assign(b, {
    health: () => (b.status()?.channels as Health[] | undefined)?.[0],
    flag: (name: string) => join(b.home, name),
  });
}

const alertsTo = (app: string) => api.received.filter((r) => r.app === app);

/** What the supervisor did is in its log at once, in status.json at the end of that check: wait for the file to say it. */
const statusSays = (b: Buddy, what: string, holds: (status: Record<string, unknown>) => boolean) =>
  waitFor(`status.json: ${what}`, () => {
    const st = b.status();
    return st && holds(st) ? true : undefined;
  }, 10_000);

describe('chat plugin health in the supervisor', () => {
  it('a dead plugin server is healed by /reload-plugins, in the same claude; each allowlisted user is told once', async () => {
    const b = chatBuddy('discord');
    const before = api.received.length;
    b.start(api.env);
    await b.running(1);
    const first = await waitFor('the plugin server running', () => b.health()?.server?.pid);
    const killedAt = Date.now();
    process.kill(first, 'SIGKILL');
    await waitFor('healed', () => b.health()?.lastHeal?.healed, 30_000);
    const healedIn = Date.now() - killedAt;
    expect(b.health()).toMatchObject({ lastHeal: { action: 'reload-plugins', healed: true }, server: { pid: expect.any(Number) } });
    expect(b.health()!.server!.pid).not.toBe(first);
    expect(b.transcript().filter((e) => e.type === 'reload')).toHaveLength(1);
    expect(b.starts()).toHaveLength(1); // claude itself was left alone
    await waitFor('both users told', () => (alertsTo('discord').length - before >= 2 ? true : undefined));
    const told = api.received.slice(before);
    expect(told.map((r) => r.to).sort()).toEqual(['111', '222']);
    expect(told[0]!.text).toMatch(/^sup: the chat plugin echochat@stand-in stopped at \d\d:\d\d UTC; reloaded the plugins, conversation kept\.$/);
    expect(told.every((r) => r.token === DISCORD_TOKEN)).toBe(true);
    await statusSays(b, 'the alert', (st) => (st.lastAlert as { delivered?: number } | undefined)?.delivered === 2);
    expect(b.log).not.toContain(DISCORD_TOKEN);
    console.log(`channel health: plugin server killed -> healed by /reload-plugins in ${healedIn} ms (check every 5 s)`);
  }, 60_000);

  it('when /reload-plugins does not bring it back, claude is restarted in the same conversation', async () => {
    const b = chatBuddy('telegram');
    const before = alertsTo('telegram').length;
    writeFileSync(b.flag('broken'), '');
    b.start({ ...api.env, FAKE_CLAUDE_RELOAD_BROKEN: b.flag('broken') });
    await b.running(1);
    await b.say('remember this');
    const pin = b.session()!.sessionId;
    const first = await waitFor('the plugin server running', () => b.health()?.server?.pid);
    process.kill(first, 'SIGKILL');
    const second = await b.running(2, 40_000);
    expect(second.argv).toEqual(['--resume', pin, '--channels', `plugin:${PLUGIN}`]);
    await waitFor('healed', () => b.health()?.lastHeal?.healed, 30_000);
    expect(b.health()!.lastHeal).toMatchObject({ action: 'restart claude', why: '/reload-plugins did not bring it back' });
    expect(b.transcript().filter((e) => e.type === 'reload')).toHaveLength(1);
    await waitFor('both users told', () => (alertsTo('telegram').length - before >= 2 ? true : undefined));
    expect(alertsTo('telegram').slice(before).map((r) => r.text)).toEqual(Array(2).fill(expect.stringMatching(/restarted claude, conversation kept\.$/)));
    expect(b.log).not.toContain(TELEGRAM_TOKEN);
  }, 90_000);

  it('a plugin that cannot start is reported as needing the owner, once, and not restarted in a loop; once fixed, a restart heals it', async () => {
    const b = chatBuddy('discord');
    const before = alertsTo('discord').length;
    const env = { ...api.env, FAKE_CLAUDE_NO_SERVERS: b.flag('no-servers') };
    writeFileSync(b.flag('no-servers'), '');
    b.start(env);
    await b.running(1);
    await b.say('a conversation worth resuming');
    await waitFor('reported', () => (b.health()?.lastHeal?.action === 'reported' ? true : undefined), 40_000);
    await waitFor('both users told', () => (alertsTo('discord').length - before >= 2 ? true : undefined));
    expect(alertsTo('discord').slice(before).map((r) => r.text)).toEqual(Array(2).fill(expect.stringMatching(/^sup needs you: the chat plugin echochat@stand-in does not start/)));
    // One /reload-plugins, one restart; then a pause of minutes, not a loop.
    expect(b.starts()).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 12_000));
    expect(b.starts()).toHaveLength(2);
    expect(alertsTo('discord').length - before).toBe(2);
    // The cause fixed, the buddy restarted (buddy-init restart): Claude Code's "failed" mark on the
    // server, which would keep it from ever starting again, is cleared first.
    rmSync(b.flag('no-servers'));
    expect(JSON.parse(readFileSync(join(b.home, '.claude/mcp-needs-auth-cache.json'), 'utf8'))).toHaveProperty(['plugin:echochat:echochat']);
    b.proc!.kill('SIGTERM');
    await b.exited();
    b.start(env);
    await waitFor('the server running again', () => b.health()?.server?.pid, 20_000);
    expect(b.log).toMatch(/cleared Claude Code's "failed" mark on plugin:echochat:echochat \(mcp-needs-auth-cache\.json\)/);
  }, 120_000);

  it('a server whose program is not installed (Bun missing) is reported at once, not reloaded or restarted; healed once it is there', async () => {
    const b = chatBuddy('discord');
    const before = alertsTo('discord').length;
    const bin = join(b.home, 'bin');
    mkdirSync(bin);
    // The plugin starts its server with `bun-for-test`, found nowhere on the service's PATH yet.
    writeFileSync(join(b.home, '.claude/plugins/cache/stand-in/echochat/0.1.0/.mcp.json'), JSON.stringify({ mcpServers: { echochat: { command: 'bun-for-test', args: ['server.mjs'] } } }));
    writeFileSync(b.configFile, JSON.stringify({ ...JSON.parse(readFileSync(b.configFile, 'utf8')), path: `${bin}:${process.env.PATH}` }));
    writeFileSync(b.flag('no-servers'), '');
    b.start({ ...api.env, FAKE_CLAUDE_NO_SERVERS: b.flag('no-servers') });
    await b.running(1);
    await b.say('a conversation worth resuming');
    await waitFor('reported', () => (b.health()?.lastHeal?.action === 'reported' ? true : undefined), 30_000);
    expect(b.health()!.lastHeal!.why).toBe('its server runs `bun-for-test`, which is not installed where the service looks (its PATH)');
    await waitFor('both users told', () => (alertsTo('discord').length - before >= 2 ? true : undefined));
    expect(alertsTo('discord')[before]!.text).toMatch(/^sup needs you: the chat plugin echochat@stand-in cannot start: its server runs `bun-for-test`/);
    await new Promise((r) => setTimeout(r, 10_000));
    expect(b.transcript().filter((e) => e.type === 'reload')).toHaveLength(0);
    expect(b.starts()).toHaveLength(1);
    // Installed (and the plugin fixed): the supervisor heals.
    writeFileSync(join(bin, 'bun-for-test'), '#!/bin/sh\n', { mode: 0o755 });
    rmSync(b.flag('no-servers'));
    await waitFor('healed', () => b.health()?.lastHeal?.healed, 60_000);
    expect(b.log).toMatch(/bun-for-test is there now; healing/);
    expect(alertsTo('discord').length - before).toBe(4); // "needs you", then "healed", to each of the two
  }, 120_000);

  it('a server that keeps being replaced (four starts in ten minutes) is reported', async () => {
    const b = chatBuddy('telegram');
    const before = alertsTo('telegram').length;
    b.start(api.env);
    await b.running(1);
    let pid = await waitFor('the plugin server running', () => b.health()?.server?.pid);
    for (let i = 0; i < 3; i++) {
      process.kill(pid, 'SIGKILL');
      const old = pid;
      pid = await waitFor('healed', () => (b.health()?.server?.pid !== old && b.health()?.lastHeal?.healed ? b.health()!.server!.pid : undefined), 30_000);
    }
    await waitFor('told it keeps restarting', () => alertsTo('telegram').slice(before).find((r) => /^sup: the chat plugin echochat@stand-in keeps restarting \(4 times in 10 minutes\)/.test(r.text)), 20_000);
    expect(b.log).toMatch(/its server started 4 times in 10 minutes/);
  }, 120_000);

  it('does not type into claude while a person is attached with write access; heals once they detach', async () => {
    const b = chatBuddy('discord');
    b.start(api.env);
    await b.running(1);
    const first = await waitFor('the plugin server running', () => b.health()?.server?.pid);
    const person = b.attachWriter();
    try {
      await waitFor('the client attached', () => (b.tmux('list-clients', '-F', '#{client_readonly}').stdout.trim() === '0' ? true : undefined));
      process.kill(first, 'SIGKILL');
      await waitFor('the supervisor held back', () => (/not typing \/reload-plugins while a person is attached/.test(b.log) ? true : undefined), 20_000);
      expect(b.transcript().filter((e) => e.type === 'reload')).toHaveLength(0);
    } finally {
      person.close();
    }
    await waitFor('healed after the person left', () => b.health()?.lastHeal?.healed, 30_000);
    expect(b.transcript().filter((e) => e.type === 'reload')).toHaveLength(1);
  }, 90_000);
});

describe('a claude stuck on a screen (screens captured from the real Claude Code 2.1.332, drawn by the stand-in)', () => {
  const SCREENS = join(FIXTURES, 'claude-code', '2.1.332', 'screens');

  it('credentials refused (401): the owner is told once that it needs them, claude is not restarted in a loop', async () => {
    const b = chatBuddy('discord');
    const before = alertsTo('discord').length;
    b.start(api.env);
    await b.running(1);
    await b.say('hello');
    b.type(`show ${join(SCREENS, '401-final.txt')}`);
    await waitFor('told', () => (alertsTo('discord').length - before >= 2 ? true : undefined), 30_000);
    expect(alertsTo('discord').slice(before).map((r) => r.text)).toEqual(
      Array(2).fill("sup needs you: Claude's credentials are refused (401). make a new token with `claude setup-token` on a machine where you are logged in, then run `buddy-init apply` with it"),
    );
    await statusSays(b, 'stuck on refused credentials', (st) => (st.stuck as { id?: string } | undefined)?.id === 'auth');
    await new Promise((r) => setTimeout(r, 12_000));
    expect(b.starts()).toHaveLength(1);
    expect(alertsTo('discord').length - before).toBe(2);
  }, 60_000);

  it('a permission prompt nobody answers: the owner is told out of band, with the tool call, once', async () => {
    const b = chatBuddy('discord');
    writeFileSync(b.configFile, JSON.stringify({ ...JSON.parse(readFileSync(b.configFile, 'utf8')), promptWaitSeconds: 3 }));
    const before = alertsTo('discord').length;
    b.start(api.env);
    await b.running(1);
    await b.say('hello');
    b.type(`show ${join(SCREENS, 'permission-prompt.txt')}`);
    await waitFor('told', () => (alertsTo('discord').length - before >= 2 ? true : undefined), 30_000);
    expect(alertsTo('discord').slice(before).map((r) => r.text)).toEqual(
      Array(2).fill('sup needs you: claude waits for a person to allow or deny a tool call (Bash(touch /tmp/exp/made-here)). answer it: Allow or Deny in your chat, or in the terminal (buddy-init attach --write)'),
    );
    await statusSays(b, 'stuck on the prompt', (st) => (st.stuck as { id?: string } | undefined)?.id === 'permission-prompt');
    expect(b.starts()).toHaveLength(1); // nothing restarted: the question is the person's
  }, 60_000);

  it('a trust dialog: claude is restarted in the same conversation (the flags re-asserted), and is no longer stuck', async () => {
    const b = chatBuddy('telegram');
    b.start(api.env);
    await b.running(1);
    await b.say('hello');
    const pin = b.session()!.sessionId;
    b.type(`show ${join(SCREENS, 'trust-dialog.txt')}`);
    const second = await b.running(2, 30_000);
    expect(second.argv).toEqual(['--resume', pin, '--channels', `plugin:${PLUGIN}`]);
    await waitFor('no longer stuck', () => (/claude is no longer stuck \(claude asks whether to trust the workdir/.test(b.log) ? true : undefined), 30_000);
    await statusSays(b, 'no longer stuck', (st) => st.stuck === undefined);
  }, 60_000);

  it('a chat message left unsent in the input box with nobody attached to type it is sent; one a person typed is not', async () => {
    const b = chatBuddy('discord');
    writeFileSync(b.configFile, JSON.stringify({ ...JSON.parse(readFileSync(b.configFile, 'utf8')), unsentDraftSeconds: 2 }));
    b.start(api.env);
    await b.running(1);
    // The stand-in draws the input box as the real one does with a message in it (captured with escapes).
    b.type(`show ${join(SCREENS, 'input-draft.ansi')}`);
    await waitFor('sent', () => (/a message of 26 characters sat unsent in claude's input box for \d+s with nobody attached/.test(b.log) ? true : undefined), 30_000);
    await waitFor('the Enter reached claude', () => (b.transcript().some((e) => e.type === 'user' && e.text === '') ? true : undefined), 10_000);
    await statusSays(b, 'the draft sent', (st) => (st.draftSent as { chars?: number } | undefined)?.chars === 26);
    expect(b.log).not.toContain('hello from discord');

    // Now a person attached with write access when the text appears: theirs, never sent.
    const person = b.attachWriter();
    try {
      await waitFor('the client attached', () => (b.tmux('list-clients', '-F', '#{client_readonly}').stdout.trim() === '0' ? true : undefined));
      b.type(`show ${join(SCREENS, 'input-draft.ansi')}`);
      await new Promise((r) => setTimeout(r, 7_000));
    } finally {
      person.close();
    }
    await new Promise((r) => setTimeout(r, 8_000));
    expect(b.log.match(/sat unsent/g)).toHaveLength(1);
  }, 90_000);
});

describe('a scheduled task that does not run (issue 20; the stand-in claude has no scheduler, so nothing ever fires)', () => {
  it('the owner is told once when it is past its time with claude idle; the journal says when it ran after all', async () => {
    const b = chatBuddy('telegram');
    writeFileSync(b.configFile, JSON.stringify({ ...JSON.parse(readFileSync(b.configFile, 'utf8')), scheduleGraceSeconds: 3 }));
    // Every minute, last run long ago; id 00000000 has no jitter: due at the first minute after claude starts.
    const task = { id: '00000000', cron: '* * * * *', prompt: 'Check HEARTBEAT.md and act on it', createdAt: Date.now() - 86_400_000, lastFiredAt: Date.now() - 3_600_000, recurring: true, permanent: true };
    mkdirSync(join(b.workdir, '.claude'), { recursive: true });
    const tasks = join(b.workdir, '.claude', 'scheduled_tasks.json');
    writeFileSync(tasks, JSON.stringify({ tasks: [task] }));
    const before = alertsTo('telegram').length;
    b.start(api.env);
    await b.running(1, 30_000).catch((e: Error) => Promise.reject(new Error(`${e.message}\n${b.log}`)));
    // When the supervisor started claude (it counts from there; a minute may turn between that and now).
    const started = Date.parse(await waitFor('claude started', () => b.status()?.claudeStartedAt as string | undefined));
    const due = Math.floor(started / 60_000) * 60_000 + 60_000;
    const told = await waitFor('the owner told', () => alertsTo('telegram').slice(before).find((r) => /scheduled task/.test(r.text)), 90_000);
    const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 5);
    expect(told.text).toBe(`sup: the scheduled task "Check HEARTBEAT.md and act on it" (* * * * *) did not run at ${clock(due)} (claude restarted at ${clock(started)}). \`buddy-init doctor\` says why.`);
    // The alert goes out during a check; status.json is written at its end.
    const listed = await waitFor('status says it is late', () => (b.status()?.schedule as Array<{ id: string; overdue?: string }> | undefined)?.find((t) => t.overdue), 10_000);
    expect(listed).toMatchObject({ id: '00000000', overdue: new Date(due).toISOString() });
    // Two users allowlisted, one message each; none again for the same lateness.
    await new Promise((r) => setTimeout(r, 12_000));
    expect(alertsTo('telegram').slice(before).filter((r) => /scheduled task/.test(r.text))).toHaveLength(2);
    // Claude Code ran it after all (as it writes the file after a run).
    writeFileSync(tasks, JSON.stringify({ tasks: [{ ...task, lastFiredAt: Date.now() }] }));
    await waitFor('said it ran', () => (/scheduled task 00000000 ran at \d\d:\d\d, \d+ min after it was due/.test(b.log) ? true : undefined), 20_000);
    await statusSays(b, 'no longer late', (st) => (st.schedule as Array<{ overdue?: string }>)[0]!.overdue === undefined);
  }, 150_000);
});
