/**
 * Writing a plan's files: each change atomically, a replaced file backed up first; then deleting the
 * leftovers the recipe no longer renders.
 */
import { shownPath, type Target } from '../../target/index.js';
import type { Change } from '../compute/change.js';
import type { Plan } from '../compute/plan.js';
import { backUp } from './backups.js';
import { inOlderRuntime, removeEmptiedByApply } from './folders.js';
import { writeAsRoot, type RootRunner } from './rootRunner.js';
import { mergeInto } from './sharedWrite.js';

export interface WrittenFiles {
  /** Every change as it ended up (a shared file's as merged at write time): what the record is made from. */
  final: Change[];
  written: Change[];
  backups: string[];
}

export async function writeChanges(plan: Plan, target: Target, root: RootRunner, stamp: string, progress: (line: string) => void): Promise<WrittenFiles> {
  const asRoot = (c: Change) => Boolean(c.artifact.privileged) && !target.rebasedUnder;
  /** Writes one change with its backup; returns what it wrote. */
  const write = async (planned: Change): Promise<{ change: Change; backup?: string }> => {
    const path = planned.artifact.path;
    if (planned.op === 'unchanged') return { change: planned };
    if (planned.artifact.kind === 'file') {
      const backup = await backUp(target, planned, plan, stamp);
      if (asRoot(planned)) await writeAsRoot(target, root, plan.layout.stateDir, path, planned.after, planned.mode);
      else await target.writeAtomic(path, planned.after, planned.mode);
      return { change: planned, ...(backup ? { backup } : {}) };
    }
    // A shared file: merged into what is there at write time (sharedWrite.ts). The backup (of exactly
    // what was replaced) is written after, so the slow part stays out of the compare-and-rename window.
    const change = await mergeInto(target, planned.artifact, plan);
    const backup = change.op === 'unchanged' ? undefined : await backUp(target, change, plan, stamp);
    return { change, ...(backup ? { backup } : {}) };
  };
  // The files buddy-init owns go out side by side (over SSH each write is several round trips). After
  // them (and only if they all succeeded), one at a time: the shared files, so that nothing else runs
  // while one is read, merged and replaced (the shorter that is, the less often another writer gets in
  // between), and the ones root writes, so sudo's password is asked at most once. Every write settles
  // before a failure is reported, and what was written is still listed.
  const settled = await Promise.allSettled(plan.changes.map((c) => (asRoot(c) || c.artifact.kind !== 'file' ? undefined : write(c))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const files: WrittenFiles = { final: [], written: [], backups: [] };
  for (const [i, planned] of plan.changes.entries()) {
    const outcome = settled[i]!;
    if (outcome.status === 'rejected' || (failed && !outcome.value)) continue;
    const done = outcome.value ?? (await write(planned));
    files.final.push(done.change);
    if (done.backup) files.backups.push(done.backup);
    if (done.change.op === 'unchanged') continue;
    files.written.push(done.change);
    progress(`${done.change.op === 'create' ? 'created' : 'updated'} ${shownPath(target, done.change.artifact.path)}`);
  }
  if (failed) throw failed.reason;
  return files;
}

/**
 * What the last apply wrote whole and the recipe no longer renders, in two parts: an older buddy-init's
 * runtime, which is the running supervisor's until the new one is up (so it goes after the restart,
 * once the new supervisor reported ready), and the rest, which goes now.
 */
export function leftoversByTurn(plan: Plan): { now: string[]; afterRestart: string[] } {
  const restarts = plan.actions.some((a) => a.startsBuddy);
  const afterRestart = restarts ? plan.remove.filter((p) => inOlderRuntime(plan.layout, p)) : [];
  return { now: plan.remove.filter((p) => !afterRestart.includes(p)), afterRestart };
}

/** Deletes `paths` (leftovers of the plan), and the folders that left empty. */
export async function removeLeftovers(plan: Plan, paths: string[], target: Target, progress: (line: string) => void): Promise<string[]> {
  for (const path of paths) {
    await target.remove(path);
    progress(`removed ${shownPath(target, path)}`);
  }
  await removeEmptiedByApply(target, plan.layout, paths);
  return paths;
}
