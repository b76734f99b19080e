// What needs a person reaches the person: a command the hook asks about, in a buddy whose agent works
// from chat, becomes a permission request at the chat plugin (Claude Code's permission relay), and the
// answer given in chat lets it run or stops it. The real Claude Code 2.1.197 on a booted VPS, with the
// stand-in plugin (test/fixtures/stand-in-plugin), which declares the relay as the official ones do and
// lets the test play the chat.
// SAID PLAINLY: Claude Code switches channels (and the relay) on per account, by feature flags its servers
// send; offline, the flags are written where Claude Code keeps the last ones it received
// (cachedGrowthBookFeatures in ~/.claude.json), as they are for an account that has channels, with the
// stand-in on the approved list as the official plugins are. 2.1.332 also asks Anthropic's organisation
// policy endpoint before relaying (allow_channels; a missing answer counts as no, read from its binary):
// that endpoint is out of reach here, so the relay is proven on 2.1.197 only.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordToken, runCli, tempDir, waitFor, writeFile } from '../helpers.js';
import { BuddyPane } from '../vps/vps.js';
import { OLDEST, realClaude, realClaudeVps, STAND_IN_PLUGIN } from './claude.js';
import { BUN_VERSION, NpmRegistry } from './registry.js';

const NAME = 'relay';
const { vps, api } = realClaudeVps({ ...realClaude(OLDEST), layout: 'npm' }, NAME);
const pane = new BuddyPane(vps, NAME);
const registry = new NpmRegistry();
const CHAT = `~/.claude/channels/discord/buddies/${NAME}/stand-in`;
/** The flags of an account with channels and the relay, and the stand-in on the approved list. */
const FLAGS = { tengu_harbor: true, tengu_harbor_permissions: true, tengu_harbor_ledger: [{ plugin: 'echochat', marketplace: 'buddy-test' }] };

beforeAll(async () => {
  await registry.serve(vps);
  vps.ssh(`echo '${JSON.stringify({ cachedGrowthBookFeatures: FLAGS })}' > ~/.claude.json`);
}, 120_000);
afterAll(() => registry.stop());

const recipe = () =>
  writeFile(
    join(tempDir(), 'relay.yaml'),
    `name: ${NAME}\nextends: balanced\nworkdir: ~/work\nauth:\n  apiKey: { env: FAKE_ANTHROPIC_KEY }\n` +
      `channels:\n  discord:\n    plugin: ${STAND_IN_PLUGIN.id}\n    marketplace: ${STAND_IN_PLUGIN.marketplace}\n    token: { env: FAKE_DISCORD_TOKEN }\n    allowFrom: ['184012345678901234']\n` +
      `bun: { install: true, version: ${BUN_VERSION} }\n` +
      `claude:\n  env: { ANTHROPIC_BASE_URL: "http://${vps.hostIp}:${api.port}" }\nsupervisor: { tick: 5 }\n`,
  );
const cli = (args: string[]) =>
  runCli([...args, '--recipe', recipe(), '--host', vps.destination()], {
    env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined, FAKE_ANTHROPIC_KEY: 'sk-ant-api03-fake-key-for-the-relay-0123456789', FAKE_DISCORD_TOKEN: discordToken('for-the-relay-test') },
  });

interface PermissionRequest {
  request_id: string;
  tool_name: string;
  input_preview: string;
}
const requests = (): PermissionRequest[] =>
  vps
    .ssh(`cat ${CHAT}/permission-requests.jsonl 2>/dev/null`)
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PermissionRequest);
let sent = 0;
/** A chat message from the owner, as the plugin delivers it. */
const fromChat = (text: string) => vps.ssh(`cat > ${CHAT}/inbox/${String(++sent).padStart(4, '0')} <<'EOF'\n${text}\nEOF`);

describe(`the permission relay with the real Claude Code ${OLDEST}: the question goes to chat, the answer comes from it`, () => {
  it('the buddy runs with its chat plugin', async () => {
    const r = cli(['apply', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the stand-in plugin serving its chat', () => vps.ssh(`test -d ${CHAT}/inbox && echo up`).stdout.trim() === 'up', 120_000, () => pane.screen(40));
    await waitFor('claude at its prompt', () => /❯\s*$/m.test(pane.screen()), 60_000, () => pane.screen(40));
  }, 300_000);

  it.each([
    ['allow', true],
    ['deny', false],
  ])('a command the hook asks about reaches chat as a request; "%s" there decides it', async (answer, runs) => {
    const file = `/home/ada/work/relayed-${answer}`;
    const command = `eval "$(printf 'touch ${file}')"`;
    const before = requests().length;
    fromChat(`TOOL CALL ${JSON.stringify({ command, description: 'Run it' })}`);
    const request = await waitFor('the permission request at the plugin', () => requests()[before], 60_000, () => pane.screen(40));
    expect(request.tool_name).toBe('Bash');
    expect(JSON.parse(request.input_preview).command).toBe(command);
    expect(pane.screen()).toMatch(/Do you want to proceed\?/); // the same question, on the terminal
    vps.ssh(`echo ${answer} > ${CHAT}/answers/${request.request_id}`);
    await waitFor('the prompt answered', () => !/Do you want to proceed\?/.test(pane.screen()), 30_000, () => pane.screen(40));
    await waitFor('claude at its prompt', () => /❯\s*$/m.test(pane.screen()), 30_000, () => pane.screen(40));
    expect(vps.ssh(`test -e ${file} && echo ran`).stdout.trim()).toBe(runs ? 'ran' : '');
    expect(api.conversation().some((m) => m.includes('TOOL CALL'))).toBe(true);
  }, 180_000);
});
