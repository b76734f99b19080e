/**
 * Writing into a file others write too. Claude Code (or a person) may rewrite ~/.claude.json or a
 * settings file at any moment: buddy-init merges into what is there now and replaces the file only if it
 * still holds what the merge read (compared right before the rename); if not, it waits a moment, reads
 * and merges again. Used by apply and by uninstall (and so by a rename's clean-up).
 */
import { OperationError } from '../errors.js';
import type { Artifact } from '../render/index.js';
import type { Target } from '../target/index.js';
import { computeChange, decodeText, type Change, type Ownership } from './change.js';

/**
 * How long to keep merging into a shared file that keeps changing under it before giving up (and at
 * least this many tries): by time, since on a loaded machine one try (its fsync above all) can take
 * longer than the other writer's pause, and a count alone would give up within a second.
 */
const MERGE_PATIENCE_MS = 10_000;
const MERGE_ATTEMPTS = 8;

/** Merges `artifact` into the file as it is now and replaces it; returns the change made (maybe none). */
export async function mergeInto(target: Target, artifact: Artifact, ownership: Ownership): Promise<Change> {
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
