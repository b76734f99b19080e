/**
 * Executes a plan, in the order that leaves the target recoverable at every step: the record first,
 * then a renamed buddy's old name out, the files (only what differs, atomically, each replaced file
 * backed up), the leftovers, the follow-up commands (an older runtime goes only once the supervisor they
 * started is up), and the record of what was applied. A no-op plan writes nothing at all.
 */
import { OperationError } from '../../errors.js';
import { shownPath, type Facts, type Target } from '../../target/index.js';
import type { Action } from '../compute/actions.js';
import type { Change } from '../compute/change.js';
import type { Plan } from '../compute/plan.js';
import { tidyAfterApply } from './backups.js';
import { runCommands } from './commands.js';
import { leftoversByTurn, removeLeftovers, writeChanges } from './files.js';
import { ApplyJournal } from './journal.js';
import { awaitNewSupervisor, supervising } from './ready.js';
import { RootRunner } from './rootRunner.js';
import { takeOutRenamed } from './uninstall.js';

export interface ApplyResult {
  written: Change[];
  /** Files of an earlier apply the recipe no longer renders, deleted. */
  removed: string[];
  backups: string[];
  ran: Action[];
  stateWritten: boolean;
}

export interface ApplyOptions {
  buddyInit: string;
  name: string;
  facts: Facts;
  /** Asked once, when a root command or file needs sudo with a password; never logged. */
  sudoPassword?: () => Promise<string>;
  now?: Date;
  progress?: (line: string) => void;
}

export async function applyPlan(plan: Plan, target: Target, options: ApplyOptions): Promise<ApplyResult> {
  if (plan.blocked) throw new OperationError(plan.blocked);
  const progress = options.progress ?? (() => {});
  const now = options.now ?? new Date();
  const root = new RootRunner(target, options.facts, options.sudoPassword);
  const journal = new ApplyJournal(target, plan, { ...options, now });

  await journal.open();
  await takeOutRenamed(plan, target, (action) => root.run(action), progress);
  const files = await writeChanges(plan, target, root, now.toISOString().replace(/[:.]/g, '-'), progress);
  const leftovers = leftoversByTurn(plan);
  const removed = await removeLeftovers(plan, leftovers.now, target, progress);
  await tidyAfterApply(target, plan, files.backups.length > 0);
  let ran: Action[] = [];
  if (plan.actions.length) {
    await journal.owe(files.final, leftovers.afterRestart);
    const before = leftovers.afterRestart.length ? (await supervising(target, plan.layout)).who : undefined;
    ran = await runCommands(plan, target, root, progress);
    if (leftovers.afterRestart.length) {
      await awaitNewSupervisor(target, plan.layout, before, `the older runtime (${leftovers.afterRestart.map((p) => shownPath(target, p)).join(', ')})`);
      removed.push(...(await removeLeftovers(plan, leftovers.afterRestart, target, progress)));
    }
  }
  const stateWritten = await journal.close(files.final, ran.length > 0);
  return { written: files.written, removed, backups: files.backups, ran, stateWritten };
}
