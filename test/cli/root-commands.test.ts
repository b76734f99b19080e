// Issue 18: --root is honoured by every command. Under --root the files are rebased and the services
// are not: status reads the tree's status, pin, transcript and record; restart, logs (the journal) and
// attach show the command they would run under "Not run:"; logs --audit reads the tree's audit file.
// Stand-ins for systemctl, journalctl and tmux first on PATH record every call, so a command that
// reached the real services would show here.
import { readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();

describe('--root, honoured by every command', () => {
  const dir = tempDir('buddy-rootcmd-');
  const root = join(dir, 'root');
  const bin = join(dir, 'bin');
  const calls = join(dir, 'calls.log');
  for (const tool of ['systemctl', 'journalctl', 'tmux']) {
    writeFile(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${calls}\nexit 0\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const env = { PATH: `${bin}:${process.env.PATH}` };
  const recipe = writeFile(join(dir, 'r.yaml'), 'name: rooted\nworkdir: ~/work\n');
  const cli = (...args: string[]) => runCli([...args, '--recipe', recipe, '--root', root], { env });
  const at = (p: string) => join(root, HOME, p);
  const dangerous = () => (existsSync(calls) ? readFileSync(calls, 'utf8') : '').split('\n').filter((l) => /restart|attach|^journalctl|enable|start/.test(l));

  it('apply, then status reads the tree; restart, logs and attach list what they would run', () => {
    // Never applied: status says so and exits 1 (not "? applied", not DOWN).
    const before = cli('status');
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/buddy "rooted" on local, rebased under .*: not applied/);
    expect(before.stdout).toMatch(/versions {4}buddy-init not applied;/);
    expect(cli('apply', '--yes').code).toBe(0);
    const state = '.local/state/buddy-init/rooted';
    writeFile(at(`${state}/status.json`), JSON.stringify({ pid: 4242, state: 'running', startedAt: '2026-12-02T10:00:00.000Z', restarts: 2, updatedAt: '2026-12-02T10:05:00.000Z' }));
    writeFile(at(`${state}/session.json`), JSON.stringify({ sessionId: 'f00dfeed-0000-4000-8000-000000000042' }));
    const transcript = at(`.claude/projects/${join(HOME, 'work').replace(/[^A-Za-z0-9]/g, '-')}/f00dfeed-0000-4000-8000-000000000042.jsonl`);
    writeFile(transcript, '{"type":"user"}\n');
    // Before the hook decided anything: said so, exit 0 (issue 28.5).
    const none = cli('logs', '--audit');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('No hook decisions yet.\n');
    const decision = (n: number, d: string) => JSON.stringify({ time: `2026-12-02T10:0${n}:00.000Z`, command: `ls ${n}`, decision: d, reason: `reason ${n}` });
    writeFileSync(at(`${state}/hook-audit.jsonl`), [decision(1, 'allow'), decision(2, 'deny'), decision(3, 'ask'), ''].join('\n'));

    const status = runCli(['status', '--json', '--recipe', recipe, '--root', root], { env });
    expect(status.code, status.stderr).toBe(0);
    // Under --root no service runs: not "DOWN" with exit 0, but what it is.
    const shown = cli('status');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/: files only \(no service runs under --root\)/);
    expect(shown.stdout).not.toMatch(/DOWN/);
    const s = JSON.parse(status.stdout);
    expect(s.service.state).toBe('not asked (--root)');
    expect(s.supervisor).toMatchObject({ pid: 4242, restarts: 2 });
    expect(s.sessionId).toBe('f00dfeed-0000-4000-8000-000000000042');
    expect(s.transcriptBytes).toBe(16);
    expect(s.applied).toMatch(/^\d+\.\d+\.\d+/);

    const restart = cli('restart');
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toMatch(/Not run:\n {2}systemctl --user restart rooted\.service {2}# --root/);
    const logs = cli('logs', '-n', '5');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/Not run:\n {2}journalctl --user -u rooted\.service -n 5 --no-pager/);
    // A table a person reads by default, the log's JSON lines with --json.
    const audit = cli('logs', '--audit', '-n', '2');
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout.split('\n').filter(Boolean).map((l) => l.replace(/\s+/g, ' '))).toEqual(['2026-12-02 10:02:00 deny ls 2 reason 2', '2026-12-02 10:03:00 ask ls 3 reason 3']);
    const json = cli('logs', '--audit', '-n', '2', '--json');
    expect(json.stdout).toBe(`${decision(2, 'deny')}\n${decision(3, 'ask')}\n`);
    const attach = cli('attach');
    expect(attach.code).toBe(0);
    expect(attach.stdout).toMatch(/Not run:\n {2}tmux -L buddy-init-rooted attach -r -t =rooted/);
    expect(dangerous()).toEqual([]);
  });
});
