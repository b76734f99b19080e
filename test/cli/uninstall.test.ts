import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();

describe('uninstall', () => {
  it("removes what buddy-init installed, keeps the person's rules and Claude Code's state, and the pinned conversation unless --purge", () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const recipe = writeFile(join(dir, 'u.yaml'), 'name: gone\nextends: balanced\nworkdir: ~/w\n');
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    const at = (p: string) => join(root, HOME, p);
    // The person and Claude Code add their own things to the shared files, and the supervisor pinned a conversation.
    const settings = at('w/.claude/settings.local.json');
    const s = JSON.parse(readFileSync(settings, 'utf8'));
    s.permissions.allow.push('Bash(make)');
    s.model = 'sonnet';
    writeFileSync(settings, JSON.stringify(s));
    const claudeJson = at('.claude.json');
    writeFileSync(claudeJson, JSON.stringify({ ...JSON.parse(readFileSync(claudeJson, 'utf8')), numStartups: 3 }));
    writeFile(at('.local/state/buddy-init/gone/session.json'), '{"sessionId":"x"}');

    const r = runCli(['uninstall', '--recipe', recipe, '--root', root, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Uninstalled buddy "gone"/);
    for (const p of ['.config/systemd/user/gone.service', '.config/buddy-init/gone', '.local/share/buddy-init', '.local/state/buddy-init/gone/apply-state.json']) {
      expect(existsSync(at(p)), p).toBe(false);
    }
    expect(JSON.parse(readFileSync(settings, 'utf8'))).toEqual({ permissions: { allow: ['Bash(make)'] }, model: 'sonnet' });
    expect(JSON.parse(readFileSync(claudeJson, 'utf8'))).toEqual({ numStartups: 3 });
    expect(existsSync(at('.local/state/buddy-init/gone/session.json'))).toBe(true);

    // Nothing left to uninstall: said so, exit 0 (already done). Re-install, then --purge takes the state too.
    const again = runCli(['uninstall', '--recipe', recipe, '--root', root, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do: nothing of buddy "gone" is installed/);
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    expect(runCli(['uninstall', '--recipe', recipe, '--root', root, '--yes', '--purge']).code).toBe(0);
    expect(existsSync(at('.local/state/buddy-init/gone'))).toBe(false);
  });

  it('takes out the shared files its own first apply made when it leaves them empty, and only those (issue 28.13)', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const at = (p: string) => join(root, HOME, p);
    // A settings file the person had before (empty of anything but buddy-init's part, later): it stays.
    writeFile(at('w/.claude/settings.local.json'), '{}\n');
    const recipe = writeFile(join(dir, 'e.yaml'), 'name: tidy\nworkdir: ~/w\nschedule:\n  - every: 30m\n    prompt: hello\n');
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    // A second apply (a changed schedule) keeps knowing which files it made.
    writeFile(recipe, 'name: tidy\nworkdir: ~/w\nschedule:\n  - every: 2h\n    prompt: hello\n');
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    const r = runCli(['uninstall', '--recipe', recipe, '--root', root, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    // ~/.claude.json and the scheduled tasks file were made by buddy-init and hold nothing now: gone.
    expect(existsSync(at('.claude.json'))).toBe(false);
    expect(existsSync(at('w/.claude/scheduled_tasks.json'))).toBe(false);
    expect(readFileSync(at('w/.claude/settings.local.json'), 'utf8').trim()).toBe('{}');
    const left = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? left(join(d, e.name)) : [join(d, e.name).slice(root.length)]));
    expect(left(root).filter((f) => !f.includes('/.local/state/buddy-init/tidy/'))).toEqual([`${HOME}/w/.claude/settings.local.json`]);
  });

  it('keeps a runtime another buddy on the target still uses', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const one = writeFile(join(dir, 'one.yaml'), 'name: one\n');
    const two = writeFile(join(dir, 'two.yaml'), 'name: two\nworkdir: ~/two\n');
    expect(runCli(['apply', '--recipe', one, '--root', root, '--yes']).code).toBe(0);
    expect(runCli(['apply', '--recipe', two, '--root', root, '--yes']).code).toBe(0);
    const r = runCli(['uninstall', '--recipe', one, '--root', root, '--yes']);
    expect(r.stdout).toMatch(/hook\.cjs {2}\(kept: another buddy uses it\)/);
    expect(readdir(join(root, HOME, '.local/share/buddy-init'))).toHaveLength(1);
  });
});

function readdir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
