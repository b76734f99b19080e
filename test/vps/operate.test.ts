import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, discordToken, onLaptop, runCli, tempDir, waitFor, writeFile } from '../helpers.js';
import { Terminal } from '../pty.js';
import { Vps } from './vps.js';

// Day-two commands against a booted VPS (stand-in claude; see vps.ts), over SSH.
const vps = new Vps();
const NAME = 'ops';
let recipeFile = '';
const env = () => ({ HOME: vps.laptop, SSH_AUTH_SOCK: undefined, NO_COLOR: '1' });
const cli = (...args: string[]) => runCli([...args, '--recipe', recipeFile, '--host', vps.destination()], { env: env() });

beforeAll(async () => {
  await vps.boot();
  recipeFile = writeFile(join(tempDir(), 'ops.yaml'), `name: ${NAME}\nworkdir: ~/work\nsupervisor: { tick: 2 }\n`);
  const r = cli('apply', '--yes');
  if (r.code !== 0) throw new Error(r.stderr);
}, 300_000);
afterAll(() => vps.stop());
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') console.error(`journal of ${NAME}:\n${vps.journal(NAME)}`);
});

const transcript = () => vps.ssh(`cat ~/.claude/projects/-home-ada-work/*.jsonl 2>/dev/null`).stdout;

describe('status', () => {
  it('up: one screen, exit 0; --json for scripts', async () => {
    await waitFor('claude running', () => cli('status').code === 0);
    const r = cli('status');
    expect(r.stdout).toMatch(/● buddy "ops" on ssh ada@[\d.]+: up/);
    expect(r.stdout).toMatch(/service +● active \(running\)/);
    expect(r.stdout).toMatch(/supervisor +pid \d+, up \d+[smhd], running/);
    expect(r.stdout).toMatch(/claude +● running \(node\) in tmux -L buddy-init-ops/);
    expect(r.stdout).toMatch(/session +[0-9a-f-]{36}/);
    expect(r.stdout).toMatch(/linger +● on/);
    expect(r.stdout).toMatch(/versions +buddy-init 0\.1\.0 applied; node 18\.\d+\.\d+, tmux 3\.3\.0, claude 2\.1\.197/);
    const json = JSON.parse(cli('status', '--json').stdout);
    expect(json).toMatchObject({ name: 'ops', up: true, claude: { running: true }, service: { state: 'active' } });
  });

  it('down: says so and exits 1', () => {
    vps.ssh(`systemctl --user stop ${NAME}`);
    const r = cli('status');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/: DOWN/);
    expect(r.stdout).toMatch(/service +● inactive/);
  });
});

