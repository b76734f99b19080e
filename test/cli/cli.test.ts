import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recipeJsonSchema } from '../../src/recipe/index.js';
import { discordToken, runCli, snapshot, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();
const TOKEN = discordToken('cli-test');
const OAUTH = 'sk-ant-oat01-cli-test-0123456789abcdefghij';
const ENV = { BUDDY_TEST_DISCORD: TOKEN, BUDDY_TEST_OAUTH: OAUTH };

function recipe(dir: string, posture = 'balanced', extra = ''): string {
  return writeFile(
    join(dir, 'buddy.yaml'),
    `name: clibud\nextends: ${posture}\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: BUDDY_TEST_DISCORD }\n    allowFrom: ['42']\nauth:\n  oauthToken: { env: BUDDY_TEST_OAUTH }\n${extra}`,
  );
}

const settingsPath = (root: string) => join(root, HOME, 'work', '.claude', 'settings.local.json');

describe('buddy-init CLI', () => {
  it('validate: 0 for a good recipe, 2 and file:line:col for a bad one', () => {
    const dir = tempDir();
    expect(runCli(['validate', '--recipe', recipe(dir)], { env: {} }).code).toBe(0);
    const bad = writeFile(join(dir, 'bad.yaml'), 'name: ok\npermissions:\n  deny: ["Bash(echo a)b)"]\n');
    const r = runCli(['validate', '--recipe', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`bad\\.yaml:3:10: permissions\\.deny\\.0: Claude Code would skip this deny rule: Mismatched parentheses`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('schema prints the JSON Schema the loader enforces', () => {
    const r = runCli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(recipeJsonSchema())));
  });

  it('usage errors exit 2 with one line', () => {
    expect(runCli([]).code).toBe(2);
    const r = runCli(['plan', '--recipe', 'x.yaml', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument: bogus/);
  });

  it('render writes the files under --out with secrets as placeholders', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = runCli(['render', '--recipe', recipe(dir), '--out', out], { env: {} });
    expect(r.code, r.stderr).toBe(0);
    const unit = readFileSync(join(out, HOME, '.config/systemd/user/clibud.service'), 'utf8');
    expect(unit).toMatch(/^Type=notify$/m);
    const token = join(out, HOME, '.claude/channels/discord/buddies/clibud/.env');
    expect(readFileSync(token, 'utf8')).toBe('DISCORD_BOT_TOKEN=<secret from env BUDDY_TEST_DISCORD>\n');
    expect(statSync(token).mode & 0o777).toBe(0o600);
  });

  it('plan shows the changes and writes nothing', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const r = runCli(['plan', '--recipe', recipe(dir), '--root', root], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\+ ~\/\.config\/systemd\/user\/clibud\.service +create/);
    expect(r.stdout).toMatch(/systemctl --user enable --now clibud\.service {2}# --root/);
    expect(snapshot(root)).toEqual({});
  });

  it('apply writes every file once with its mode; a second apply writes nothing and says so', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const file = recipe(dir);
    const first = runCli(['apply', '--recipe', file, '--root', root, '--yes'], { env: ENV });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied: 12 files written, 0 backups kept/);
    const mode = (p: string) => statSync(join(root, HOME, p)).mode & 0o777;
    expect(mode('.config/buddy-init/clibud/auth.env')).toBe(0o600);
    expect(mode('.claude/channels/discord/buddies/clibud/.env')).toBe(0o600);
    expect(mode('.claude.json')).toBe(0o600);
    expect(mode('.config/systemd/user/clibud.service')).toBe(0o644);
    expect(mode('.local/state/buddy-init/clibud/apply-state.json')).toBe(0o600);
    expect(readFileSync(join(root, HOME, '.claude/channels/discord/buddies/clibud/.env'), 'utf8')).toBe(`DISCORD_BOT_TOKEN=${TOKEN}\n`);

    const before = snapshot(root);
    const second = runCli(['apply', '--recipe', file, '--root', root, '--yes'], { env: ENV });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/No changes: the target already matches the recipe\.\nNothing written\./);
    expect(snapshot(root)).toEqual(before);
  });

  it('a re-apply takes out what the recipe no longer renders: a dropped channel, an older runtime', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const at = (p: string) => join(root, p);
    const home = (p: string) => join(HOME, p);
    expect(runCli(['apply', '--recipe', recipe(dir), '--root', root, '--yes'], { env: ENV }).code).toBe(0);
    // A key of the person's own beside the token; an older version's runtime on record, one file of it
    // still used by another buddy; a file of the record edited by hand since.
    writeFileSync(at(home('.claude/channels/discord/buddies/clibud/.env')), `DISCORD_BOT_TOKEN=${TOKEN}\nMY_OWN=1\n`, { mode: 0o600 });
    const old = { lone: home('.local/share/buddy-init/0.0.8/hook.mjs'), hook: home('.local/share/buddy-init/0.0.9/hook.mjs'), supervisor: home('.local/share/buddy-init/0.0.9/supervisor.mjs'), edited: home('.config/buddy-init/clibud/old.json') };
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    for (const path of Object.values(old)) writeFile(at(path), 'as written');
    writeFileSync(at(old.edited), 'changed by hand');
    const statePath = at(home('.local/state/buddy-init/clibud/apply-state.json'));
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    for (const path of Object.values(old)) state.files[path] = { sha256: sha('as written') };
    writeFileSync(statePath, JSON.stringify(state));
    writeFile(at(home('.local/state/buddy-init/other/apply-state.json')), JSON.stringify({ format: 2, buddyInit: '0.1.0', name: 'other', appliedAt: '2026-12-01T00:00:00.000Z', pendingEffects: [], files: { [old.supervisor]: { sha256: sha('as written') } } }));

    const withoutChannel = writeFile(join(dir, 'quiet.yaml'), 'name: clibud\nextends: balanced\nworkdir: ~/work\nauth:\n  oauthToken: { env: BUDDY_TEST_OAUTH }\n');
    const plan = runCli(['plan', '--recipe', withoutChannel, '--root', root], { env: ENV });
    expect(plan.stdout).toMatch(/- ~\/\.local\/share\/buddy-init\/0\.0\.9\/hook\.mjs +remove +no longer part of the recipe/);
    expect(plan.stdout).toMatch(/~ ~\/\.claude\/channels\/discord\/buddies\/clibud\/\.env +update +no longer part of the recipe: buddy-init's part comes out \[-1\]/);
    expect(plan.stdout).not.toMatch(/supervisor\.mjs +remove|old\.json +remove/);
    expect(plan.stderr).toMatch(/old\.json is no longer part of the recipe but was edited since buddy-init wrote it: left in place/);
    // The allowlist held only buddy-init's part: emptied, it goes (the .env keeps the person's line).
    expect(plan.stdout).toMatch(/- ~\/\.claude\/channels\/discord\/buddies\/clibud\/access\.json +remove/);
    expect(plan.stdout).toMatch(/3 to remove/);
    expect(plan.stdout + plan.stderr).not.toContain(TOKEN);

    const r = runCli(['apply', '--recipe', withoutChannel, '--root', root, '--yes'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 removed/);
    expect(existsSync(at(old.hook))).toBe(false);
    expect(existsSync(dirname(at(old.lone)))).toBe(false); // an older runtime's folder, emptied
    expect(readFileSync(at(old.supervisor), 'utf8')).toBe('as written'); // the other buddy's
    expect(readFileSync(at(old.edited), 'utf8')).toBe('changed by hand');
    expect(readFileSync(at(home('.claude/channels/discord/buddies/clibud/.env')), 'utf8')).toBe('MY_OWN=1\n');
    expect(existsSync(at(home('.claude/channels/discord/buddies/clibud/access.json')))).toBe(false);
    const after = JSON.parse(readFileSync(statePath, 'utf8')).files;
    for (const path of [...Object.values(old), home('.claude/channels/discord/buddies/clibud/.env'), home('.claude/channels/discord/buddies/clibud/access.json')]) expect(after[path], path).toBeUndefined();
    // Converged: nothing more to do.
    expect(runCli(['apply', '--recipe', withoutChannel, '--root', root, '--yes'], { env: ENV }).stdout).toMatch(/No changes/);
  });

  it('a posture change keeps a rule granted by hand and backs up what it replaces', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    expect(runCli(['apply', '--recipe', recipe(dir), '--root', root, '--yes'], { env: ENV }).code).toBe(0);
    // Claude Code writes a "don't ask again" grant into the file.
    const settings = JSON.parse(readFileSync(settingsPath(root), 'utf8'));
    settings.permissions.allow.push('Bash(npm test)');
    writeFileSync(settingsPath(root), JSON.stringify(settings, null, 2));

    const r = runCli(['apply', '--recipe', recipe(dir, 'strict'), '--root', root, '--yes'], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Kept as found .*\n.*settings\.local\.json: permissions\.allow: Bash\(npm test\)/);
    const after = JSON.parse(readFileSync(settingsPath(root), 'utf8'));
    expect(after.permissions.defaultMode).toBe('default');
    expect(after.permissions.allow).toContain('Bash(npm test)');
    expect(after.permissions.deny).toContain('Bash(sudo *)');
    const backups = join(root, HOME, '.local/state/buddy-init/clibud/backups');
    const [stamp] = readdirSync(backups);
    const backup = JSON.parse(readFileSync(join(backups, stamp!, HOME, 'work/.claude/settings.local.json'), 'utf8'));
    expect(backup.permissions.defaultMode).toBe('acceptEdits');
    expect(backup.permissions.deny).not.toContain('Bash(sudo *)');
  });

  it('never prints a secret: not in plan, not in apply, not in --json', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const outputs = [
      runCli(['plan', '--recipe', recipe(dir), '--root', root], { env: ENV }),
      runCli(['plan', '--recipe', recipe(dir), '--root', root, '--json'], { env: ENV }),
      runCli(['apply', '--recipe', recipe(dir), '--root', root, '--yes', '--json'], { env: ENV }),
      runCli(['apply', '--recipe', recipe(dir, 'strict'), '--root', root, '--yes'], { env: { ...ENV, BUDDY_TEST_DISCORD: `${TOKEN}-rotated` } }),
    ];
    for (const o of outputs) {
      expect(o.code, o.stderr).toBe(0);
      expect(o.stdout + o.stderr).not.toContain(TOKEN);
      expect(o.stdout + o.stderr).not.toContain(OAUTH);
    }
    expect(outputs[3]!.stdout).toMatch(/channels\/discord\/buddies\/clibud\/\.env: holds secrets, content not shown \(\+ DISCORD_BOT_TOKEN\)/);
    const json = JSON.parse(outputs[1]!.stdout);
    expect(json.changes.find((c: { path: string }) => c.path.endsWith('discord/buddies/clibud/.env'))).toMatchObject({ op: 'create', mode: '0600' });
  });

  it('refuses to apply without --yes when there is no terminal, and writes nothing', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const r = runCli(['apply', '--recipe', recipe(dir), '--root', root], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes to confirm when not running in a terminal/);
    expect(snapshot(root)).toEqual({});
  });

  it('a missing secret is an input error at its place in the recipe, with nothing written', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const r = runCli(['apply', '--recipe', recipe(dir), '--root', root, '--yes'], { env: { BUDDY_TEST_OAUTH: OAUTH, BUDDY_TEST_DISCORD: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/buddy\.yaml:6:12: channels\.discord\.token: environment variable BUDDY_TEST_DISCORD is not set/);
    expect(snapshot(root)).toEqual({});
  });

  it('a chat token of the wrong shape is refused on every path it comes in, saying the shape and where it came from (issue 28.8)', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const telegram = writeFile(join(dir, 'tg.yaml'), "name: tgbud\nworkdir: ~/w\nchannels:\n  telegram:\n    token: { env: TELEGRAM_BOT_TOKEN }\n    allowFrom: ['42']\n");
    const short = { TELEGRAM_BOT_TOKEN: '7123456789:short' };
    const applied = runCli(['apply', '--yes', '--recipe', telegram, '--root', root], { env: short });
    expect(applied.code).toBe(2);
    expect(applied.stderr).toMatch(
      /tg\.yaml:5:12: channels\.telegram\.token: the telegram bot token from env TELEGRAM_BOT_TOKEN does not look like a Telegram bot token \(digits, a colon, 35 characters, e\.g\. 123456789:AAH\.\.\.; got 16 characters\)/,
    );
    expect(snapshot(root)).toEqual({});
    // validate warns; --strict refuses.
    const checked = runCli(['validate', '--recipe', telegram], { env: short });
    expect(checked.code).toBe(0);
    expect(checked.stderr).toMatch(/channels\.telegram\.token: the telegram bot token from env TELEGRAM_BOT_TOKEN does not look like a Telegram bot token/);
    expect(runCli(['validate', '--strict', '--recipe', telegram], { env: short }).code).toBe(2);
    // From a file, the same check, naming the file; a token of the right shape goes through.
    const file = writeFile(join(dir, 'discord.token'), 'MTA.short.x\n');
    chmodSync(file, 0o600);
    const fromFile = writeFile(join(dir, 'd.yaml'), "name: dbud\nworkdir: ~/w\nchannels:\n  discord:\n    token: { file: discord.token }\n    allowFrom: ['42']\n");
    const refused = runCli(['apply', '--yes', '--recipe', fromFile, '--root', root]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`the discord bot token from file discord\\.token does not look like a Discord bot token \\(three dot-separated parts`));
    writeFileSync(file, `${TOKEN}\n`);
    expect(runCli(['apply', '--yes', '--recipe', fromFile, '--root', root]).code).toBe(0);
  });

  it('an inventory given as a recipe is named for what it is (issue 28.13)', () => {
    const dir = tempDir();
    writeFile(join(dir, 'base.yaml'), 'name: base\n');
    const inventory = writeFile(join(dir, 'inventory.yaml'), 'defaults:\n  recipe: base.yaml\nhosts:\n  mini:\n    host: ada@mini.local\n');
    const r = runCli(['validate', '--recipe', inventory]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/inventory\.yaml:3:1: .*inventory\.yaml is an inventory \(it lists hosts\), not a recipe: give it as --inventory \S*inventory\.yaml \(validate --inventory, or --all with plan, apply, status\)$/);
    expect(runCli(['validate', '--inventory', inventory]).code).toBe(0);
  });

  it('will not overwrite a settings file it cannot parse, and writes nothing else either', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    writeFile(join(dir, 'x'), '');
    const broken = settingsPath(root);
    mkdirSync(join(broken, '..'), { recursive: true });
    writeFileSync(broken, '{ "permissions": ');
    const before = snapshot(root);
    const r = runCli(['apply', '--recipe', recipe(dir), '--root', root, '--yes'], { env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/settings\.local\.json is not valid JSON .*will not overwrite it/);
    expect(snapshot(root)).toEqual(before);
  });

  it('replaces a unit edited by hand, says so, and keeps the edit in a backup', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    expect(runCli(['apply', '--recipe', recipe(dir), '--root', root, '--yes'], { env: ENV }).code).toBe(0);
    const unit = join(root, HOME, '.config/systemd/user/clibud.service');
    writeFileSync(unit, `${readFileSync(unit, 'utf8')}# my tweak\n`);
    const r = runCli(['apply', '--recipe', recipe(dir), '--root', root, '--yes'], { env: ENV });
    expect(r.stdout).toMatch(/clibud\.service +update .*edited on the target since the last apply/);
    expect(r.stdout).toMatch(/^-# my tweak$/m);
    expect(readFileSync(unit, 'utf8')).not.toContain('# my tweak');
    const backups = join(root, HOME, '.local/state/buddy-init/clibud/backups');
    const [stamp] = readdirSync(backups);
    expect(readFileSync(join(backups, stamp!, HOME, '.config/systemd/user/clibud.service'), 'utf8')).toContain('# my tweak');
  });

  it('prints no colour codes with --no-color or NO_COLOR', () => {
    const dir = tempDir();
    const r = runCli(['plan', '--recipe', recipe(dir), '--root', join(dir, 'root'), '--no-color'], { env: { ...ENV, FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });
});
