/** Compare artifacts with a target (plan), then make the target match (apply). */
export { planChanges, planIsEmpty, type Plan } from './compute/plan.js';
export { computeChange, decodeText, sha256, type Change, type ChangeOp } from './compute/change.js';
export { applyPlan, type ApplyResult, type ApplyOptions } from './write/apply.js';
export { mergeManaged, describeEntry, type MergeResult, type MergeEntry } from './compute/merge.js';
export { parseEnvFile, renderEnvFile } from './compute/envfile.js';
export { readApplyState, type ApplyState } from './record/state.js';
export { Redactor, unifiedDiff, REDACTED } from './compute/diff.js';
export type { Action } from './compute/actions.js';
export { planUninstall, uninstallSummary, NothingInstalled, type UninstallPlan } from './compute/uninstall.js';
export { applyUninstall } from './write/uninstall.js';
export { planRenameCleanup } from './compute/rename.js';
export { pluginRoots, pluginVersions, readPluginRecords, type PluginRecords, type WantedPlugin } from './compute/plugins.js';
export { RootRunner } from './write/rootRunner.js';
export { acquireLock, lockPath, type HeldLock } from './write/lock.js';
