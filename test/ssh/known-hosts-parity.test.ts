// Issue 17: host keys where and as OpenSSH keeps them, judged by the real OpenSSH client against the
// test sshd. Both directions for each layout: a key `ssh -o StrictHostKeyChecking=accept-new` recorded
// is accepted by buddy-init without --accept-new, and a key buddy-init recorded (with --accept-new, or
// because the config says accept-new) is accepted by `ssh -o StrictHostKeyChecking=yes -o BatchMode=yes`.
// ssh and buddy-init run on the same laptop (its folder mounted as the home, see onLaptop).
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onLaptop, runCli, tempDir, writeFile } from '../helpers.js';
import { TestSshd } from './sshd.js';

const sshd = new TestSshd();
let clientKey = '';
beforeAll(async () => {
  await sshd.start();
  clientKey = readFileSync(join(sshd.laptop, '.ssh', 'id_ed25519'), 'utf8');
}, 60_000);
afterAll(() => sshd.stop());

const ssh = sshd.laptop;
const dotSsh = join(ssh, '.ssh');
const recipe = writeFile(join(tempDir(), 'kh.yaml'), 'name: kh\nworkdir: ~/kh\n');

interface Layout {
  what: string;
  /** ~/.ssh/config (and files it includes), relative to ~/.ssh. */
  files: (port: number, user: string) => Record<string, string>;
  /** The destination both are given. */
  dest: (port: number, user: string) => { ssh: string[]; buddy: string };
  /** Where the key must end up, relative to ~/.ssh, and whether hashed. */
  /** Where the key must end up (relative to ~/.ssh), hashed whatever the system config says, under which name. */
  recorded: { file: string; hashed: boolean; name?: (port: number) => string };
}

const alias = (extra: string) => (port: number, user: string) => ({ config: `Host box\n  HostName 127.0.0.1\n  Port ${port}\n  User ${user}\n${extra}` });
const box = () => ({ ssh: ['box'], buddy: 'box' });

const layouts: Layout[] = [
  {
    what: 'plain, custom port, no config',
    files: () => ({}),
    dest: (port, user) => ({ ssh: ['-p', String(port), `${user}@127.0.0.1`], buddy: `${user}@127.0.0.1:${port}` }),
    recorded: { file: 'known_hosts', hashed: false, name: (port) => `[127.0.0.1]:${port}` },
  },
  { what: 'an alias: recorded under its HostName', files: alias(''), dest: box, recorded: { file: 'known_hosts', hashed: false, name: (port) => `[127.0.0.1]:${port}` } },
  { what: 'HashKnownHosts yes', files: alias('  HashKnownHosts yes\n'), dest: box, recorded: { file: 'known_hosts', hashed: true } },
  { what: 'HostKeyAlias', files: alias('  HostKeyAlias mini-key\n'), dest: box, recorded: { file: 'known_hosts', hashed: false, name: () => 'mini-key' } },
  { what: 'a custom UserKnownHostsFile with tokens', files: alias('  UserKnownHostsFile ~/.ssh/kh/%h-%p\n'), dest: box, recorded: { file: 'kh/127.0.0.1-PORT', hashed: false } },
  {
    what: 'a Host block in an Include (config.d/*.conf, relative to ~/.ssh)',
    files: (port, user) => ({ config: 'Include config.d/*.conf\n', 'config.d/10-box.conf': alias('')(port, user).config }),
    dest: box,
    recorded: { file: 'known_hosts', hashed: false, name: (port) => `[127.0.0.1]:${port}` },
  },
];