describe('doctor', () => {
  it('finds each pitfall, explains it, and --fix repairs the ones an apply can', async () => {
    // Break things the ways they break in real life.
    vps.ssh(`node -e 'const f=process.env.HOME+"/.claude.json";const d=JSON.parse(require("fs").readFileSync(f));delete d.projects;d.hasCompletedOnboarding=false;require("fs").writeFileSync(f,JSON.stringify(d))'`);
    vps.ssh('sudo loginctl disable-linger ada');
    vps.ssh(`sed -i 's/^NotifyAccess=all$/NotifyAccess=main/' ~/.config/systemd/user/${NAME}.service && printf 'KillMode=process\\n' >> ~/.config/systemd/user/${NAME}.service`);
    vps.ssh('rm -rf ~/.local/share/buddy-init');
    vps.ssh(`node -e 'const f=process.env.HOME+"/work/.claude/settings.local.json";const d=JSON.parse(require("fs").readFileSync(f));d.permissions.deny.push("Bash(:(){ :|:& };:*)");require("fs").writeFileSync(f,JSON.stringify(d))'`);
    const before = cli('doctor');
    expect(before.code).toBe(1);
    const out = before.stdout;
    expect(out).toMatch(/FAIL workspace trust: .* does not trust \/home\/ada\/work/);
    expect(out).toMatch(/FAIL first-run onboarding/);
    expect(out).toMatch(/FAIL linger: off/);
    expect(out).toMatch(/FAIL runtime: .* runs \/home\/ada\/\.local\/share\/buddy-init\/0\.1\.0\/supervisor\.mjs, which is missing/);
    expect(out).toMatch(/FAIL systemd unit: .*NotifyAccess= is not all.*KillMode=process/);
    expect(out).toMatch(/FAIL permission rule Claude Code skips: .*deny "Bash\(:\(\)\{ :\|:& \};:\*\)": Empty parentheses/);
    expect(out).toMatch(/FAIL service: ops\.service is not running/);

    // Not without --yes when no one can be asked (issue 28.12); nothing changed by the refusal.
    const unasked = cli('doctor', '--fix');
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/this changes the target: pass --yes/);
    expect(vps.ssh('loginctl show-user ada -p Linger').stdout.trim()).toBe('Linger=no');
    const fixed = cli('doctor', '--fix', '--yes');
    // The apply shown first, then each command it ran, with what the command printed.
    expect(fixed.stdout).toMatch(/Plan for buddy "ops" on ssh ada@/);
    expect(fixed.stderr).toMatch(/running as root: \S*loginctl enable-linger ada/);
    expect(fixed.stderr).toMatch(/running systemctl --user (daemon-reload|restart|start|enable --now)/);
    expect(fixed.stdout).toMatch(/ok +workspace trust/);
    expect(fixed.stdout).toMatch(/ok +first-run onboarding/);
    expect(fixed.stdout).toMatch(/ok +linger: on/);
    expect(fixed.stdout).toMatch(/ok +runtime/);
    expect(fixed.stdout).toMatch(/ok +systemd unit/);
    expect(fixed.stdout).toMatch(/ok +service/);
    // A person's broken rule is explained, never silently removed.
    expect(fixed.stdout).toMatch(/FAIL permission rule Claude Code skips[\s\S]*needs you/);
    expect(fixed.code).toBe(1);
    expect(vps.ssh('loginctl show-user ada -p Linger').stdout.trim()).toBe('Linger=yes');
    await waitFor('the service up again', () => cli('status').code === 0);
  }, 120_000);
});

describe('a command that never ends (issue 28.2)', () => {
  it('apply stops it at its limit, says which, where and what it printed, and releases the lock', () => {
    // The stand-in's `plugin install` hangs and ignores TERM while this file says so (see fake-claude.mjs).
    vps.ssh('echo deaf > ~/.fake-claude-hangs');
    const hung = writeFile(
      join(tempDir(), 'hung.yaml'),
      "name: hung\nworkdir: ~/hung\nchannels:\n  discord:\n    token: { env: HUNG_TOKEN }\n    allowFrom: ['184012345678901234']\n",
    );
    const apply = () =>
      runCli(['apply', '--yes', '--recipe', hung, '--host', vps.destination()], {
        env: { ...env(), HUNG_TOKEN: discordToken('hung'), BUDDY_INIT_COMMAND_TIMEOUT: '5' },
      });
    const started = Date.now();
    const r = apply();
    const seconds = (Date.now() - started) / 1000;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /`\/usr\/local\/bin\/claude plugin install discord@claude-plugins-official --scope user` on ssh ada@[\d.]+ was still running after 5 s, with its input closed, and was stopped .*; what it printed: Installing plugin "discord@claude-plugins-official"\.\.\./,
    );
    expect(seconds).toBeLessThan(40);
    expect(vps.ssh("pgrep -f '[f]ake-claude.mjs plugin install' || true").stdout.trim()).toBe('');
    // The lock went with it: the next apply runs, and finishes what this one began.
    vps.ssh('rm ~/.fake-claude-hangs');
    const again = apply();
    expect(again.code, again.stderr).toBe(0);
    expect(vps.ssh('cat ~/.claude/plugins/installed_plugins.json').stdout).toContain('discord@claude-plugins-official');
    expect(runCli(['uninstall', '--yes', '--recipe', hung, '--host', vps.destination()], { env: env() }).code).toBe(0);
  }, 120_000);
});

