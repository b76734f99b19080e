/**
 * An apply's record on the target (record/state.ts), written at three moments: before any file is
 * touched, before the follow-up commands run, and at the end. Whatever cuts an apply short (a kill, a
 * full disk, a failed command), the record left behind lets the next apply finish the job and uninstall
 * take out all of buddy-init's part.
 */
import type { Effect } from '../../render/index.js';
import { jsonEqual } from '../../runtime/shared/json.js';
import type { Target } from '../../target/index.js';
import type { Change } from '../compute/change.js';
import type { Plan } from '../compute/plan.js';
import { stateRecords } from '../compute/records.js';
import { storeSealKey } from '../record/seal.js';
import { intentRecords, writeApplyState, type ApplyState } from '../record/state.js';

export class ApplyJournal {
  private readonly base: Omit<ApplyState, 'files' | 'pendingEffects'>;

  constructor(
    private readonly target: Target,
    private readonly plan: Plan,
    who: { buddyInit: string; name: string; now: Date },
  ) {
    this.base = { format: 2, buddyInit: who.buddyInit, name: who.name, appliedAt: who.now.toISOString(), ...(plan.origin ? { origin: plan.origin } : {}) };
  }

  /**
   * Write-ahead: the record claims what the last apply owned and what this one will own, marked
   * interrupted until the end. The sealing key goes first: a record sealed with a key that was never
   * stored could not be read back.
   */
  async open(): Promise<void> {
    const { plan } = this;
    if (plan.sealKeyCreated) await storeSealKey(this.target, plan.layout, plan.sealer);
    if (!plan.changes.some((c) => c.op !== 'unchanged') && !plan.remove.length && !plan.renamed) return;
    const pendingEffects = [...new Set([...(plan.previous?.pendingEffects ?? []), ...plan.effects])];
    const files = intentRecords(plan.previous?.files ?? {}, stateRecords(plan.changes, plan.sealer, plan.previous?.files));
    await writeApplyState(this.target, plan.layout.applyState, { ...this.base, files, pendingEffects, interrupted: true });
  }

  /**
   * The files as written, with the plan's effects still owed: if a command fails, the next apply knows.
   * `stillThere`: leftovers not removed yet, kept on record so that the next apply removes them.
   */
  async owe(final: Change[], stillThere: string[]): Promise<void> {
    const kept = Object.fromEntries(stillThere.flatMap((path) => (this.plan.previous?.files[path] ? [[path, this.plan.previous.files[path]]] : [])));
    await writeApplyState(this.target, this.plan.layout.applyState, { ...this.base, files: { ...this.records(final), ...kept }, pendingEffects: this.plan.effects });
  }

  /** The record of what was applied, nothing owed; written only when it differs. Returns whether it was. */
  async close(final: Change[], ranCommands: boolean): Promise<boolean> {
    const files = this.records(final);
    const previous = this.plan.previous;
    const changed = !previous || previous.legacy || previous.interrupted || !jsonEqual(previous.files, files) || previous.pendingEffects.length > 0;
    if (!changed && !ranCommands) return false;
    await writeApplyState(this.target, this.plan.layout.applyState, { ...this.base, files, pendingEffects: [] as Effect[] });
    return true;
  }

  private records(final: Change[]) {
    return stateRecords(final, this.plan.sealer, this.plan.previous?.files);
  }
}
