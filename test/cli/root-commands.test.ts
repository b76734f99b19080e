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
    expect(cli('apply', '--yes').code).toBe(0);
    const state = '.local/state/buddy-init/rooted';
    writeFile(at(`${state}/status.json`), JSON.stringify({ pid: 4242, state: 'running', startedAt: '2026-12-02T10:00:00.000Z', restarts: 2, updatedAt: '2026-12-02T10:05:00.000Z' }));
    writeFile(at(`${state}/session.json`), JSON.stringify({ sessionId: 'f00dfeed-0000-4000-8000-000000000042' }));
    const transcript = at(`.claude/projects/${join(HOME, 'work').replace(/[^A-Za-z0-9]/g, '-')}/f00dfeed-0000-4000-8000-000000000042.jsonl`);
    writeFile(transcript, '{"type":"user"}\n');
    writeFileSync(at(`${state}/hook-audit.jsonl`), ['{"n":1}', '{"n":2}', '{"n":3}', ''].join('\n'));

    const status = runCli(['status', '--json', '--recipe', recipe, '--root', root], { env });
    expect(status.code, status.stderr).toBe(0);
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
    const audit = cli('logs', '--audit', '-n', '2');
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toBe('{"n":2}\n{"n":3}\n');
    const attach = cli('attach');
    expect(attach.code).toBe(0);
    expect(attach.stdout).toMatch(/Not run:\n {2}tmux -L buddy-init-rooted attach -r -t =rooted/);
    expect(dangerous()).toEqual([]);
  });
});