describe("a newer buddy-init's runtime (issue 30)", () => {
  it('the older runtime goes only after the new supervisor is up; a new one that cannot start leaves it, and the conversation, in place', async () => {
    await waitFor('the buddy up', () => cli('status').code === 0);
    // An older buddy-init's runtime, as its apply left it: two files, on the buddy's record.
    const old = '~/.local/share/buddy-init/0.0.9';
    vps.ssh(`mkdir -p ${old} && printf old > ${old}/supervisor.mjs && printf old > ${old}/hook.cjs`);
    const record = `~/.local/state/buddy-init/${NAME}/apply-state.json`;
    const edit = vps.ssh(
      `node -e 'const fs=require("fs"),f=process.argv[1],d=JSON.parse(fs.readFileSync(f));const h=require("crypto").createHash("sha256").update("old").digest("hex");for(const n of ["supervisor.mjs","hook.cjs"])d.files[process.env.HOME+"/.local/share/buddy-init/0.0.9/"+n]={sha256:h};fs.writeFileSync(f,JSON.stringify(d))' $HOME/.local/state/buddy-init/${NAME}/apply-state.json`,
    );
    expect(edit.code, edit.stderr).toBe(0);
    const onRecord = () => Object.keys(JSON.parse(vps.ssh(`cat ${record}`).stdout).files).filter((p) => p.includes('/buddy-init/0.0.9/'));
    expect(onRecord()).toHaveLength(2);
    const pinned = () => JSON.parse(vps.ssh(`cat ~/.local/state/buddy-init/${NAME}/session.json`).stdout).sessionId as string;
    const before = pinned();

    // A change that restarts the buddy, on a box where the new supervisor cannot start (no tmux).
    recipeFile = writeFile(recipeFile, `name: ${NAME}\nworkdir: ~/work\nsupervisor: { tick: 3 }\n`);
    vps.ssh('sudo mv /usr/bin/tmux /usr/bin/tmux.away');
    try {
      const failed = runCli(['apply', '--yes', '--recipe', recipeFile, '--host', vps.destination()], { env: { ...env(), BUDDY_INIT_COMMAND_TIMEOUT: '8' } });
      expect(failed.code).toBe(1);
      expect(failed.stderr).not.toMatch(/removed \S+0\.0\.9/);
      expect(vps.ssh(`cat ${old}/supervisor.mjs`).stdout).toBe('old');
      expect(onRecord()).toHaveLength(2);
      // The supervisor that could not start left the conversation pinned where claude still runs.
      expect(pinned()).toBe(before);
    } finally {
      vps.ssh('sudo mv /usr/bin/tmux.away /usr/bin/tmux');
    }
    // systemd brings it back (Restart=always), adopting the claude that kept running; something is said there.
    await waitFor('the buddy up again', () => cli('status').code === 0, 60_000);
    vps.ssh(`tmux -L buddy-init-${NAME} send-keys -t '=${NAME}:' -l 'said before the upgrade' && tmux -L buddy-init-${NAME} send-keys -t '=${NAME}:' Enter`);
    await waitFor('the message in the transcript', () => transcript().includes('said before the upgrade'));

    // Once it can start: the restart, the new supervisor up, then the older runtime out.
    const r = cli('apply', '--yes');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n'); // progress goes to stderr, in order
    const started = lines.findIndex((l) => /running systemctl --user (restart|start) ops\.service/.test(l));
    const removed = lines.findIndex((l) => /removed \S+\/\.local\/share\/buddy-init\/0\.0\.9\/supervisor\.mjs/.test(l));
    expect(started, r.stderr).toBeGreaterThanOrEqual(0);
    expect(removed, r.stderr).toBeGreaterThan(started);
    expect(vps.ssh(`test -e ${old} || echo gone`).stdout.trim()).toBe('gone');
    expect(onRecord()).toEqual([]);
    // The same conversation goes on.
    await waitFor('claude resumed in the conversation', () => new RegExp(`said before the upgrade[\\s\\S]*"--resume","${before}"`).test(transcript()));
    expect(pinned()).toBe(before);
  }, 180_000);
});

