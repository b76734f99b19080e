// Chat access follows the recipe and the owner: `pair`, `access`, and dropped groups, against
// access.json files shaped as the official plugins write them (server.ts: gate(), saveAccess()).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discordToken, runCli, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();
const ENV = { BUDDY_TEST_CHAT: discordToken('ACCESS-0123456789'), BUDDY_TEST_OAUTH: 'sk-ant-oat01-access-0123456789' };

function recipe(dir: string, groups: string): string {
  return writeFile(
    join(dir, 'buddy.yaml'),
    `name: gate\nextends: balanced\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: BUDDY_TEST_CHAT }\n    dmPolicy: pairing\n    allowFrom: ['42']\n${groups}auth:\n  oauthToken: { env: BUDDY_TEST_OAUTH }\n`,
  );
}

const cli = (args: string[], file: string, root: string) => runCli([...args, '--recipe', file, '--root', root], { env: ENV });

describe('chat access', () => {
  it('pair approves a pending code as the plugin skill does; a wrong or expired code is an error that writes nothing', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const file = recipe(dir, '');
    expect(cli(['apply', '--yes'], file, root).code).toBe(0);
    const accessPath = join(root, HOME, '.claude/channels/discord/buddies/gate/access.json');
    // The plugin answered two unknown senders with codes (its gate() writes exactly this shape).
    const access = JSON.parse(readFileSync(accessPath, 'utf8'));
    const now = Date.now();
    access.pending = {
      a4f91c: { senderId: '184695080709324800', chatId: '999000111', createdAt: now, expiresAt: now + 3_600_000, replies: 1 },
      old111: { senderId: '5', chatId: '6', createdAt: now - 7_200_000, expiresAt: now - 3_600_000, replies: 2 },
    };
    writeFileSync(accessPath, JSON.stringify(access, null, 2));

    const before = readFileSync(accessPath, 'utf8');
    const wrong = cli(['pair', 'zzzzzz'], file, root);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toMatch(/^error: pairing code zzzzzz: no such code pending in discord on local.*ask the sender to message the bot again/);
    const expired = cli(['pair', 'old111'], file, root);
    expect(expired.code).toBe(2);
    expect(expired.stderr).toMatch(/pairing code old111 expired 60 minutes ago/);
    expect(readFileSync(accessPath, 'utf8')).toBe(before);

    const ok = cli(['pair', 'A4F91C'], file, root);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Paired 184695080709324800 on discord/);
    const after = JSON.parse(readFileSync(accessPath, 'utf8'));
    expect(after.allowFrom).toEqual(['42', '184695080709324800']);
    expect(Object.keys(after.pending)).toEqual(['old111']);
    expect(after.dmPolicy).toBe('pairing');
    // The plugin polls approved/ and tells the sender: the file holds the DM channel id.
    expect(readFileSync(join(root, HOME, '.claude/channels/discord/buddies/gate/approved/184695080709324800'), 'utf8')).toBe('999000111');

    // A re-apply keeps the paired sender: it is the owner's grant, not the recipe's.
    expect(cli(['apply', '--yes'], file, root).code).toBe(0);
    expect(JSON.parse(readFileSync(accessPath, 'utf8')).allowFrom).toContain('184695080709324800');
  });

  it('access lists, allows and revokes; revoking an id of the recipe says the next apply restores it', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const file = recipe(dir, '');
    expect(cli(['apply', '--yes'], file, root).code).toBe(0);
    const list = JSON.parse(cli(['access', '--json'], file, root).stdout);
    expect(list).toMatchObject([{ channel: 'discord', dmPolicy: 'pairing', allowFrom: [{ id: '42', inRecipe: true }], pending: [] }]);
    expect(cli(['access', 'allow', '77'], file, root).stdout).toMatch(/77 now on the discord allowlist/);
    expect(cli(['access', 'allow', '77'], file, root).stdout).toMatch(/77 already on/);
    const revoke = cli(['access', 'revoke', '42'], file, root);
    expect(revoke.stdout).toMatch(/42 taken off/);
    expect(revoke.stderr).toMatch(/42 is in the recipe's channels\.discord\.allowFrom: the next apply puts it back/);
    expect(cli(['access', 'allow', 'x1'], file, root).stderr).toMatch(/user id "x1": chat user ids are numbers/);
    const accessPath = join(root, HOME, '.claude/channels/discord/buddies/gate/access.json');
    expect(JSON.parse(readFileSync(accessPath, 'utf8')).allowFrom).toEqual(['77']);
  });

  it('a group dropped from the recipe leaves access.json; a group the owner added stays', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const withGroups = recipe(dir, "    groups:\n      '846209781206941736': { requireMention: true }\n      '111': { allowFrom: ['42'] }\n");
    expect(cli(['apply', '--yes'], withGroups, root).code).toBe(0);
    const accessPath = join(root, HOME, '.claude/channels/discord/buddies/gate/access.json');
    const access = JSON.parse(readFileSync(accessPath, 'utf8'));
    expect(access.groups['846209781206941736']).toEqual({ requireMention: true, allowFrom: [] });
    // The owner enables a channel with the plugin's skill (`group add 555 --no-mention`).
    access.groups['555'] = { requireMention: false, allowFrom: [] };
    writeFileSync(accessPath, JSON.stringify(access, null, 2));

    expect(cli(['apply', '--yes'], recipe(dir, ''), root).code).toBe(0);
    const after = JSON.parse(readFileSync(accessPath, 'utf8'));
    expect(after.groups).toEqual({ '555': { requireMention: false, allowFrom: [] } });
    expect(existsSync(accessPath)).toBe(true);
  });
});
