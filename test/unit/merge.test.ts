import { describe, expect, it } from 'vitest';
import { describeEntry, mergeManaged, parseEnvFile, renderEnvFile } from '../../src/plan/index.js';
import { pluginLoadsEnv } from '../fixtures/channel-plugins/env-loader.js';
import type { ManagedJson } from '../../src/render/index.js';

const want = (allow: string[], mode = 'acceptEdits'): ManagedJson => ({
  values: [{ path: ['permissions', 'defaultMode'], value: mode }],
  members: [{ path: ['permissions', 'allow'], items: allow }],
});

describe('three-way merge of a shared settings file', () => {
  it('adds to an empty file and owns what it added', () => {
    const r = mergeManaged({}, want(['Read', 'Bash(ls *)']), undefined);
    expect(r.document).toEqual({ permissions: { defaultMode: 'acceptEdits', allow: ['Read', 'Bash(ls *)'] } });
    expect(r.owned).toEqual({ ...want(['Read', 'Bash(ls *)']), members: [{ path: ['permissions', 'allow'], items: ['Read', 'Bash(ls *)'], created: true }] });
  });

  it('takes out a group it added when the recipe drops it, even with an empty allowlist (which means everyone)', () => {
    const group = (id: string, allowFrom: string[]): ManagedJson => ({
      values: [{ path: ['groups', id, 'requireMention'], value: true }],
      members: [{ path: ['groups', id, 'allowFrom'], items: allowFrom, ensure: true }],
    });
    const both = (a: ManagedJson, b: ManagedJson): ManagedJson => ({ values: [...a.values, ...b.values], members: [...a.members, ...b.members] });
    // A group of the person's own, set up with the plugin's skill before buddy-init came.
    const start = { groups: { mine: { requireMention: false, allowFrom: [] } } };
    const first = mergeManaged(start, both(group('open', []), group('closed', ['7'])), undefined);
    expect(first.document).toEqual({ groups: { mine: { requireMention: false, allowFrom: [] }, open: { requireMention: true, allowFrom: [] }, closed: { requireMention: true, allowFrom: ['7'] } } });
    const dropped = mergeManaged(first.document, { values: [], members: [] }, first.owned);
    expect(dropped.document).toEqual(start);
    // A record from before `created` was kept: the key buddy-init set beside the list tells the same.
    const legacy = { ...first.owned, members: first.owned.members.map(({ path, items }) => ({ path, items })) };
    expect(mergeManaged(first.document, { values: [], members: [] }, legacy).document).toEqual(start);
  });

  it('keeps a rule granted by hand through a posture change, and removes only its own old rules', () => {
    const first = mergeManaged({}, want(['Read', 'Bash(ls *)', 'Bash(cat *)']), undefined);
    // Claude Code appends a "don't ask again" grant; the user also changes an unrelated key.
    const onDisk = structuredClone(first.document) as { permissions: { allow: string[] }; model?: string };
    onDisk.permissions.allow.push('Bash(npm test)');
    onDisk.model = 'sonnet';
    const second = mergeManaged(onDisk, want(['Read', 'Bash(git log *)'], 'default'), first.owned);
    expect(second.document).toEqual({
      permissions: { defaultMode: 'default', allow: ['Read', 'Bash(npm test)', 'Bash(git log *)'] },
      model: 'sonnet',
    });
    expect(second.removed.map((e) => describeEntry(e))).toEqual(['permissions.allow: Bash(ls *)', 'permissions.allow: Bash(cat *)']);
    expect(second.kept.map((e) => describeEntry(e))).toEqual(['permissions.allow: Bash(npm test)']);
  });

  it('never claims a rule the user already had, so dropping it from the recipe keeps it', () => {
    const r1 = mergeManaged({ permissions: { allow: ['Bash(make)'] } }, want(['Bash(make)', 'Read']), undefined);
    expect(r1.owned.members[0]!.items).toEqual(['Read']);
    const r2 = mergeManaged(r1.document, want(['Read']), r1.owned);
    expect((r2.document as any).permissions.allow).toEqual(['Bash(make)', 'Read']);
  });

  it('does not undo a value someone changed after buddy-init set it', () => {
    const r1 = mergeManaged({}, want([]), undefined);
    const edited = { permissions: { defaultMode: 'plan' } };
    const r2 = mergeManaged(edited, { values: [], members: [] }, r1.owned);
    expect(r2.document).toEqual({ permissions: { defaultMode: 'plan' } });
    const r3 = mergeManaged(r1.document, { values: [], members: [] }, r1.owned);
    expect(r3.document).toEqual({}); // the object it emptied goes too
  });

  it('replaces its old hook entry when the runtime version changes', () => {
    const hook = (v: string) => ({ matcher: 'Bash', hooks: [{ type: 'command', command: `node /r/${v}/hook.mjs`, timeout: 10 }] });
    const user = { matcher: 'Edit', hooks: [{ type: 'command', command: 'mine' }] };
    const m = (v: string): ManagedJson => ({ values: [], members: [{ path: ['hooks', 'PreToolUse'], items: [hook(v)] }] });
    const r1 = mergeManaged({ hooks: { PreToolUse: [user] } }, m('0.1.0'), undefined);
    const r2 = mergeManaged(r1.document, m('0.2.0'), r1.owned);
    expect((r2.document as any).hooks.PreToolUse).toEqual([user, hook('0.2.0')]);
  });

  it('compares entries regardless of key order (Claude Code rewrites files)', () => {
    const entry = { matcher: 'Bash', hooks: [] };
    const r = mergeManaged({ hooks: { PreToolUse: [{ hooks: [], matcher: 'Bash' }] } }, { values: [], members: [{ path: ['hooks', 'PreToolUse'], items: [entry] }] }, undefined);
    expect(r.added).toEqual([]);
  });

  it('refuses to merge through a value of the wrong shape', () => {
    expect(() => mergeManaged({ permissions: 'all' }, want(['Read']), undefined)).toThrow(/permissions is not an object/);
    expect(() => mergeManaged({ permissions: { allow: 'Read' } }, want(['Read']), undefined)).toThrow(/permissions\.allow is not a list/);
  });
});

