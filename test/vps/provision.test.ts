import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile, waitFor } from '../helpers.js';
import { Vps } from './vps.js';

// A booted Debian 12 VPS (systemd-nspawn, see vps.ts) provisioned over SSH from nothing.
const vps = new Vps();
beforeAll(() => vps.boot(), 300_000);
afterAll(() => vps.stop());

let journalUnit = '';
afterEach((ctx) => {
  // A failure prints the guest's journal for the unit.
  if (ctx.task.result?.state === 'fail' && journalUnit) console.error(`journal of ${journalUnit}:\n${vps.journal(journalUnit)}`);
});

const recipe = (posture: string, more = '') =>
  writeFile(join(tempDir(), 'vps.yaml'), `name: jarvis\nextends: ${posture}\nworkdir: ~/work\nsupervisor: { tick: 5 }\n${more}`);
const apply = (posture = 'balanced', more = '') =>
  runCli(['apply', '--recipe', recipe(posture, more), '--host', vps.destination(), '--yes'], { env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined } });


describe('provisioning a fresh VPS over SSH', () => {
  it('from nothing: files, modes, linger, unit active and READY, tmux with claude in the workdir', async () => {
    journalUnit = 'jarvis';
    const r = apply();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/sudo loginctl enable-linger ada|loginctl enable-linger ada/);
    expect(r.stdout).toMatch(/systemctl --user enable --now jarvis\.service/);
    expect(vps.ssh('loginctl show-user ada -p Linger').stdout.trim()).toBe('Linger=yes');
    const show = await waitFor('the unit to be active', () => {
      const out = vps.ssh('systemctl --user show jarvis -p ActiveState -p SubState -p StatusText -p UnitFileState').stdout;
      return /ActiveState=active/.test(out) ? out : undefined;
    });
    expect(show).toMatch(/UnitFileState=enabled/);
    expect(show).toMatch(/StatusText=claude is running/); // sent with READY=1
    const pane = await waitFor('claude in the pane', () => {
      const out = vps.ssh('tmux -L buddy-init-jarvis list-panes -F "#{pane_dead} #{pane_current_command} #{pane_current_path}"').stdout.trim();
      return out.startsWith('0 node') ? out : undefined;
    });
    expect(pane).toBe('0 node /home/ada/work');
    expect(vps.ssh('stat -c %a ~/.claude.json ~/.config/buddy-init/jarvis').stdout.split('\n').slice(0, 2)).toEqual(['600', '700']);
    // The tmux server lives in its own scope, not in the service's cgroup.
    expect(vps.ssh('systemctl --user show jarvis -p ControlGroup --value').stdout).toMatch(/app\.slice\/jarvis\.service/);
    expect(vps.ssh('systemctl --user list-units --type=scope --no-legend').stdout).toMatch(/buddy-init-jarvis-tmux-\d+\.scope/);
  }, 120_000);

  it('a no-op re-apply changes nothing and restarts nothing', () => {
    const pid = vps.ssh('systemctl --user show jarvis -p MainPID --value').stdout.trim();
    const r = apply();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No changes[\s\S]*Nothing written/);
    expect(vps.ssh('systemctl --user show jarvis -p MainPID --value').stdout.trim()).toBe(pid);
  }, 60_000);

  const settings = '~/work/.claude/settings.local.json';
  const unitPid = () => vps.ssh('systemctl --user show jarvis -p MainPID --value').stdout.trim();
  const claudePid = () => vps.ssh('tmux -L buddy-init-jarvis list-panes -F "#{pane_pid}"').stdout.trim();

  it('a change of rules is live: the settings are updated without restarting anything, a hand-granted rule kept', () => {
    const [pid, claude] = [unitPid(), claudePid()];
    vps.ssh(`node -e 'const f=process.argv[1];const d=JSON.parse(require("fs").readFileSync(f));d.permissions.allow.push("Bash(make test)");require("fs").writeFileSync(f,JSON.stringify(d))' ${settings}`);
    const r = apply('balanced', "permissions:\n  allow: ['Bash(make lint)']\n");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/systemctl --user restart/);
    const doc = JSON.parse(vps.ssh(`cat ${settings}`).stdout);
    expect(doc.permissions.allow).toEqual(expect.arrayContaining(['Bash(make test)', 'Bash(make lint)']));
    expect([unitPid(), claudePid()]).toEqual([pid, claude]);
  }, 60_000);

  it("a posture change that moves the sandbox restarts claude (Claude Code reads its --settings at start, measured), keeping the hand-granted rule", async () => {
    const claude = claudePid();
    const r = apply('strict');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/systemctl --user restart jarvis\.service/);
    const doc = JSON.parse(vps.ssh(`cat ${settings}`).stdout);
    expect(doc.permissions.defaultMode).toBe('default');
    expect(doc.permissions.allow).toContain('Bash(make test)');
    expect(JSON.parse(vps.ssh('cat ~/.config/buddy-init/jarvis/claude-settings.json').stdout).sandbox.autoAllowBashIfSandboxed).toBe(false);
    const next = await waitFor('a new claude', () => (claudePid() && claudePid() !== claude ? claudePid() : undefined), 60_000);
    expect(vps.ssh(`ps -o args= -p ${next}`).stdout).toContain('--settings /home/ada/.config/buddy-init/jarvis/claude-settings.json');
  }, 90_000);
});

