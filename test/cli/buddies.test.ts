// Issue 16: buddies of one user never step on each other. Real CLI processes under --root. Buddies share
// ~/.claude.json (onboarding, trust) and, in one workdir, settings.local.json (rules); each has its own
// unit, config, token file and hook entry. The oracle after every step is buddy-init itself from the
// other side: each remaining buddy's `plan` must be empty (everything it wants is still there and still
// recorded), and when the last one leaves, the person's files are exactly what they were before any.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discordToken, runCli, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();
const TOKENS = { BUDDY_T_ADA: discordToken('of-ada-0123456789'), BUDDY_T_BOB: discordToken('of-bob-0123456789'), BUDDY_T_CYD: discordToken('of-cyd-0123456789') };
type Name = 'ada' | 'bob' | 'cyd';

/** A recipe per buddy; all share the workdir (and so its rules), each with its own bot and a rule of its own. */
function recipes(dir: string, workdir = '~/shared'): Record<Name, string> {
  const one = (name: Name) =>
    writeFile(
      join(dir, `${name}.yaml`),
      `name: ${name}\nextends: balanced\nworkdir: ${workdir}\npermissions:\n  allow: ["Bash(make ${name})"]\nchannels:\n  discord:\n    token: { env: BUDDY_T_${name.toUpperCase()} }\n    allowFrom: ['4${name.length}']\n`,
    );
  return { ada: one('ada'), bob: one('bob'), cyd: one('cyd') };
}

