import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile, waitFor } from '../helpers.js';
import { BuddyPane, Vps } from './vps.js';

// Faults on a booted Debian 12 VPS (systemd-nspawn, see vps.ts) with the stand-in claude (the real
// one needs an Anthropic account to reach its prompt). Each fault runs twice; each must end with the
// same pinned conversation resumed and every line said before it still in the transcript.
const vps = new Vps();
const NAME = 'buddy';
const pane = new BuddyPane(vps, NAME);
const env = () => ({ HOME: vps.laptop, SSH_AUTH_SOCK: undefined });
const recipe = () =>
  writeFile(join(tempDir(), 'faults.yaml'), `name: ${NAME}\nworkdir: ~/work\nsupervisor: { tick: 2, watchdog: 6, restartDelay: 1 }\n`);

beforeAll(async () => {
  await vps.boot();
  const r = runCli(['apply', '--recipe', recipe(), '--host', vps.destination(), '--yes'], { env: env() });
  if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
}, 300_000);
afterAll(() => vps.stop());
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') console.error(`journal of ${NAME}:\n${vps.journal(NAME)}`);
});

interface Entry {
  type: string;
  pid?: number;
  argv?: string[];
  text?: string;
}

const pin = (): string => JSON.parse(vps.ssh(`cat ~/.local/state/buddy-init/${NAME}/session.json`).stdout).sessionId;
const transcript = (): Entry[] =>
  vps
    .ssh(`cat ~/.claude/projects/-home-ada-work/${pin()}.jsonl 2>/dev/null`)
    .stdout.trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const starts = () => transcript().filter((e) => e.type === 'start');
const mainPid = () => vps.ssh(`systemctl --user show ${NAME} -p MainPID --value`).stdout.trim();
const panePid = () => vps.ssh(`tmux -L buddy-init-${NAME} list-panes -F '#{pane_dead} #{pane_pid}' 2>/dev/null`).stdout.trim();


/** A line typed into claude's pane, recorded by claude in its transcript: the "memory" that must survive. */
async function say(text: string): Promise<void> {
  await waitFor('claude to be running', () => panePid().startsWith('0 '));
  pane.type(text);
  await waitFor(`"${text}" in the transcript`, () => transcript().some((e) => e.text === text), 20_000);
}

/** Runs a fault twice; after each, the same conversation continues with everything said before. */
async function twice(fault: string, act: () => Promise<void> | void, expectNewClaude = true): Promise<void> {
  await waitFor('the unit to be active', () => vps.ssh(`systemctl --user is-active ${NAME}`).stdout.trim() === 'active', 90_000);
  const id = pin();
  for (const round of [1, 2]) {
    const said = `before ${fault} #${round}`;
    await say(said);
    const before = starts().length;
    await act();
    if (expectNewClaude) {
      const resumed = await waitFor(`claude resumed after ${fault} #${round}`, () => {
        const s = starts();
        return s.length > before && panePid().startsWith('0 ') ? s[s.length - 1] : undefined;
      }, 120_000);
      expect(resumed.argv).toEqual(expect.arrayContaining(['--resume', id]));
    }
    expect(pin()).toBe(id);
    expect(transcript().map((e) => e.text).filter(Boolean)).toContain(said);
  }
  const lines = transcript().filter((e) => e.type === 'user').map((e) => e.text);
  expect(lines).toEqual(expect.arrayContaining([`before ${fault} #1`, `before ${fault} #2`]));
}