describe('an odd workdir, as systemd and Claude Code read it', () => {
  // Blanks, quotes, a %, a $, a backslash inside, a `..` and a trailing slash: one folder, named by one
  // string in the unit (read back by the booted systemd), the trust key, the settings path, the pane's
  // cwd and the transcript folder claude writes to.
  it('one normalised path everywhere, and systemd-analyze verify finds nothing to say', async () => {
    journalUnit = 'odd';
    const written = `~/odd dir/sub/../it's "%h" $HOME a\\b/`;
    const abs = `/home/ada/odd dir/it's "%h" $HOME a\\b`;
    const file = writeFile(join(tempDir(), 'odd.yaml'), `name: odd\nworkdir: ${JSON.stringify(written)}\nsupervisor: { tick: 5 }\n`);
    const r = runCli(['apply', '--recipe', file, '--host', vps.destination(), '--yes'], { env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const verify = vps.ssh('systemd-analyze --user verify ~/.config/systemd/user/odd.service 2>&1');
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).not.toMatch(/odd\.service/);
    expect(vps.ssh('systemctl --user show odd -p WorkingDirectory --value').stdout.replace(/\n$/, '')).toBe(abs);
    // One trust key for the folder (a trailing slash made a second one before); other buddies' keys aside.
    expect(Object.keys(JSON.parse(vps.ssh("cat ~/.claude.json").stdout).projects).filter((k) => k.includes('odd dir'))).toEqual([abs]);
    expect(JSON.parse(vps.ssh("cat ~/.claude.json").stdout).projects[abs]).toMatchObject({ hasTrustDialogAccepted: true });
    expect(vps.ssh(`test -f ${q(`${abs}/.claude/settings.local.json`)}`).code).toBe(0);
    const pane = await waitFor('claude in the pane', () => {
      const out = vps.ssh('tmux -L buddy-init-odd list-panes -F "#{pane_dead}|#{pane_current_path}"').stdout.replace(/\n$/, '');
      return out.startsWith('0|') ? out : undefined;
    });
    expect(pane).toBe(`0|${abs}`);
    // The stand-in claude records its cwd where Claude Code keeps the transcript: the folder named after it.
    const session = JSON.parse(vps.ssh('cat ~/.local/state/buddy-init/odd/session.json').stdout).sessionId;
    const transcript = `/home/ada/.claude/projects/${abs.replace(/[^A-Za-z0-9]/g, '-')}/${session}.jsonl`;
    const start = await waitFor('the transcript', () => vps.ssh(`head -n 1 ${q(transcript)}`).stdout.trim() || undefined);
    expect(JSON.parse(start).cwd).toBe(abs);
    expect(runCli(['uninstall', '--recipe', file, '--host', vps.destination(), '--yes'], { env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined } }).code).toBe(0);
  }, 120_000);
});

describe('a renamed buddy on a booted systemd', () => {
  // The recipe keeps its file and workdir, only its name changes: the old unit is stopped and disabled
  // before the new one starts, and the new one resumes the same conversation (the stand-in claude
  // records its arguments).
  it('the old unit goes, the new one resumes the pinned conversation', async () => {
    journalUnit = 'beta';
    const file = writeFile(join(tempDir(), 'renamed.yaml'), 'name: alpha\nworkdir: ~/renamed\nsupervisor: { tick: 5 }\n');
    const apply = () => runCli(['apply', '--recipe', file, '--host', vps.destination(), '--yes'], { env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined } });
    expect(apply().code).toBe(0);
    await waitFor('alpha\'s claude', () => vps.ssh('tmux -L buddy-init-alpha list-panes -F "#{pane_dead}"').stdout.trim() === '0' || undefined);
    // A message makes the conversation resumable (before one, Claude Code cannot resume it).
    vps.ssh('tmux -L buddy-init-alpha send-keys -l "remember the rename" && tmux -L buddy-init-alpha send-keys Enter');
    const pin = JSON.parse(vps.ssh('cat ~/.local/state/buddy-init/alpha/session.json').stdout).sessionId as string;
    const transcript = `~/.claude/projects/-home-ada-renamed/${pin}.jsonl`;
    await waitFor('the message in the transcript', () => vps.ssh(`grep -c '"type":"user"' ${transcript}`).stdout.trim() === '1' || undefined);

    writeFileSync(file, readFileSync(file, 'utf8').replace('name: alpha', 'name: beta'));
    const r = apply();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Leftovers of buddy "alpha"/);
    expect(vps.ssh('systemctl --user is-active alpha').stdout.trim()).not.toBe('active');
    expect(vps.ssh('test -e ~/.config/systemd/user/alpha.service').code).not.toBe(0);
    expect(vps.ssh('tmux -L buddy-init-alpha list-panes 2>/dev/null').code).not.toBe(0);
    await waitFor('beta to be active', () => vps.ssh('systemctl --user is-active beta').stdout.trim() === 'active' || undefined, 60_000);
    expect(JSON.parse(vps.ssh('cat ~/.local/state/buddy-init/beta/session.json').stdout).sessionId).toBe(pin);
    const resumed = await waitFor('beta\'s claude to start', () => {
      const starts = vps.ssh(`grep '"type":"start"' ${transcript}`).stdout.trim().split('\n').filter(Boolean);
      return starts.length >= 2 ? JSON.parse(starts[starts.length - 1]!) : undefined;
    });
    expect(resumed.argv).toEqual(expect.arrayContaining(['--resume', pin]));
    expect(runCli(['uninstall', '--recipe', file, '--host', vps.destination(), '--yes'], { env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined } }).code).toBe(0);
  }, 180_000);
});