class Box {
  readonly root = join(tempDir('buddy-many-'), 'root');
  at = (p: string) => join(this.root, HOME, p);
  cli(args: string[]) {
    return runCli([...args, '--root', this.root], { env: TOKENS });
  }
  ok(args: string[]) {
    const r = this.cli(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  }
  /** The person's own files before any buddy: a rule and a model in the workdir, Claude Code's counters. */
  personal(workdir = 'shared') {
    writeFile(this.at(`${workdir}/.claude/settings.local.json`), JSON.stringify({ permissions: { allow: ['Bash(make ada)', 'Bash(ls)'] }, model: 'sonnet' }));
    writeFile(this.at('.claude.json'), JSON.stringify({ numStartups: 7, projects: { '/elsewhere': { hasTrustDialogAccepted: true } } }));
  }
  json = (p: string) => JSON.parse(readFileSync(this.at(p), 'utf8'));
  expectUntouched(recipe: string, who: string) {
    const r = this.ok(['plan', '--recipe', recipe]);
    expect(r.stdout, `${who}'s plan`).toMatch(/No changes: the target already matches the recipe/);
  }
}

const BEFORE = {
  settings: { permissions: { allow: ['Bash(make ada)', 'Bash(ls)'] }, model: 'sonnet' },
  claudeJson: { numStartups: 7, projects: { '/elsewhere': { hasTrustDialogAccepted: true } } },
};

const orders: Name[][] = [
  ['ada', 'bob', 'cyd'],
  ['ada', 'cyd', 'bob'],
  ['bob', 'ada', 'cyd'],
  ['bob', 'cyd', 'ada'],
  ['cyd', 'ada', 'bob'],
  ['cyd', 'bob', 'ada'],
];

describe('buddies of one user', () => {
  it('two in one workdir: uninstalling one leaves every key, rule, flag and token of the other; the last restores the person\'s files', () => {
    const box = new Box();
    box.personal();
    const r = recipes(tempDir());
    box.ok(['apply', '--yes', '--recipe', r.ada]);
    box.ok(['apply', '--yes', '--recipe', r.bob]);
    // ada's own rule was the person's before (not claimed); both hooks are in; one trust flag.
    const settings = box.json('shared/.claude/settings.local.json');
    expect(settings.hooks.PreToolUse).toHaveLength(2);
    box.ok(['uninstall', '--yes', '--recipe', r.ada]);
    box.expectUntouched(r.bob, 'bob');
    expect(readFileSync(box.at('.claude/channels/discord/buddies/bob/.env'), 'utf8')).toBe(`DISCORD_BOT_TOKEN=${TOKENS.BUDDY_T_BOB}\n`);
    expect(existsSync(box.at('.claude/channels/discord/buddies/ada'))).toBe(false);
    expect(box.json('shared/.claude/settings.local.json').hooks.PreToolUse).toHaveLength(1);
    expect(box.json('shared/.claude/settings.local.json').permissions.allow).toContain('Bash(make ada)'); // the person's, always
    box.ok(['uninstall', '--yes', '--recipe', r.bob]);
    expect(box.json('shared/.claude/settings.local.json')).toEqual(BEFORE.settings);
    expect(box.json('.claude.json')).toEqual(BEFORE.claudeJson);
  });

  for (const order of orders) {
    it(`three in one workdir, applied ada, bob, cyd, uninstalled ${order.join(', ')}: the others untouched at each step, then the person's files exactly`, () => {
      const box = new Box();
      box.personal();
      const r = recipes(tempDir());
      for (const name of ['ada', 'bob', 'cyd'] as const) box.ok(['apply', '--yes', '--recipe', r[name]]);
      const left = new Set<Name>(['ada', 'bob', 'cyd']);
      for (const name of order) {
        box.ok(['uninstall', '--yes', '--recipe', r[name]]);
        left.delete(name);
        for (const other of left) box.expectUntouched(r[other], other);
        expect(existsSync(box.at(`.config/systemd/user/${name}.service`))).toBe(false);
      }
      expect(box.json('shared/.claude/settings.local.json')).toEqual(BEFORE.settings);
      expect(box.json('.claude.json')).toEqual(BEFORE.claudeJson);
      expect(existsSync(box.at('.local/share/buddy-init'))).toBe(false);
    }, 60_000);
  }

  it('a renamed buddy: the plan shows the old name\'s leftovers, apply takes them out and carries the conversation over; the old name\'s uninstall then touches nothing of the new', () => {
    const box = new Box();
    box.personal();
    const dir = tempDir();
    const file = writeFile(join(dir, 'buddy.yaml'), readFileSync(recipes(tempDir()).ada, 'utf8'));
    box.ok(['apply', '--yes', '--recipe', file]);
    writeFile(box.at('.local/state/buddy-init/ada/session.json'), '{"sessionId":"5d0c7d8e-0000-4000-8000-000000000001"}');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: ada', 'name: eve'));
    const plan = box.ok(['plan', '--recipe', file]);
    expect(plan.stdout).toMatch(/Leftovers of buddy "ada" \(this recipe's name before the rename\), taken out first:/);
    expect(plan.stdout).toMatch(/- ~\/\.config\/systemd\/user\/ada\.service/);
    expect(plan.stderr).toMatch(/buddy "ada" was applied from this recipe before it was renamed: apply takes its unit and files out .*\(its pinned conversation carries over: same workdir\)/);
    box.ok(['apply', '--yes', '--recipe', file]);
    for (const p of ['.config/systemd/user/ada.service', '.config/buddy-init/ada', '.claude/channels/discord/buddies/ada', '.local/state/buddy-init/ada/apply-state.json']) {
      expect(existsSync(box.at(p)), p).toBe(false);
    }
    expect(box.json('.local/state/buddy-init/eve/session.json').sessionId).toBe('5d0c7d8e-0000-4000-8000-000000000001');
    box.expectUntouched(file, 'eve');
    // The old name's recipe, uninstalled (from its rendering: it has no record any more), leaves eve whole.
    const old = writeFile(join(dir, 'old.yaml'), readFileSync(file, 'utf8').replace('name: eve', 'name: ada'));
    const r = box.cli(['uninstall', '--yes', '--recipe', old]);
    expect(r.code, r.stderr).toBe(0);
    box.expectUntouched(file, 'eve');
    box.ok(['uninstall', '--yes', '--recipe', file]);
    expect(box.json('shared/.claude/settings.local.json')).toEqual(BEFORE.settings);
    expect(box.json('.claude.json')).toEqual(BEFORE.claudeJson);
  });

  it('a rename with --keep-renamed keeps the old buddy and says so', () => {
    const box = new Box();
    const file = writeFile(join(tempDir(), 'buddy.yaml'), readFileSync(recipes(tempDir()).ada, 'utf8'));
    box.ok(['apply', '--yes', '--recipe', file]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: ada', 'name: eve').replace('BUDDY_T_ADA', 'BUDDY_T_BOB'));
    const r = box.ok(['apply', '--yes', '--keep-renamed', '--recipe', file]);
    expect(r.stderr).toMatch(/buddy "ada" was applied from this recipe before it was renamed; --keep-renamed leaves it installed/);
    expect(existsSync(box.at('.config/systemd/user/ada.service'))).toBe(true);
    expect(existsSync(box.at('.config/systemd/user/eve.service'))).toBe(true);
  });
});

describe('without a state file', () => {
  it('apply adopts what matches the recipe (and says so); uninstall then takes out all of it', () => {
    const box = new Box();
    box.personal();
    const r = recipes(tempDir());
    box.ok(['apply', '--yes', '--recipe', r.bob]);
    rmSync(box.at('.local/state/buddy-init/bob/apply-state.json'));
    const plan = box.ok(['plan', '--recipe', r.bob]);
    expect(plan.stderr).toMatch(/no record of an earlier apply .* but this buddy's files are there: apply adopts what matches the recipe as buddy-init's \(\d+ whole files?, \d+ entr(y|ies) in shared files\)/);
    box.ok(['apply', '--yes', '--recipe', r.bob]);
    box.expectUntouched(r.bob, 'bob');
    box.ok(['uninstall', '--yes', '--recipe', r.bob]);
    expect(box.json('shared/.claude/settings.local.json')).toEqual(BEFORE.settings);
    expect(box.json('.claude.json')).toEqual(BEFORE.claudeJson);
    expect(existsSync(box.at('.claude/channels/discord/buddies/bob'))).toBe(false);
  });

  it('uninstall works from the rendering, listing what it takes out; the person\'s files come back exactly', () => {
    const box = new Box();
    box.personal();
    const r = recipes(tempDir());
    box.ok(['apply', '--yes', '--recipe', r.bob]);
    rmSync(box.at('.local/state/buddy-init/bob/apply-state.json'));
    const u = box.ok(['uninstall', '--yes', '--recipe', r.bob]);
    expect(u.stderr).toMatch(/no record of an apply .* working from the recipe, everything below matches it/);
    expect(u.stdout).toMatch(/- .*\.config\/systemd\/user\/bob\.service/);
    expect(u.stdout).toMatch(/~ .*shared\/\.claude\/settings\.local\.json .*entries of buddy-init's taken out/);
    expect(box.json('shared/.claude/settings.local.json')).toEqual(BEFORE.settings);
    expect(box.json('.claude.json')).toEqual(BEFORE.claudeJson);
    for (const p of ['.config/systemd/user/bob.service', '.config/buddy-init/bob', '.claude/channels/discord/buddies/bob', '.local/share/buddy-init']) expect(existsSync(box.at(p)), p).toBe(false);
    // Nothing of it left: said so, exit 0 (already done).
    const again = box.cli(['uninstall', '--yes', '--recipe', r.bob]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do: nothing of buddy "bob" is installed/);
  });

  it('a first apply (no record and none of the buddy\'s files) adopts nothing: a rule the person had stays theirs through uninstall', () => {
    const box = new Box();
    box.personal();
    const r = recipes(tempDir());
    const plan = box.ok(['plan', '--recipe', r.ada]);
    expect(plan.stderr).not.toMatch(/adopts/);
    box.ok(['apply', '--yes', '--recipe', r.ada]);
    box.ok(['uninstall', '--yes', '--recipe', r.ada]);
    expect(box.json('shared/.claude/settings.local.json').permissions.allow).toContain('Bash(make ada)');
  });
});