describe('KEY=value files, as the chat plugins read them', () => {
  const ours = new Set(['DISCORD_BOT_TOKEN']);

  it('updates its key and keeps comments and other keys where they were', () => {
    const original = '# set by /discord:configure\nDISCORD_STATE_DIR=/x\nDISCORD_BOT_TOKEN=old\n';
    const doc = { ...parseEnvFile(original), DISCORD_BOT_TOKEN: 'new' };
    expect(renderEnvFile(original, doc, ours)).toBe('# set by /discord:configure\nDISCORD_STATE_DIR=/x\nDISCORD_BOT_TOKEN=new\n');
  });

  it('reads exactly what the plugin loads: first line wins, no export, no quotes removed, no CRLF lines', () => {
    const texts = [
      'A=1\nA=2\n',
      'export A=1\nB="2"\nC=\'3\'\n',
      'A=1\r\nB=2\r\n',
      ' A=1\nA =2\nA= 3\n',
      '# c\n\nA=x=y\nB=\n',
      'DISCORD_BOT_TOKEN=a b\n',
    ];
    for (const text of texts) expect(parseEnvFile(text), JSON.stringify(text)).toEqual(pluginLoadsEnv(text));
  });

  it('writes its key so that the plugin loads it: bare, once, in LF; a person\'s other lines as they were', () => {
    const cases: Array<[string, string]> = [
      ['export DISCORD_BOT_TOKEN=old\nMINE=1\n', 'DISCORD_BOT_TOKEN=new\nMINE=1\n'],
      ['DISCORD_BOT_TOKEN="old"\n', 'DISCORD_BOT_TOKEN=new\n'],
      ['MINE=1\r\nDISCORD_BOT_TOKEN=old\r\n', 'MINE=1\nDISCORD_BOT_TOKEN=new\n'],
      ['DISCORD_BOT_TOKEN=old\nDISCORD_BOT_TOKEN=older\nexport MINE="x y"\n', 'DISCORD_BOT_TOKEN=new\nexport MINE="x y"\n'],
      ['', 'DISCORD_BOT_TOKEN=new\n'],
    ];
    for (const [original, expected] of cases) {
      const doc = { ...parseEnvFile(original), DISCORD_BOT_TOKEN: 'new' };
      const written = renderEnvFile(original, doc, ours);
      expect(written, JSON.stringify(original)).toBe(expected);
      expect(pluginLoadsEnv(written).DISCORD_BOT_TOKEN).toBe('new');
    }
  });

  it('drops a removed key, in every spelling', () => {
    expect(renderEnvFile('DISCORD_BOT_TOKEN=1\nB=2\nexport DISCORD_BOT_TOKEN=3\n', { B: '2' }, ours)).toBe('B=2\n');
    expect(renderEnvFile('DISCORD_BOT_TOKEN=1\n', {}, ours)).toBe('');
  });
});
