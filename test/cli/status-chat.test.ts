// Issue 19: `status` shows the chat's health: the last message that reached claude (from the transcript,
// where Claude Code wraps a chat message in <channel source=".." ts="..">), each plugin server's age and
// last heal, and the last word to the owner (from the supervisor's status file). Read both ways: by the
// shell probe status runs on a real box (here, on this machine) and from a --root tree.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStatus } from '../../src/operate/status.js';
import { loadRecipe } from '../../src/recipe/index.js';
import { layoutFor } from '../../src/render/index.js';
import { LocalTarget } from '../../src/target/index.js';
import { linuxFacts, runCli, tempDir, writeFile } from '../helpers.js';

// A transcript line as Claude Code writes one for an inbound chat message (JSON: its quotes escaped).
const inbound = (ts: string, text: string) =>
  JSON.stringify({ type: 'user', message: { role: 'user', content: `<channel source="discord" chat_id="42" message_id="7" user="ada" ts="${ts}">\n${text}\n</channel>` } });

const supervisorStatus = {
  pid: 4242,
  state: 'running',
  startedAt: '2026-12-03T01:00:00.000Z',
  restarts: 1,
  updatedAt: '2026-12-03T02:00:00.000Z',
  channels: [{ plugin: 'discord@claude-plugins-official', server: { pid: 777, since: '2026-12-03T01:30:00.000Z' }, lastHeal: { at: '2026-12-03T01:29:50.000Z', action: 'reload-plugins', why: 'its server was gone', healed: true } }],
  lastAlert: { at: '2026-12-03T01:30:05.000Z', text: 'chatty: the chat plugin discord@claude-plugins-official stopped at 01:29 UTC; reloaded the plugins, conversation kept.', delivered: 1 },
};

/** The buddy's files under `base`, for a target whose home is `home` (the same, or under --root not). */
function tree(base: string, home = base): void {
  const state = join(base, '.local/state/buddy-init/chatty');
  writeFile(join(state, 'status.json'), JSON.stringify(supervisorStatus));
  writeFile(join(state, 'session.json'), JSON.stringify({ sessionId: 'c0ffee00-0000-4000-8000-000000000001' }));
  const transcript = join(base, '.claude/projects', join(home, 'work').replace(/[^A-Za-z0-9]/g, '-'), 'c0ffee00-0000-4000-8000-000000000001.jsonl');
  writeFile(transcript, [inbound('2026-12-03T01:10:00.000Z', 'first'), '{"type":"assistant"}', inbound('2026-12-03T01:55:00.000Z', 'the latest'), '{"type":"assistant"}', ''].join('\n'));
}

describe('status: the chat', () => {
  it("reads the last inbound message with the box's own shell probe, and the supervisor's heal and alert", async () => {
    const home = tempDir('buddy-status-chat-');
    tree(home);
    const { recipe } = loadRecipe(writeFile(join(home, 'r.yaml'), 'name: chatty\nworkdir: ~/work\n'));
    const facts = linuxFacts({ home, user: 'ada' });
    const status = await readStatus(new LocalTarget(), layoutFor(recipe, facts, '0.1.0'), facts);
    expect(status.lastInbound).toEqual({ source: 'discord', at: '2026-12-03T01:55:00.000Z' });
    expect(status.supervisor?.channels?.[0]?.lastHeal).toMatchObject({ action: 'reload-plugins', healed: true });
    expect(status.supervisor?.lastAlert?.delivered).toBe(1);
  });

  it('prints them under --root', () => {
    const dir = tempDir('buddy-status-chat-');
    const root = join(dir, 'root');
    const recipe = writeFile(join(dir, 'r.yaml'), 'name: chatty\nworkdir: ~/work\n');
    expect(runCli(['apply', '--yes', '--recipe', recipe, '--root', root]).code).toBe(0);
    tree(join(root, process.env.HOME!), process.env.HOME!);
    const r = runCli(['status', '--recipe', recipe, '--root', root]);
    expect(r.stdout).toMatch(/^ {2}chat in {5}last message \S+ ago \(discord\)$/m);
    expect(r.stdout).toMatch(/^ {2}chat server discord@claude-plugins-official: up \S+ \(pid 777\)$/m);
    expect(r.stdout).toMatch(/^ {2}last heal {3}reload-plugins \S+ ago: its server was gone \(healed\)$/m);
    expect(r.stdout).toMatch(/^ {2}told owner {2}\S+ ago \(1 recipient\): chatty: the chat plugin .* conversation kept\.$/m);
  });

  it('doctor explains a chat the supervisor could not heal, an alert that reached nobody, and alerts turned off', () => {
    const dir = tempDir('buddy-doctor-chat-');
    const root = join(dir, 'root');
    const recipe = writeFile(join(dir, 'r.yaml'), 'name: chatty\nworkdir: ~/work\nchannels:\n  telegram: { token: { env: TG }, allowFrom: ["42"], alerts: false }\n');
    const env = { TG: `123456789:AAH${'d'.repeat(32)}` };
    expect(runCli(['apply', '--yes', '--recipe', recipe, '--root', root], { env }).code).toBe(0);
    const home = join(root, process.env.HOME!);
    tree(home, process.env.HOME!);
    const state = join(home, '.local/state/buddy-init/chatty/status.json');
    writeFile(state, JSON.stringify({
      ...supervisorStatus,
      channels: [{ plugin: 'telegram@claude-plugins-official', lastHeal: { at: '2026-12-03T01:31:00.000Z', action: 'reported', why: 'its server does not start, even after claude was restarted' } }],
      lastAlert: { ...supervisorStatus.lastAlert, delivered: 0 },
      stuck: { id: 'usage-limit', meaning: 'the usage limit is reached; Claude Code continues by itself when it resets', since: '2026-12-03T01:40:00.000Z', resets: '5:02am (UTC)' },
    }));
    const r = runCli(['doctor', '--recipe', recipe, '--root', root], { env });
    expect(r.stdout).toMatch(/FAIL chat healing: the supervisor could not bring telegram@claude-plugins-official's server back \(its server does not start, even after claude was restarted, 2026-12-03T01:31:00\.000Z\)/);
    expect(r.stdout).toMatch(/WARN owner alerts: telegram: nobody is told when the chat goes deaf \(alerts off, or nobody in allowFrom\)/);
    expect(r.stdout).toMatch(/WARN owner alerts: the last alert \(2026-12-03T01:30:05\.000Z\) reached nobody/);
    expect(r.stdout).toMatch(/fix: buddy-init logs shows the chat API's answer; a Discord bot must share a server with you/);
    expect(r.stdout).toMatch(/FAIL claude stuck: the usage limit is reached; Claude Code continues by itself when it resets \(since 2026-12-03T01:40:00\.000Z; resets 5:02am \(UTC\)\)\n +fix: nothing, unless it is urgent/);
    expect(runCli(['status', '--recipe', recipe, '--root', root], { env }).stdout).toMatch(/^ {2}stuck {7}the usage limit is reached; .* \(for \S+; resets 5:02am \(UTC\)\)$/m);
  });
});
