/**
 * Carries out an uninstall plan (compute/uninstall.ts), in the order that leaves nothing running on
 * files that are gone: for `uninstall`, and for a renamed buddy's old name before apply writes the new.
 */
import { posix } from 'node:path';
import { shownPath, type Target } from '../../target/index.js';
import type { Action } from '../compute/actions.js';
import type { Plan } from '../compute/plan.js';
import type { UninstallPlan } from '../compute/uninstall.js';
import { removeEmptiedFolders } from './folders.js';
import { mergeInto } from './sharedWrite.js';

export async function applyUninstall(plan: UninstallPlan, target: Target, run: (action: Action) => Promise<unknown>, progress: (line: string) => void = () => {}): Promise<void> {
  const { layout } = plan;
  for (const action of plan.stop) {
    progress(`running ${action.argv.join(' ')}`);
    await run(action);
  }
  for (const planned of plan.unmerge) {
    // Merged again at write time: Claude Code may have rewritten the file since the plan read it.
    const change = await mergeInto(target, planned.artifact, plan.ownership);
    if (change.op !== 'unchanged') progress(`took buddy-init's part out of ${shownPath(target, change.artifact.path)}`);
  }
  for (const path of plan.remove) {
    await target.remove(path);
    progress(`removed ${shownPath(target, path)}`);
  }
  await removeEmptiedFolders(target, layout);
  for (const action of plan.reload) await run(action);
  await target.remove(layout.applyState);
  for (const dir of plan.purge) {
    await target.remove(dir);
    progress(`removed ${shownPath(target, dir)}`);
  }
}

/**
 * A renamed buddy's old name goes first (its unit stops before the new one starts; a Telegram bot has
 * one poller), except what this buddy claims too. Its conversation carries over when the workdir is the same.
 */
export async function takeOutRenamed(plan: Plan, target: Target, run: (action: Action) => Promise<unknown>, progress: (line: string) => void): Promise<void> {
  if (!plan.renamed) return;
  const old = plan.renamed.uninstall;
  progress(`taking out buddy "${plan.renamed.name}" (this recipe's name before the rename)`);
  const pinned = posix.join(plan.layout.stateDir, 'session.json');
  const pin = old.layout.workdir === plan.layout.workdir ? await target.read(posix.join(old.layout.stateDir, 'session.json')) : undefined;
  if (pin && !(await target.stat(pinned))) {
    await target.writeAtomic(pinned, pin, 0o600);
    progress(`carried the pinned conversation of "${plan.renamed.name}" over`);
  }
  await applyUninstall(old, target, run, progress);
}