function setUp(layout: Layout): void {
  rmSync(dotSsh, { recursive: true, force: true });
  mkdirSync(join(dotSsh, 'kh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dotSsh, 'id_ed25519'), clientKey, { mode: 0o600 });
  for (const [name, text] of Object.entries(layout.files(sshd.port, sshd.user))) writeFile(join(dotSsh, name), text);
}

function runSsh(strict: 'accept-new' | 'yes', dest: string[]) {
  const argv = onLaptop(['ssh', '-o', `StrictHostKeyChecking=${strict}`, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...dest, 'true'], ssh);
  return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
}

/** buddy-init with OpenSSH's client on PATH (it asks ssh -G), or without one (its own reader answers). */
let reader: 'ssh -G' | 'built-in reader' = 'ssh -G';
const buddy = (dest: string, ...flags: string[]) =>
  runCli(['plan', '--recipe', recipe, '--host', dest, ...flags], {
    env: { HOME: ssh, SSH_AUTH_SOCK: undefined, ...(reader === 'built-in reader' ? { PATH: '/nonexistent' } : {}) },
  });

/** Whether ssh hashes new lines for this destination (Debian's /etc/ssh/ssh_config says yes, for one). */
function sshHashes(dest: string[]): boolean {
  const argv = onLaptop(['ssh', '-G', ...dest], ssh);
  return /^hashknownhosts yes$/m.test(spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout);
}

/** The line for the host key is in the expected file, under the expected name (hashed or not, as ssh would). */
function expectRecorded(layout: Layout, dest: string[]): void {
  const file = join(dotSsh, layout.recorded.file.replace('PORT', String(sshd.port)));
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.includes(sshd.hostKey().split(' ')[1]!));
  expect(line, `${layout.what}: ${file}`).toBeDefined();
  const [names] = line!.split(' ');
  const hashed = layout.recorded.hashed || sshHashes(dest);
  const name = layout.recorded.name?.(sshd.port) ?? `[127.0.0.1]:${sshd.port}`;
  if (!hashed) expect(names, layout.what).toBe(name);
  else {
    const [, , salt, hash] = names!.split('|');
    expect(createHmac('sha1', Buffer.from(salt!, 'base64')).update(name).digest('base64'), `${layout.what}: hashed name`).toBe(hash);
  }
}

describe.each(['ssh -G', 'built-in reader'] as const)('known_hosts as OpenSSH keeps it, hosts resolved by %s', (how) => {
  beforeAll(() => {
    reader = how;
  });

  for (const layout of layouts) {
    it(`${layout.what}: ssh records, buddy-init accepts; buddy-init records, ssh accepts`, () => {
      const dest = layout.dest(sshd.port, sshd.user);
      setUp(layout);
      const first = runSsh('accept-new', dest.ssh);
      expect(first.status, first.stderr).toBe(0);
      expectRecorded(layout, dest.ssh);
      const r = buddy(dest.buddy);
      expect(r.code, r.stderr).toBe(0);

      setUp(layout);
      const refused = buddy(dest.buddy);
      expect(refused.code, refused.stderr).toBe(2);
      const recorded = buddy(dest.buddy, '--accept-new');
      expect(recorded.code, recorded.stderr).toBe(0);
      expectRecorded(layout, dest.ssh);
      const second = runSsh('yes', dest.ssh);
      expect(second.status, second.stderr).toBe(0);
    }, 60_000);
  }

  it('StrictHostKeyChecking accept-new in the config records without the flag; "no" does too, with a loud warning; a changed key is refused either way', () => {
    for (const [setting, warning] of [['accept-new', /recorded the host key of \[127\.0\.0\.1\]:\d+ in \S+known_hosts/], ['no', /WARNING: StrictHostKeyChecking is off for .* taken WITHOUT a check/]] as const) {
      const layout: Layout = { what: setting, files: alias(`  StrictHostKeyChecking ${setting}\n`), dest: box, recorded: { file: 'known_hosts', hashed: false } };
      setUp(layout);
      const r = buddy('box');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(warning);
      expect(runSsh('yes', ['box']).status).toBe(0);
      // A changed key: the line now names another key.
      writeFileSync(join(dotSsh, 'known_hosts'), `[127.0.0.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh2dUmS9cV4nL8p3ZjV7QwFv0m3R5eKk6Y8gZbqkF0Z\n`);
      const changed = buddy('box');
      expect(changed.code).toBe(2);
      expect(changed.stderr).toMatch(/has CHANGED/);
    }
  }, 60_000);

  it('@revoked wins over a listed key; a host only a @cert-authority vouches for is unknown, and the message says why', () => {
    const layout = layouts[1]!;
    setUp(layout);
    const key = sshd.hostKey();
    writeFileSync(join(dotSsh, 'known_hosts'), `@revoked * ${key}\n[127.0.0.1]:${sshd.port} ${key}\n`);
    const revoked = buddy('box');
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toMatch(/is marked @revoked in \S+known_hosts line 1/);
    expect(runSsh('yes', ['box']).status).not.toBe(0); // ssh refuses it too
    writeFileSync(join(dotSsh, 'known_hosts'), `@cert-authority *.example.com,[127.0.0.1]:* ${key}\n`);
    const ca = buddy('box');
    expect(ca.code).toBe(2);
    expect(ca.stderr).toMatch(/trusts a certificate authority for it, but buddy-init's SSH library cannot check host certificates/);
  }, 60_000);

  it('a global known_hosts file (GlobalKnownHostsFile) is read as ssh reads it', () => {
    const layout: Layout = { what: 'global', files: alias(`  GlobalKnownHostsFile ~/.ssh/global_known_hosts\n`), dest: box, recorded: { file: 'known_hosts', hashed: false } };
    setUp(layout);
    writeFileSync(join(dotSsh, 'global_known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostKey()}\n`);
    expect(runSsh('yes', ['box']).status).toBe(0);
    const r = buddy('box');
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('Match exec: ssh evaluates it; without an ssh client buddy-init refuses the config, naming the line and the way out', () => {
    const layout: Layout = { what: 'exec', files: (port, user) => ({ config: `Match exec "true"\n  HostName 127.0.0.1\n  Port ${port}\n  User ${user}\n` }), dest: box, recorded: { file: 'known_hosts', hashed: false } };
    setUp(layout);
    const r = buddy('box', '--accept-new');
    if (how === 'ssh -G') expect(r.code, r.stderr).toBe(0);
    else {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\.ssh\/config:1: "Match exec" needs OpenSSH's own client to evaluate; install it \(ssh\)/);
    }
  }, 60_000);
});
