import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers.js';
import { Buddy, waitFor } from './harness.js';

// Real tmux, the real supervisor bundle, and a stand-in claude (test/fixtures/fake-claude.mjs): the
// real claude cannot reach its prompt without an Anthropic account.
const buddies: Buddy[] = [];
const buddy = (...args: ConstructorParameters<typeof Buddy>) => {
  const b = new Buddy(...args);
  buddies.push(b);
  return b;
};
afterEach(() => buddies.splice(0).forEach((b) => b.cleanup()));

describe('supervisor', () => {
  it('starts claude in tmux, in the workdir, in a new pinned conversation', async () => {
    const b = buddy();
    b.start();
    const first = await b.running(1);
    const pin = b.session()!;
    expect(pin.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.argv).toEqual(['--model', 'x y', '--session-id', pin.sessionId]);
    expect(b.pane()!.command).toBe('node');
    expect(b.log).toMatch(/pinning a new conversation/);
    await waitFor('status running', () => b.status()?.state === 'running');
    expect(b.status()).toMatchObject({ pid: b.proc!.pid, session: 'sup', sessionId: pin.sessionId, restarts: 0 });
  });

  it('hands claude the auth env file and its env, but not systemd notification variables', async () => {
    const b = buddy({ envFile: '' });
    const envFile = join(b.home, 'auth.env');
    writeFileSync(envFile, "CLAUDE_CODE_OAUTH_TOKEN='tok en'\n", { mode: 0o600 });
    writeFileSync(b.configFile, JSON.stringify({ ...b.config, envFile }));
    b.start({ NOTIFY_SOCKET: join(b.home, 'nowhere.sock'), WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' });
    const first = await b.running(1);
    expect(first).toMatchObject({ oauthToken: 'tok en', disableAutoupdater: '1', notifySocket: false, watchdog: false });
    // The token is never on a command line.
    expect(b.tmux('list-panes', '-a', '-F', '#{pane_start_command}').stdout).not.toContain('tok en');
  });

  it('restores the trust and onboarding flags in ~/.claude.json before each start, keeping other keys', async () => {
    const b = buddy();
    writeFileSync(b.config.claudeJson, JSON.stringify({ numStartups: 7, projects: { '/other': { x: 1 } } }));
    b.start();
    await b.running(1);
    const doc = JSON.parse(readFileSync(b.config.claudeJson, 'utf8'));
    expect(doc).toEqual({
      numStartups: 7,
      hasCompletedOnboarding: true,
      projects: { '/other': { x: 1 }, [b.workdir]: { hasTrustDialogAccepted: true } },
    });
    expect(b.log).toMatch(/restored hasCompletedOnboarding, projects\..*hasTrustDialogAccepted/);
  });

  it('respawns a killed claude through the pane-died hook, long before the 30 s tick, resuming the same conversation', async () => {
    const b = buddy();
    b.start();
    const first = await b.running(1);
    const id = b.session()!.sessionId;
    await b.say('remember the milk');
    for (let n = 2; n <= 4; n++) {
      process.kill(b.starts()[n - 2]!.pid!, 'SIGKILL');
      const started = Date.now();
      const again = await b.running(n, 10_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(again.argv).toEqual(['--model', 'x y', '--resume', id]);
      expect(again.pid).not.toBe(first.pid);
      await new Promise((r) => setTimeout(r, 10_500 - (Date.now() - started))); // lived long enough: not a crash loop
    }
    expect(b.session()!.sessionId).toBe(id);
    expect(b.log).toMatch(/claude exited( \(signal 9\))?; restarting claude/);
  }, 90_000);

  it('survives its own SIGKILL: tmux and claude keep running and the next supervisor adopts them', async () => {
    const b = buddy();
    const sup = b.start();
    const first = await b.running(1);
    sup.kill('SIGKILL');
    await b.exited();
    await new Promise((r) => setTimeout(r, 500));
    expect(b.pane()).toMatchObject({ dead: false });
    expect(() => process.kill(first.pid!, 0)).not.toThrow();

    b.start();
    await waitFor('adoption', () => /adopting the running tmux session "sup"/.test(b.log));
    await waitFor('status of the new supervisor', () => b.status()?.pid === b.proc!.pid);
    expect(b.starts()).toHaveLength(1); // same claude, not a new one
    // The pane-died hook now points at the new supervisor.
    await b.say('remember the milk');
    process.kill(first.pid!, 'SIGKILL');
    const second = await b.running(2, 10_000);
    expect(second.argv).toContain('--resume');
  });

  it('on SIGTERM sends /exit, waits for claude to write its transcript, ends the session and exits 0', async () => {
    const b = buddy();
    const sup = b.start();
    await b.running(1);
    await b.say('remember the milk');
    sup.kill('SIGTERM');
    expect(await b.exited()).toBe(0);
    expect(b.transcript().map((e) => e.type)).toEqual(['start', 'user', 'exit']);
    expect(b.tmux('has-session', '-t', '=sup').code).not.toBe(0);
    expect(b.log).toMatch(/SIGTERM: asking claude to \/exit[\s\S]*claude exited/);

    // The next start continues the conversation.
    b.start();
    const again = await b.running(2);
    expect(again.argv).toContain('--resume');
  });

  it('starts a new session when the tmux server is killed', async () => {
    const b = buddy({ tickSeconds: 1 });
    b.start();
    await b.running(1);
    await b.say('remember the milk');
    b.tmux('kill-server');
    const second = await b.running(2);
    expect(second.argv).toContain('--resume');
    expect(b.log).toMatch(/starting tmux session "sup" \(the tmux session is gone\)/);
  });

  it('backs off when claude keeps crashing, says so, and recovers when it stops crashing', async () => {
    const b = buddy({ backoffMaxSeconds: 2 });
    writeFileSync(b.crashFile, '');
    b.start();
    await waitFor('backoff message', () => /claude keeps crashing \(\d+ quick exits in a row\), waiting \d+s/.test(b.log), 20_000);
    const attempts = () => (b.log.match(/restarting claude|keeps crashing/g) ?? []).length;
    const before = attempts();
    await new Promise((r) => setTimeout(r, 3000));
    // Paced by the backoff (at most one attempt per second here), not spinning.
    expect(attempts() - before).toBeLessThanOrEqual(4);
    unlinkSync(b.crashFile);
    await b.running(1, 15_000);
  }, 40_000);

  it('restarted before anything was said, starts a new conversation (Claude Code cannot resume one without a message) instead of failing in a loop', async () => {
    const b = buddy();
    b.start();
    const first = await b.running(1);
    const old = b.session()!.sessionId;
    expect(b.transcript().map((e) => e.type)).toEqual(['start']); // claimed, nothing said
    process.kill(first.pid!, 'SIGKILL');
    await waitFor('a new pin', () => b.session()!.sessionId !== old, 10_000);
    const second = await b.running(1, 10_000); // the first start of the new conversation
    expect(second.argv).toEqual(['--model', 'x y', '--session-id', b.session()!.sessionId]);
    expect(b.log).toMatch(new RegExp(`conversation ${old} has no message yet and Claude Code cannot resume it; pinning a new conversation`));
    // From the first message on, it is that conversation that is resumed.
    await b.say('remember the milk');
    process.kill(second.pid!, 'SIGKILL');
    expect((await b.running(2, 10_000)).argv).toEqual(['--model', 'x y', '--resume', b.session()!.sessionId]);
  });

  it('pins a new conversation, and says why, when the transcript is gone', async () => {
    const b = buddy();
    const sup = b.start();
    await b.running(1);
    const old = b.session()!.sessionId;
    await b.say('remember the milk');
    await waitFor('transcript noticed', () => b.session()!.transcriptSeen || (sup.kill('SIGUSR1'), false));
    rmSync(b.transcriptFile(old));
    process.kill(b.pane()!.pid, 'SIGKILL');
    await waitFor('new pin', () => b.session()!.sessionId !== old);
    const fresh = await waitFor('fresh start', () => b.starts()[0]);
    expect(fresh.argv).toEqual(['--model', 'x y', '--session-id', b.session()!.sessionId]);
    expect(b.log).toMatch(new RegExp(`the transcript of conversation ${old} is gone .*pinning a new conversation`));
  });

  it('passes channels as --channels plugin:<id>, last', async () => {
    const b = buddy({ claude: { bin: join(FIXTURES, 'fake-claude.mjs'), args: [], channels: ['discord@claude-plugins-official', 'telegram@x'] } });
    b.start();
    const first = await b.running(1);
    expect(first.argv!.slice(-3)).toEqual(['--channels', 'plugin:discord@claude-plugins-official', 'plugin:telegram@x']);
  });

  it('tells systemd READY=1, then WATCHDOG=1 every half watchdog period, through the real systemd-notify', async () => {
    const b = buddy({ watchdogSeconds: 2, tickSeconds: 0.5 });
    const socket = join(b.home, 'notify.sock');
    const log = join(b.home, 'notify.log');
    const server = spawn('python3', [join(FIXTURES, 'notify-socket.py'), socket, log], { stdio: 'ignore' });
    try {
      await waitFor('notify socket', () => existsSync(log));
      b.start({ NOTIFY_SOCKET: socket });
      await b.running(1);
      const lines = await waitFor('three watchdog pings', () => {
        const l = readFileSync(log, 'utf8').split('\n');
        return l.filter((x) => x.includes('WATCHDOG=1')).length >= 3 ? l : undefined;
      });
      const ready = lines.findIndex((l) => l.includes('READY=1'));
      expect(ready).toBeGreaterThan(0);
      expect(lines.findIndex((l) => l.includes('WATCHDOG=1'))).toBeGreaterThanOrEqual(ready);
      expect(b.log).toMatch(/told systemd READY=1/);
    } finally {
      server.kill();
    }
  });

  it('stops pinging the watchdog while its loop is wedged (here: on a frozen tmux server), and resumes after', async () => {
    const b = buddy({ watchdogSeconds: 2, tickSeconds: 0.5 });
    const socket = join(b.home, 'notify.sock');
    const log = join(b.home, 'notify.log');
    const server = spawn('python3', [join(FIXTURES, 'notify-socket.py'), socket, log], { stdio: 'ignore' });
    const pings = () => readFileSync(log, 'utf8').split('WATCHDOG=1').length - 1;
    try {
      await waitFor('notify socket', () => existsSync(log));
      b.start({ NOTIFY_SOCKET: socket });
      await b.running(1);
      await waitFor('pings', () => pings() >= 2);
      const tmuxServer = Number(b.tmux('display-message', '-p', '#{pid}').stdout.trim());
      process.kill(tmuxServer, 'SIGSTOP'); // every tmux call of the supervisor now hangs
      await new Promise((r) => setTimeout(r, 2500));
      const frozen = pings();
      await new Promise((r) => setTimeout(r, 3000));
      expect(pings()).toBe(frozen);
      expect(b.proc!.exitCode).toBeNull(); // alive, just wedged: exactly what systemd's watchdog is for
      process.kill(tmuxServer, 'SIGCONT');
      await waitFor('pings again', () => pings() > frozen, 20_000);
    } finally {
      server.kill();
    }
  }, 60_000);
});

describe('buddy-init supervise', () => {
  it('runs the same bundle from the CLI and stops cleanly on SIGTERM', async () => {
    const b = buddy();
    const { CLI } = await import('../helpers.js');
    const proc = spawn(process.execPath, [CLI, 'supervise', '--config', b.configFile], {
      env: { PATH: process.env.PATH, HOME: b.home, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    b.proc = proc;
    await b.running(1);
    proc.kill('SIGTERM');
    expect(await b.exited()).toBe(0);
    expect(b.transcript().map((e) => e.type)).toEqual(['start', 'exit']);
  });
});