describe('faults on the VPS', () => {
  it('SIGKILL of the supervisor: tmux and claude survive, the restarted supervisor adopts them', async () => {
    await twice(
      'supervisor SIGKILL',
      async () => {
        const claude = panePid();
        const sup = mainPid();
        vps.ssh(`systemctl --user kill -s SIGKILL ${NAME}`);
        await waitFor('a new supervisor', () => {
          const now = mainPid();
          return now !== sup && now !== '0' ? now : undefined;
        });
        await waitFor('adoption in the journal', () => /adopting the running tmux session/.test(vps.journal(NAME)));
        expect(panePid()).toBe(claude); // the same claude process
      },
      false,
    );
  }, 180_000);

  it('kill of claude: respawned at once, resuming the conversation', async () => {
    await twice('claude kill', async () => {
      const pid = Number(panePid().split(' ')[1]);
      const killed = Date.now();
      vps.ssh(`kill -9 ${pid}`);
      await waitFor('claude respawned', () => panePid().startsWith('0 ') && Number(panePid().split(' ')[1]) !== pid);
      expect(Date.now() - killed).toBeLessThan(5_000); // the event path, measured closer in BENCHMARKS.md
    });
  }, 180_000);

  it('kill of the tmux server: a new session resumes the conversation', async () => {
    await twice('tmux kill-server', () => {
      vps.ssh(`tmux -L buddy-init-${NAME} kill-server`);
    });
  }, 180_000);

  it('watchdog: a hung supervisor is killed and restarted by systemd', async () => {
    await twice(
      'hung supervisor',
      async () => {
        const sup = mainPid();
        const restarts = Number(vps.ssh(`systemctl --user show ${NAME} -p NRestarts --value`).stdout.trim());
        vps.ssh(`kill -STOP ${sup}`);
        await waitFor('systemd to restart it', () => Number(vps.ssh(`systemctl --user show ${NAME} -p NRestarts --value`).stdout.trim()) > restarts, 120_000);
        await waitFor('a new supervisor', () => mainPid() !== sup && mainPid() !== '0');
        expect(vps.journal(NAME)).toMatch(/[Ww]atchdog timeout/);
      },
      false,
    );
  }, 300_000);

  it('systemctl --user restart: claude gets /exit, then the conversation is resumed', async () => {
    await twice('restart', async () => {
      vps.ssh(`systemctl --user restart ${NAME}`);
      await waitFor('the exit record', () => transcript().some((e) => e.type === 'exit'));
    });
    expect(vps.journal(NAME)).toMatch(/SIGTERM: asking claude to \/exit[\s\S]*claude exited/);
  }, 180_000);

  it('in-guest reboot: the machine comes back and so does the conversation', async () => {
    await twice('reboot', async () => {
      vps.ssh('sudo touch /run/buddy-before-reboot');
      vps.ssh('sudo systemctl reboot');
      await new Promise((r) => setTimeout(r, 2000));
      await vps.waitForSsh(120_000);
      expect(vps.ssh('test -e /run/buddy-before-reboot && echo same-boot || echo new-boot').stdout.trim()).toBe('new-boot');
    });
  }, 300_000);

  it('power cut: the machine boots again and the conversation continues', async () => {
    await twice('power cut', async () => {
      vps.ssh('sudo touch /run/buddy-before-cut');
      await vps.powerCut();
      // /run is the guest's tmpfs: gone means the machine really went down, nothing survived in memory.
      expect(vps.ssh('test -e /run/buddy-before-cut && echo same-boot || echo new-boot').stdout.trim()).toBe('new-boot');
    });
  }, 300_000);

  it("uninstall leaves no unit and no runtime, and the person's files untouched", () => {
    vps.ssh('echo mine > ~/work/notes.txt');
    const r = runCli(['uninstall', '--recipe', recipe(), '--host', vps.destination(), '--yes'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(vps.ssh(`systemctl --user is-active ${NAME}`).stdout.trim()).not.toBe('active');
    expect(vps.ssh(`ls ~/.config/systemd/user/${NAME}.service ~/.local/share/buddy-init 2>&1`).stdout).toMatch(/No such file[\s\S]*No such file/);
    expect(vps.ssh(`tmux -L buddy-init-${NAME} ls 2>&1`).stdout).toMatch(/no server running|error connecting/);
    expect(vps.ssh('cat ~/work/notes.txt').stdout.trim()).toBe('mine');
    expect(vps.ssh(`ls ~/.claude/projects/-home-ada-work/`).stdout).toMatch(/\.jsonl/); // transcripts kept
  }, 120_000);
});
