import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile } from '../helpers.js';
import { TestSshd } from './sshd.js';

// Three hosts from an inventory, in parallel: two reach the test sshd (as two buddies of one user, so
// they run one after the other: they share ~/.claude.json), one points at a port nothing listens on.
const sshd = new TestSshd();
let dir = '';
beforeAll(async () => {
  await sshd.start();
  sshd.trust();
  dir = tempDir('buddy-fleet-');
  writeFile(join(dir, 'base.yaml'), 'name: base\nextends: strict\n');
  writeFile(
    join(dir, 'inventory.yaml'),
    [
      'defaults:',
      '  recipe: ./base.yaml',
      'hosts:',
      `  alpha: { host: "${sshd.destination()}", overrides: { name: alpha, workdir: ~/alpha } }`,
      `  beta: { host: "${sshd.destination()}", overrides: { name: beta, workdir: ~/beta } }`,
      '  broken: { host: "nobody@127.0.0.1:1", overrides: { name: broken } }',
      '',
    ].join('\n'),
  );
}, 60_000);
afterAll(() => sshd.stop());

const fleet = (...args: string[]) => runCli([...args, '--all', '--inventory', join(dir, 'inventory.yaml')], { env: { HOME: sshd.laptop, SSH_AUTH_SOCK: undefined } });

describe('many hosts', () => {
  it('apply --all: hosts in parallel, one line each, a table, exit 1 because one failed, the others done', () => {
    const r = fleet('apply', '--yes', '--parallel', '3');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\[alpha\] applied: \d+ files? written/m);
    expect(r.stdout).toMatch(/^\[beta\] applied: \d+ files? written/m);
    expect(r.stdout).toMatch(/^\[broken\] FAILED: connection refused by 127\.0\.0\.1:1/m);
    expect(r.stdout).toMatch(/host +result\nalpha +applied[\s\S]*\nbeta +applied[\s\S]*\nbroken +FAILED[\s\S]*1 of 3 hosts failed\./);
    expect(existsSync(join(sshd.home, '.config/systemd/user/alpha.service'))).toBe(true);
    expect(existsSync(join(sshd.home, '.config/systemd/user/beta.service'))).toBe(true);
    // Both buddies merged into the one ~/.claude.json: neither apply lost the other's trust flag.
    const projects = JSON.parse(readFileSync(join(sshd.home, '.claude.json'), 'utf8')).projects;
    expect(projects[join(sshd.home, 'alpha')]?.hasTrustDialogAccepted).toBe(true);
    expect(projects[join(sshd.home, 'beta')]?.hasTrustDialogAccepted).toBe(true);
  });

  it('plan --all afterwards: no changes where it worked, each host\'s plan shown in its own section', () => {
    const r = fleet('plan');
    expect(r.stdout).toMatch(/^\[alpha\] no changes$/m);
    expect(r.stdout).toMatch(/^=== alpha\nPlan for buddy "alpha"/m);
    expect(r.code).toBe(1);
  });

  it('status --all: a line per host (no systemd on this test host, so down) and --json for scripts', () => {
    const r = fleet('status', '--json');
    const rows = JSON.parse(r.stdout) as Array<{ host: string; ok: boolean; summary: string }>;
    expect(rows.map((x) => x.host)).toEqual(['alpha', 'beta', 'broken']);
    expect(rows[0]!.summary).toMatch(/^DOWN: not loaded, claude not running/);
    expect(rows[2]).toMatchObject({ ok: false, summary: expect.stringMatching(/FAILED: connection refused/) });
  });

  it('apply --all wants --yes, and a bad override points into the inventory', () => {
    expect(fleet('apply').stderr).toMatch(/pass --yes/);
    const bad = tempDir('buddy-fleet-bad-');
    writeFile(join(bad, 'base.yaml'), 'name: base\n');
    writeFile(join(bad, 'inventory.yaml'), 'defaults:\n  recipe: ./base.yaml\nhosts:\n  one:\n    host: local\n    overrides:\n      supervisor: { tik: 3 }\n');
    const r = runCli(['plan', '--all', '--inventory', join(bad, 'inventory.yaml')]);
    expect(r.stdout).toMatch(/\[one\] FAILED: .*inventory\.yaml:7:21: supervisor\.tik: unknown field "tik"/);
  });
});
