// Issue 18: `render` is for inspection, so it works without the box: --offline, or when the box cannot
// be reached, the facts come from the recipe and the flags, and every assumption is printed. The oracle
// for the assumptions is a render from the facts this machine really has.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, runCli, tempDir } from '../helpers.js';

const tree = (dir: string) => filesUnder(dir).map((p) => relative(dir, p));

const recipe = (dir: string, text: string) => {
  const file = join(dir, 'buddy.yaml');
  writeFileSync(file, text);
  return file;
};

describe('render without reaching the box', () => {
  it('for a Mac that cannot be reached: falls back to the recipe, says why and what it assumed, renders the launchd files', () => {
    const dir = tempDir('buddy-render-');
    // .invalid never resolves (RFC 2606): the box is "asleep".
    recipe(dir, 'name: jarvis\ntarget: { ssh: ada@mini.invalid }\nos: macos\nworkdir: ~/buddy\n');
    const r = runCli(['render', '--out', 'out'], { cwd: dir }); // buddy.yaml is the default recipe
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: could not read the box's facts \(cannot resolve mini\.invalid.*\); rendering from assumptions \(--offline skips trying\)$/m);
    expect(r.stderr).toMatch(/^ {2}os macos \(the recipe\)$/m);
    expect(r.stderr).toMatch(/^ {2}user ada \(the SSH destination\)$/m);
    expect(r.stderr).toMatch(/^ {2}home \/Users\/ada \(assumed; --home to change\)$/m);
    const files = tree(join(dir, 'out'));
    expect(files).toContain('Library/LaunchDaemons/com.buddy-init.jarvis.plist');
    expect(files).toContain('Users/ada/buddy/.claude/settings.local.json');
    expect(readFileSync(join(dir, 'out/Library/LaunchDaemons/com.buddy-init.jarvis.plist'), 'utf8')).toMatch(/<string>ada<\/string>[\s\S]*\/Users\/ada\//);
    expect(files.filter((f) => f.includes('systemd'))).toEqual([]);
  });

  it('--offline with --os/--user/--home: never contacts the host, renders for the given user', () => {
    const dir = tempDir('buddy-render-');
    recipe(dir, 'name: jarvis\ntarget: { ssh: ada@mini.invalid }\nworkdir: ~/buddy\n');
    const r = runCli(['render', '--out', 'out', '--offline', '--os', 'linux', '--user', 'bob', '--home', '/srv/bob', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/could not read/); // not even tried
    const json = JSON.parse(r.stdout);
    expect(json.assumptions).toEqual(expect.arrayContaining(['os linux (--os)', 'user bob (--user)', 'home /srv/bob (--home)']));
    const unit = readFileSync(join(dir, 'out/srv/bob/.config/systemd/user/jarvis.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/srv\/bob\/\.local\/share\/buddy-init\/[^ ]+\/supervisor\.mjs --config \/srv\/bob\/\.config\/buddy-init\/jarvis\/supervisor\.json$/m);
    expect(statSync(join(dir, 'out/srv/bob/buddy/.claude/settings.local.json')).isFile()).toBe(true);
  });

  it('refuses the facts flags without --offline, and an --os the recipe contradicts, at its line', () => {
    const dir = tempDir('buddy-render-');
    recipe(dir, 'name: jarvis\nos: macos\n');
    const flagsAlone = runCli(['render', '--out', 'out', '--user', 'bob'], { cwd: dir });
    expect(flagsAlone.code).toBe(2);
    expect(flagsAlone.stderr).toMatch(/--user: only with --offline/);
    const contradiction = runCli(['render', '--out', 'out', '--offline', '--os', 'linux'], { cwd: dir });
    expect(contradiction.code).toBe(2);
    expect(contradiction.stderr).toMatch(/^error: buddy\.yaml:2:5: --os linux: the recipe says os: macos$/m);
  });

  it("assumes what a real box of that kind has: the same files as a render from this machine's facts", () => {
    const dir = tempDir('buddy-render-');
    recipe(dir, 'name: jarvis\nextends: balanced\nworkdir: ~/buddy\nchannels:\n  telegram: { token: { env: TG }, allowFrom: ["42"] }\n');
    const real = runCli(['render', '--out', 'real'], { cwd: dir });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stderr).not.toMatch(/assumptions/);
    const assumed = runCli(['render', '--out', 'assumed', '--offline'], { cwd: dir });
    expect(assumed.code, assumed.stderr).toBe(0);
    expect(assumed.stderr).toMatch(new RegExp(`^ {2}user ${userInfo().username} \\(this machine\\)$`, 'm'));
    expect(tree(join(dir, 'assumed'))).toEqual(tree(join(dir, 'real')));
    const read = (side: string, path: string) => readFileSync(join(dir, side, homedir(), path), 'utf8');
    for (const path of ['.config/buddy-init/jarvis/hook.json', '.claude.json', '.claude/channels/telegram/buddies/jarvis/access.json']) {
      expect(read('assumed', path), path).toBe(read('real', path));
    }
    // The unit differs at most in where claude was found (the PATH line): an assumed ~/.local/bin/claude.
    const unitLines = (side: string) => read(side, '.config/systemd/user/jarvis.service').split('\n').filter((l) => !l.startsWith('Environment=PATH='));
    expect(unitLines('assumed')).toEqual(unitLines('real'));
    // Settings: the same rules and hook. (A box with bubblewrap and socat, as assumed, runs claude with
    // the env scrub, which says acceptEdits as Edit rules; this machine may lack socat.)
    const settings = (side: string) => JSON.parse(read(side, 'buddy/.claude/settings.local.json'));
    const [a, b] = [settings('assumed'), settings('real')];
    expect(a.hooks).toEqual(b.hooks);
    expect(a.permissions.deny).toEqual(b.permissions.deny);
    expect(a.permissions.ask).toEqual(b.permissions.ask);
    const noEdits = (rules: string[]) => rules.filter((r) => !r.startsWith('Edit(/'));
    expect(noEdits(a.permissions.allow)).toEqual(noEdits(b.permissions.allow));
  });
});
