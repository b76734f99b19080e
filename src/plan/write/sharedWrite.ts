/**
 * Writing into a file others write too. Claude Code (or a person) may rewrite ~/.claude.json or a
 * settings file at any moment: buddy-init merges into what is there now and replaces the file only if it
 * still holds what the merge read (compared right before the rename); if not, it waits a moment, reads
 * and merges again. That leaves a window of a shell's compare-then-rename, in which a writer that takes
 * no lock can still land a write that the rename then replaces; where the other writer takes a lock
 * (Claude Code on ~/.claude.json: configLock.ts), buddy-init holds the same lock around the whole merge
 * and there is no window. Used by apply and by uninstall (and so by a rename's clean-up).
 */
import { OperationError } from '../../errors.js';
import type { Artifact } from '../../render/index.js';
import { ConfigLockWait } from '../../runtime/shared/configLock.js';
import { shownPath, type Target } from '../../target/index.js';
import { computeChange, decodeText, type Change, type Ownership } from '../compute/change.js';

/**
 * How long to keep merging into a shared file that keeps changing under it before giving up (and at
 * least this many tries): by time, since on a loaded machine one try (its fsync above all) can take
 * longer than the other writer's pause, and a count alone would give up within a second.
 */
const MERGE_PATIENCE_MS = 10_000;
const MERGE_ATTEMPTS = 8;

/**
 * How long to wait for Claude Code's lock: it holds it for milliseconds, and one a dead holder left is
 * taken over after CONFIG_LOCK_STALE_MS (10 s) without a move.
 */
const LOCK_PATIENCE_MS = 15_000;

/** Merges `artifact` into the file as it is now and replaces it; returns the change made (maybe none). */
export async function mergeInto(target: Target, artifact: Artifact, ownership: Ownership): Promise<Change> {
  const lock = artifact.kind === 'file' ? undefined : artifact.lock;
  return lock ? holding(target, lock, artifact.path, () => mergeLoop(target, artifact, ownership)) : mergeLoop(target, artifact, ownership);
}

/** Runs `job` while holding the lock directory `lock` of `file`, taken as its other writer takes it. */
async function holding<T>(target: Target, lock: string, file: string, job: () => Promise<T>): Promise<T> {
  const wait = new ConfigLockWait(shownPath(target, file), LOCK_PATIENCE_MS);
  while (!(await target.makeDirectory(lock))) {
    let step;
    try {
      step = wait.next((await target.stat(lock))?.mtimeMs);
    } catch (err) {
      throw new OperationError((err as Error).message);
    }
    if (step.take === 'over') await target.removeDirectory(lock);
    else await new Promise((r) => setTimeout(r, step.waitMs));
  }
  try {
    return await job();
  } finally {
    await target.removeDirectory(lock);
  }
}

async function mergeLoop(target: Target, artifact: Artifact, ownership: Ownership): Promise<Change> {
  const path = artifact.path;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const raw = await target.read(path);
    const info = raw ? await target.stat(path) : undefined;
    const change = computeChange(artifact, raw && info ? { text: decodeText(path, raw), mode: info.mode } : undefined, ownership);
    if (change.op === 'unchanged') return change;
    if (await target.replaceIfUnchanged(path, change.after, change.mode, raw)) return change;
    const spent = Date.now() - started;
    if (attempt >= MERGE_ATTEMPTS && spent >= MERGE_PATIENCE_MS) {
      throw new OperationError(`${path} kept changing while buddy-init merged into it (${attempt} tries in ${Math.round(spent / 1000)} s); run the command again`);
    }
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * Math.min(attempt, MERGE_ATTEMPTS)));
  }
}
