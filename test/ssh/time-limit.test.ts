// Issue 28.2: every command run on a target ends. Over a real sshd (see sshd.ts) and on this machine: a
// command past its limit is stopped with all it started on the far side, the run fails with an error
// naming the command, the host and what it printed; one that ignores TERM is killed; a command that
// ends in time leaves nothing running behind it, and its input still arrives (sudo -S reads it).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTarget, resolveEndpoint, SshTarget, type Target } from '../../src/target/index.js';
import { connect } from '../../src/target/ssh/connect.js';
import { TestSshd } from './sshd.js';

const sshd = new TestSshd();
let remote: SshTarget;
beforeAll(async () => {
  await sshd.start();
  sshd.trust();
  const me = userInfo();
  const endpoint = resolveEndpoint(sshd.destination(), { home: sshd.laptop, localUser: me.username, uid: me.uid });
  remote = new SshTarget(`ssh ${sshd.destination()}`, await connect({ ...endpoint, identityFiles: [join(sshd.laptop, '.ssh', 'id_ed25519')], knownHosts: { user: [join(sshd.laptop, '.ssh', 'known_hosts')], global: [] } }, { acceptNew: false }));
}, 60_000);
afterAll(async () => {
  await remote?.close();
  sshd.stop();
});

/**
 * The processes whose command line holds `marker`, alive anywhere on this machine (the remote user's are
 * here too); not zombies, which this container's init may leave unreaped.
 */
const alive = (marker: string | RegExp) =>
  spawnSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => /^\s*(\S+)\s+(.*)$/.exec(l))
    .filter((m) => m && !m[1]!.startsWith('Z') && (typeof marker === 'string' ? m[2]!.includes(marker) && !m[2]!.startsWith('ps ') : marker.test(m[2]!)))
    .map((m) => m![2])
    .join('\n');

async function stoppedAt(target: Target, limit: number, script: string, marker: string): Promise<{ error: Error; seconds: number }> {
  const started = Date.now();
  const error = await target.run(['sh', '-c', script, marker], { limitSeconds: limit }).then(
    () => new Error('it ended'),
    (e: Error) => e,
  );
  return { error, seconds: (Date.now() - started) / 1000 };
}

describe.each([
  ['over SSH', () => remote as Target],
  ['on this machine', () => new LocalTarget() as Target],
])('a command past its time limit, %s', (_where, target) => {
  it('is stopped at the limit, with its children; the error names it, the host and what it printed', async () => {
    const marker = `buddy-limit-${Math.random().toString(36).slice(2)}`;
    const nap = 300 + Math.floor(Math.random() * 1000);
    const { error, seconds } = await stoppedAt(target(), 2, `echo "Installing plugin..."; sleep ${nap} & wait`, marker);
    expect(error.message).toBe(
      `\`sh -c echo "Installing plugin..."; sleep ${nap} & wait ${marker}\` on ${target().label} was still running after 2 s, with its input closed, and was stopped ` +
        '(on a slow network, raise the limit: BUDDY_INIT_COMMAND_TIMEOUT=<seconds>); what it printed: Installing plugin...',
    );
    expect(seconds).toBeGreaterThanOrEqual(2);
    expect(seconds).toBeLessThan(6);
    // Everything it started goes; over SSH the watchdog follows after its grace.
    expect(alive(new RegExp(`^sleep ${nap}$`))).toBe('');
    await new Promise((r) => setTimeout(r, 2500));
    expect(alive(marker)).toBe('');
  }, 20_000);

  it('one that ignores TERM is killed', async () => {
    const marker = `buddy-deaf-${Math.random().toString(36).slice(2)}`;
    const { error, seconds } = await stoppedAt(target(), 1, 'trap "" TERM; while :; do sleep 1; done', marker);
    expect(error.message).toMatch(/was still running after 1 s, with its input closed, and was stopped .*; it printed nothing$/);
    expect(seconds).toBeLessThan(6);
    await new Promise((r) => setTimeout(r, 3000));
    expect(alive(marker)).toBe('');
  }, 20_000);

  it('a command that ends in time gets its input, its exit code, and leaves nothing behind', async () => {
    const marker = `buddy-quick-${Math.random().toString(36).slice(2)}`;
    const r = await target().run(['sh', '-c', 'cat; exit 3', marker], { input: 'the password\n', limitSeconds: 30 });
    expect(r).toEqual({ code: 3, stdout: 'the password\n', stderr: '' });
    await new Promise((r) => setTimeout(r, 1500));
    // The SSH watchdog counts in one-second sleeps and leaves when the command's shell is gone.
    expect(alive(marker)).toBe('');
  }, 20_000);
});
