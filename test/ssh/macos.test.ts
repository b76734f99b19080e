import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, onLaptop, runCli, tempDir, writeFile } from '../helpers.js';
import { Terminal } from '../pty.js';
import { TestSshd } from './sshd.js';

// SAID PLAINLY: there is no Mac here. The target is this Linux machine over a real sshd, made to
// report Darwin by a fake `uname` first on the remote user's PATH, with a fake `launchctl` that only
// records how it was called (and as which uid). Real: SSH, sudo, file ownership and modes, and the
// plist, which Python's plistlib parses.
const sshd = new TestSshd();
const LABEL = () => `com.buddy-init.mac${sshd.user.slice(-4)}`;
const PLIST = () => `/Library/LaunchDaemons/${LABEL()}.plist`;

beforeAll(async () => {
  await sshd.start();
  sshd.trust();
  const fakebin = join(sshd.home, 'fakebin');
  mkdirSync(fakebin, { recursive: true });
  writeFileSync(join(fakebin, 'uname'), '#!/bin/sh\ncase "$1" in -s) echo Darwin ;; -m) echo arm64 ;; *) exec /bin/uname "$@" ;; esac\n', { mode: 0o755 });
  writeFileSync(
    join(fakebin, 'launchctl'),
    `#!/bin/sh\necho "$(id -u) $*" >> ${sshd.home}/launchctl.log\n[ "$1" = print ] && exit 113\nexit 0\n`,
    { mode: 0o755 },
  );
  mkdirSync(join(sshd.home, '.ssh'), { recursive: true });
  writeFileSync(join(sshd.home, '.ssh', 'environment'), `PATH=${fakebin}:/usr/local/bin:/usr/bin:/bin\n`);
  spawnSync('chown', ['-R', `${sshd.user}:${sshd.user}`, sshd.home]);
  mkdirSync('/Library/LaunchDaemons', { recursive: true });
}, 60_000);

afterAll(() => {
  rmSync(PLIST(), { force: true });
  sshd.stop();
});

const recipe = () =>
  writeFile(join(tempDir(), 'mac.yaml'), `name: mac${sshd.user.slice(-4)}\nos: macos\nextends: strict\ninit: { kind: launchd-daemon }\n`);
const env = () => ({ HOME: sshd.laptop, SSH_AUTH_SOCK: undefined });

describe('macOS LaunchDaemon over SSH (Linux host reporting Darwin, see above)', () => {
  it('without a way to become root, refuses before writing anything', () => {
    rmSync(`/etc/sudoers.d/${sshd.user}`, { force: true });
    const r = runCli(['apply', '--recipe', recipe(), '--host', sshd.destination(), '--yes'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/apply cannot run: \/Library\/LaunchDaemons\/.*\.plist can only be written by root/);
    expect(existsSync(PLIST())).toBe(false);
    expect(existsSync(join(sshd.home, '.config', 'buddy-init'))).toBe(false);
  });

  it('with sudo asking for a password and no terminal, also refuses and writes nothing', () => {
    sshd.allowSudo('ALL');
    const r = runCli(['apply', '--recipe', recipe(), '--host', sshd.destination(), '--yes'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sudo asks for a password, with no terminal to type it/);
    expect(existsSync(PLIST())).toBe(false);
  });

  it('with sudo, writes the plist as root (0644, a valid plist) and loads it with launchctl enable + bootstrap as root', () => {
    sshd.allowSudo('NOPASSWD: ALL');
    const r = runCli(['apply', '--recipe', recipe(), '--host', sshd.destination(), '--yes'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on ssh .* \(macos arm64/);
    const s = statSync(PLIST());
    expect([s.uid, s.mode & 0o777]).toEqual([0, 0o644]);
    const plist = JSON.parse(execFileSync('python3', ['-c', 'import plistlib,json,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', PLIST()], { encoding: 'utf8' }));
    expect(plist).toMatchObject({ Label: LABEL(), UserName: sshd.user, KeepAlive: true });
    const calls = readFileSync(join(sshd.home, 'launchctl.log'), 'utf8').trim().split('\n');
    expect(calls).toEqual(expect.arrayContaining([`0 enable system/${LABEL()}`, `0 bootstrap system ${PLIST()}`]));
    // Nothing root-owned was left in the user's state folder.
    expect(existsSync(join(sshd.home, '.local/state/buddy-init', `mac${sshd.user.slice(-4)}`, 'staging', `${LABEL()}.plist`))).toBe(false);
  });

  it('at a terminal, asks for the sudo password (hidden), refuses a wrong one, uses a right one', async () => {
    rmSync(PLIST(), { force: true });
    rmSync(join(sshd.home, '.local/state/buddy-init'), { recursive: true, force: true });
    spawnSync('chpasswd', { input: `${sshd.user}:right horse battery\n` });
    sshd.allowSudo('ALL');
    const run = () => new Terminal(onLaptop([process.execPath, CLI, 'apply', '--recipe', recipe(), '--host', sshd.destination(), '--yes'], sshd.laptop), { HOME: sshd.laptop, NO_COLOR: '1', PATH: process.env.PATH! });
    const wrong = run();
    try {
      await wrong.waitFor(/sudo password on ssh .*\(input hidden, sent only to sudo\):/);
      wrong.type('wrong guess');
      wrong.key('Enter');
      expect(await wrong.exitCode()).toBe(1);
      expect(wrong.screen()).toMatch(/sudo refused the password on ssh/);
      expect(wrong.screen()).not.toContain('wrong guess');
      expect(existsSync(PLIST())).toBe(false);
    } finally {
      wrong.close();
    }
    const right = run();
    try {
      await right.waitFor(/sudo password on ssh/);
      right.type('right horse battery');
      right.key('Enter');
      expect(await right.exitCode()).toBe(0);
      expect(right.screen()).not.toContain('right horse battery');
      expect(statSync(PLIST()).uid).toBe(0);
    } finally {
      right.close();
    }
  }, 90_000);
});
