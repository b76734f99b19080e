/**
 * Executes a plan: writes only what differs (atomically, each replaced file backed up first), records
 * what it applied, then runs the follow-up commands. A no-op plan writes nothing at all.
 */
import { posix } from 'node:path';
import { OperationError } from '../errors.js';
import type { Effect } from '../render/index.js';
import { jsonEqual } from '../runtime/shared/json.js';
import type { Facts, Target } from '../target/index.js';
import type { Action } from './actions.js';
import { computeChange, readCurrent, sha256, type Change, type Plan } from './plan.js';
import { writeApplyState, type ApplyState, type FileRecord } from './state.js';

export interface ApplyResult {
  written: Change[];
  backups: string[];
  ran: Action[];
  stateWritten: boolean;
}

export interface ApplyOptions {
  buddyInit: string;
  name: string;
  facts: Facts;
  now?: Date;
  progress?: (line: string) => void;
}

function stateRecords(changes: Change[]): Record<string, FileRecord> {
  return Object.fromEntries(
    changes.map((c) => [c.artifact.path, c.artifact.kind === 'file' ? { sha256: sha256(c.after) } : { owned: c.owned! }]),
  );
}

async function runAction(target: Target, action: Action, facts: Facts): Promise<void> {
  const argv = action.root && facts.sudo === 'passwordless' ? ['sudo', '-n', ...action.argv] : action.argv;
  const result = await target.run(argv, action.env ? { env: action.env } : {});
  if (result.code !== 0) {
    const why = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
    throw new OperationError(`\`${argv.join(' ')}\` failed on ${target.label} (exit ${result.code}): ${why}`);
  }
}

export async function applyPlan(plan: Plan, target: Target, options: ApplyOptions): Promise<ApplyResult> {
  const progress = options.progress ?? (() => {});
  const now = options.now ?? new Date();
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const result: ApplyResult = { written: [], backups: [], ran: [], stateWritten: false };
  const final: Change[] = [];

  for (const planned of plan.changes) {
    let change = planned;
    if (planned.op !== 'unchanged' && planned.artifact.kind !== 'file') {
      // Claude Code may have rewritten a shared file since the plan was made: merge into what is there now.
      change = computeChange(planned.artifact, await readCurrent(target, planned.artifact), plan.previous);
    }
    final.push(change);
    if (change.op === 'unchanged') continue;
    if (change.before !== undefined && change.artifact.display !== 'summary') {
      const backup = posix.join(plan.layout.backupsDir, stamp, change.artifact.path);
      await target.writeAtomic(backup, change.before, 0o600); // a backup may hold a secret
      result.backups.push(backup);
    }
    await target.writeAtomic(change.artifact.path, change.after, change.mode);
    result.written.push(change);
    progress(`${change.op === 'create' ? 'created' : 'updated'} ${change.artifact.path}`);
  }

  const files = stateRecords(final);
  const state = (pendingEffects: Effect[]): ApplyState => ({
    format: 1,
    buddyInit: options.buddyInit,
    name: options.name,
    appliedAt: now.toISOString(),
    files,
    pendingEffects,
  });
  const previous = plan.previous;
  const recordChanged = !previous || !jsonEqual(previous.files, files) || previous.pendingEffects.length > 0;
  if (plan.actions.length) {
    // Written before the commands run: if one fails, the next apply still knows what is owed.
    await writeApplyState(target, plan.layout.applyState, state(plan.effects));
    for (const action of plan.actions) {
      progress(`running ${action.argv.join(' ')}`);
      await runAction(target, action, options.facts);
      result.ran.push(action);
    }
  }
  if (recordChanged || plan.actions.length) {
    await writeApplyState(target, plan.layout.applyState, state([]));
    result.stateWritten = true;
  }
  return result;
}
