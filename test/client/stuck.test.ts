// Issue 19, measured end to end: the real Claude Code on the booted VPS, authenticated as a subscription
// (an OAuth token; the fake Messages API answers for the real one), stuck on what the API says: the usage
// limit (429 with the rate-limit headers that say when it resets) and refused credentials (401). The
// buddy has no chat here, so "told the owner" is the journal's line and status (a chat's delivery is
// measured in plugin.test.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, waitFor, writeFile } from '../helpers.js';
import { BuddyPane } from '../vps/vps.js';
import { NEWEST, realClaude, realClaudeVps } from './claude.js';

const NAME = 'stuck';
const { vps, api } = realClaudeVps({ ...realClaude(NEWEST), layout: 'native' }, NAME);
const recipe = () =>
  writeFile(
    join(tempDir(), 'stuck.yaml'),
    `name: ${NAME}\nworkdir: ~/work\nauth:\n  oauthToken: { env: FAKE_OAUTH }\nclaude:\n  env: { ANTHROPIC_BASE_URL: "http://${vps.hostIp}:${api.port}" }\nsupervisor: { tick: 5 }\n`,
  );
const cli = (args: string[]) =>
  runCli([...args, '--recipe', recipe(), '--host', vps.destination()], { env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined, FAKE_OAUTH: 'sk-ant-oat01-fake-oauth-token-for-the-stuck-test-0123' } });
const pane = new BuddyPane(vps, NAME);
const screen = () => pane.screen();
const journal = () => vps.journal(`${NAME}.service`);
const claudePid = () => pane.pid();
const stuck = () => JSON.parse(cli(['status', '--json']).stdout).supervisor?.stuck as { id: string; resets?: string } | undefined;

const say = (text: string) => pane.say(text);

describe(`a claude stuck on the API's answer (Claude Code ${NEWEST}, OAuth)`, () => {
  it('starts unattended and answers', async () => {
    const r = cli(['apply', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    await say('hello');
    await waitFor('the answer', () => /Hello from the fake Messages API/.test(screen()), 60_000, screen);
  }, 180_000);

  it('the usage limit: reported with its reset time; claude continues by itself after it, no restart', async () => {
    const claude = claudePid();
    const reset = Math.floor(Date.now() / 1000) + 40;
    await api.fail(429, reset);
    const sent = await say('morning brief please');
    const seen = await waitFor('stuck at the usage limit', () => (stuck()?.id === 'usage-limit' ? stuck() : undefined), 60_000, () => `${screen()}\n${journal()}`);
    const reportedMs = Date.now() - sent;
    expect(seen!.resets).toMatch(/^\d{1,2}:\d\d(am|pm)/);
    expect(journal()).toMatch(/told the owner \(0 recipients\): stuck: the usage limit is reached; Claude Code continues by itself when it resets \(resets /);
    await new Promise((r) => setTimeout(r, Math.max(0, reset * 1000 - Date.now())));
    await api.fail();
    await waitFor('no longer stuck', () => /claude is no longer stuck \(the usage limit is reached/.test(journal()), 180_000, () => `${screen()}\n${journal()}`);
    const resumedMs = Date.now() - reset * 1000;
    expect(api.conversation().some((m) => m.includes('morning brief please'))).toBe(true);
    expect(claudePid()).toBe(claude);
    console.log(`stuck screens, real Claude Code ${NEWEST}: usage limit -> reported ${reportedMs} ms after the message; claude continued by itself, seen ${resumedMs} ms after the reset`);
  }, 300_000);

  it('credentials refused (401): "needs you" within 60 s, then no restart', async () => {
    const claude = claudePid();
    await api.fail(401);
    try {
      const sent = await say('are you still there?');
      await waitFor('told', () => /told the owner \(0 recipients\): stuck needs you: Claude's credentials are refused \(401\)/.test(journal()), 60_000, () => `${screen()}\n${journal()}`);
      const toldMs = Date.now() - sent;
      expect(stuck()?.id).toMatch(/^auth/);
      await new Promise((r) => setTimeout(r, 12_000));
      expect(claudePid()).toBe(claude);
      expect(journal().match(/needs you: Claude's credentials/g)).toHaveLength(1);
      console.log(`stuck screens, real Claude Code ${NEWEST}: the API answers 401 -> "needs you" ${toldMs} ms after the message`);
    } finally {
      await api.fail();
    }
  }, 180_000);
});
