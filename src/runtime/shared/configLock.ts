/**
 * Claude Code's own lock on ~/.claude.json, taken the way Claude Code takes it, so the two never write
 * the file at the same time. Read from the 2.1.197 and 2.1.332 binaries (saveConfigWithLock): before each
 * write Claude Code makes the directory `<file>.lock` (mkdir is atomic: whoever makes it holds it),
 * re-reads the file under it, writes temp + rename, and removes the directory. It refreshes the
 * directory's mtime every 5 s while it holds it and takes over one whose mtime is 10 s old (a holder
 * that died). On a held lock it waits 200 ms to 4 s, six times, then gives up that write.
 *
 * This module holds the waiting rules; the supervisor takes the lock on this machine (sync), apply over
 * a target (async, perhaps over SSH).
 */
import { mkdirSync, rmdirSync, statSync } from 'node:fs';

/** Claude Code's stale threshold: a lock whose mtime did not move for this long has no live holder. */
export const CONFIG_LOCK_STALE_MS = 10_000;

export function configLockPath(file: string): string {
  return `${file}.lock`;
}

/**
 * The wait for a held lock. Staleness is judged by the lock's mtime not moving for the stale time as
 * measured here, so a target whose clock differs from this machine's is judged right too.
 */
export class ConfigLockWait {
  private readonly started = Date.now();
  private lastMtime: number | undefined;
  private unchangedSince = Date.now();

  constructor(
    private readonly file: string,
    private readonly patienceMs: number,
  ) {}

  /** After a failed mkdir: the lock's mtime (undefined: gone again). What to do next. */
  next(mtimeMs: number | undefined): { take: 'again' | 'over'; waitMs: number } {
    const now = Date.now();
    if (mtimeMs === undefined) return { take: 'again', waitMs: 0 };
    if (mtimeMs !== this.lastMtime) {
      this.lastMtime = mtimeMs;
      this.unchangedSince = now;
    }
    if (now - this.unchangedSince >= CONFIG_LOCK_STALE_MS) return { take: 'over', waitMs: 0 };
    if (now - this.started >= this.patienceMs) {
      throw new Error(
        `${configLockPath(this.file)} was held for ${Math.round((now - this.started) / 1000)} s (Claude Code writing ${this.file}); ` +
          'run the command again, or remove that folder if no claude runs',
      );
    }
    // Claude Code holds it for milliseconds: try again soon, a little at random so two waiters part.
    return { take: 'again', waitMs: 2 + Math.random() * 8 };
  }
}

/** Runs `job` holding the lock, on this machine; for the supervisor, which must not wait long. */
export function withConfigLockSync<T>(file: string, patienceMs: number, job: () => T): T {
  const lock = configLockPath(file);
  const wait = new ConfigLockWait(file, patienceMs);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const step = wait.next(mtimeOf(lock));
    if (step.take === 'over') removeLock(lock);
    else if (step.waitMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, step.waitMs);
  }
  try {
    return job();
  } finally {
    removeLock(lock);
  }
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function removeLock(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // Gone already (taken over as stale by someone else).
  }
}
