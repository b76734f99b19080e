/**
 * One buddy-init at a time per target user: apply, uninstall and doctor --fix take a lock file in the
 * user's buddy-init state folder (every buddy's state sits below it, and buddies share files such as
 * ~/.claude.json). Created with O_EXCL (locally or over SFTP), it says who holds it: pid, host, command
 * and start time. The holder rewrites it every few seconds (a heartbeat), so a waiter on another machine
 * can tell a live holder from one that died without cleaning up; on the holder's own machine its pid
 * says. A second buddy-init waits a short while, then fails naming the holder; a stale lock is taken
 * over, with a message. Day-two reads (plan, status, doctor without --fix) take no lock.
 */
import { hostname } from 'node:os';
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OperationError } from '../../errors.js';
import { shownPath, type Target } from '../../target/index.js';

interface Holder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  /** Changes at every heartbeat. */
  beat: number;
  /** This holder's own mark, to tell its lock from one that replaced it. */
  nonce: string;
}

export interface LockTimings {
  /** How long a second buddy-init waits for the lock before it gives up. */
  waitMs: number;
  heartbeatMs: number;
  /** No heartbeat for this long (from another machine) and the holder is taken for dead. */
  staleMs: number;
}

/** The wait can be set for scripts and tests (BUDDY_INIT_LOCK_WAIT, in seconds). */
const defaultTimings = (): LockTimings => ({ waitMs: Number(process.env.BUDDY_INIT_LOCK_WAIT ?? 10) * 1000, heartbeatMs: 2000, staleMs: 8000 });

export const lockPath = (home: string): string => posix.join(home, '.local', 'state', 'buddy-init', '.lock');

export interface HeldLock {
  release(): Promise<void>;
}

function parse(data: Buffer | undefined): Holder | undefined {
  if (!data) return undefined;
  try {
    const h = JSON.parse(data.toString('utf8')) as Holder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined; // being written, or junk: judged by whether it changes, like a silent holder
  }
}

/** Whether a pid on this machine is alive (EPERM: alive, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const describe = (h: Holder | undefined) => (h ? `pid ${h.pid} from ${h.host}, ${h.command}, since ${h.startedAt}` : 'a holder that left no readable record');

export async function acquireLock(target: Target, home: string, command: string, say: (line: string) => void, timings: LockTimings = defaultTimings()): Promise<HeldLock> {
  const path = lockPath(home);
  // The folders the lock itself makes (on a machine buddy-init never touched): gone again with it when
  // nothing else was put in them, as after a Ctrl-C at the confirmation.
  const made: string[] = [];
  for (let dir = posix.dirname(path); (dir === home || dir.startsWith(`${home}/`)) && !(await target.stat(dir)); dir = posix.dirname(dir)) made.push(dir);
  const me: Holder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString(), beat: 0, nonce: randomBytes(8).toString('hex') };
  const text = () => `${JSON.stringify(me)}\n`;
  const deadline = Date.now() + timings.waitMs;
  let seen: { raw: string; since: number } | undefined;
  let tookOver = false;
  for (;;) {
    if (await target.createExclusive(path, text(), 0o600)) {
      if (!tookOver) break;
      // Two waiters may have judged the same record stale: the later remove can take the earlier one's
      // new lock. Look again after a moment; whoever finds someone else's record goes back to waiting.
      await new Promise((r) => setTimeout(r, 300));
      if (parse(await target.read(path))?.nonce === me.nonce) break;
      tookOver = false;
      continue;
    }
    const raw = (await target.read(path))?.toString('utf8');
    if (raw === undefined) continue; // released between the two calls: try again at once
    const holder = parse(Buffer.from(raw));
    if (!seen || seen.raw !== raw) seen = { raw, since: Date.now() };
    const dead = holder?.host === me.host ? !alive(holder.pid) : Date.now() - seen.since >= timings.staleMs;
    if (dead) {
      // Taken over only if it is still the same stale record (another waiter may have got there first).
      if ((await target.read(path))?.toString('utf8') === raw) {
        await target.remove(path);
        tookOver = true;
        say(`taking over a stale lock on ${target.label} (${describe(holder)}: ${holder?.host === me.host ? 'that process is gone' : `no sign of life for ${Math.round(timings.staleMs / 1000)} s`})`);
      }
      seen = undefined;
      continue;
    }
    if (Date.now() >= deadline) throw new OperationError(`another buddy-init is applying on ${target.label} (${describe(holder)}); try again when it is done, or remove ${shownPath(target, path)} if you are sure it is not running`);
    await new Promise((r) => setTimeout(r, 200));
  }

  // A heartbeat, so that a waiter elsewhere sees the holder alive; it stops if the lock is no longer ours.
  let stopped = false;
  let beating: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beating = beating.then(async () => {
      if (stopped || parse(await target.read(path))?.nonce !== me.nonce) return;
      me.beat++;
      await target.writeAtomic(path, text(), 0o600);
    }).catch(() => undefined);
  }, timings.heartbeatMs);
  timer.unref();
  return {
    async release() {
      stopped = true;
      clearInterval(timer);
      await beating;
      if (parse(await target.read(path))?.nonce === me.nonce) await target.remove(path);
      for (const dir of made) await target.removeDirectory(dir);
    },
  };
}