describe('logs, restart, attach', () => {
  it('logs shows the journal, --audit the hook log', () => {
    const r = cli('logs', '-n', '50');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/buddy-init\[ops\]:/);
    vps.ssh(`echo '{"time":"2026-12-07T10:00:00.000Z","command":"ls","decision":"allow","reason":"read-only: ls"}' >> ~/.local/state/buddy-init/${NAME}/hook-audit.jsonl`);
    expect(cli('logs', '--audit').stdout).toMatch(/^2026-12-07 10:00:00 {2}allow {2}ls +read-only: ls$/m);
    expect(cli('logs', '--audit', '--json').stdout).toMatch(/"decision":"allow"/);
  });

  it('restart gives claude /exit and resumes the conversation', async () => {
    // A conversation exists once something was said in it (before that there is nothing to resume).
    vps.ssh("tmux -L buddy-init-ops send-keys -t '=ops:' -l 'remember the milk' && tmux -L buddy-init-ops send-keys -t '=ops:' Enter");
    await waitFor('the message in the transcript', () => transcript().includes('remember the milk'));
    const r = cli('restart');
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the exit and the resume', () => /remember the milk[\s\S]*"type":"exit"[\s\S]*"--resume"/.test(transcript()));
  });

  it('attach is read-only: typing does not reach the pane; --write does, with a warning', async () => {
    await waitFor('claude running', () => cli('status').code === 0);
    const attach = (write: boolean) =>
      new Terminal(onLaptop([process.execPath, CLI, 'attach', '--recipe', recipeFile, '--host', vps.destination(), ...(write ? ['--write'] : [])], vps.laptop), { PATH: process.env.PATH!, HOME: vps.laptop, TERM: 'xterm' });
    const ro = attach(false);
    try {
      await ro.waitFor(/fake claude [0-9a-f-]{36} ready/);
      ro.type('typed while watching');
      ro.key('Enter');
      await new Promise((r) => setTimeout(r, 1500));
      ro.key('C-b');
      ro.type('d');
      expect(await ro.exitCode()).toBe(0);
    } finally {
      ro.close();
    }
    expect(transcript()).not.toContain('typed while watching');
    const rw = attach(true);
    try {
      await rw.waitFor(/typing into the pane switches claude to manual input/);
      await rw.waitFor(/fake claude [0-9a-f-]{36} ready/);
      rw.type('typed on purpose');
      rw.key('Enter');
      await waitFor('the typed line in the transcript', () => transcript().includes('typed on purpose'), 10_000);
      rw.key('C-b');
      rw.type('d');
    } finally {
      rw.close();
    }
  }, 90_000);
});

describe('chat access over SSH', () => {
  it('pair and access revoke change the VPS allowlist as its user, the way the plugin reads it', () => {
    const chat = writeFile(join(tempDir(), 'chat.yaml'), `name: chat\nworkdir: ~/chat\nchannels:\n  discord:\n    token: { env: BUDDY_VPS_CHAT }\n    dmPolicy: pairing\n    allowFrom: ['7']\n`);
    const cli = (...args: string[]) => runCli([...args, '--recipe', chat, '--host', vps.destination()], { env: { ...env(), BUDDY_VPS_CHAT: discordToken('vps') } });
    expect(cli('apply', '--yes').code).toBe(0);
    const dir = '~/.claude/channels/discord/buddies/chat';
    // The plugin answered a stranger with a code (its gate() writes exactly this shape), as ada.
    const access = JSON.parse(vps.ssh(`cat ${dir}/access.json`).stdout);
    access.pending = { b7c2d9: { senderId: '3141592653', chatId: '2718281828', createdAt: Date.now(), expiresAt: Date.now() + 3_600_000, replies: 1 } };
    vps.ssh(`cat > ${dir}/access.json <<'EOF'\n${JSON.stringify(access)}\nEOF`);

    const paired = cli('pair', 'b7c2d9');
    expect(paired.code, paired.stderr).toBe(0);
    expect(JSON.parse(vps.ssh(`cat ${dir}/access.json`).stdout)).toMatchObject({ dmPolicy: 'pairing', allowFrom: ['7', '3141592653'], pending: {} });
    // The plugin polls approved/<id> to tell the sender; it holds the DM channel id.
    expect(vps.ssh(`cat ${dir}/approved/3141592653`).stdout).toBe('2718281828');
    expect(vps.ssh(`stat -c '%U %a' ${dir}/access.json ${dir}/approved/3141592653`).stdout.trim().split('\n')).toEqual(['ada 600', 'ada 600']);
    expect(cli('access', 'list').stdout).toMatch(/3141592653/);

    const revoked = cli('access', 'revoke', '3141592653');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(vps.ssh(`cat ${dir}/access.json`).stdout).allowFrom).toEqual(['7']);
    expect(cli('access', 'list').stdout).not.toMatch(/3141592653/);
    expect(cli('uninstall', '--yes').code).toBe(0);
  });
});
