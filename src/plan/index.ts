/** Compare artifacts with a target (plan), then make the target match (apply). */
export { planChanges, planIsEmpty, type Plan } from './plan.js';
export { computeChange, decodeText, sha256, type Change, type ChangeOp } from './change.js';
export { applyPlan, type ApplyResult, type ApplyOptions } from './apply.js';
export { mergeManaged, describeEntry, type MergeResult, type MergeEntry } from './merge.js';
export { parseEnvFile, renderEnvFile } from './envfile.js';
export { readApplyState, type ApplyState } from './state.js';
export { Redactor, unifiedDiff, REDACTED } from './diff.js';
export type { Action } from './actions.js';
export { planUninstall, applyUninstall, uninstallSummary, NothingInstalled, type UninstallPlan } from './uninstall.js';
export { pluginRoots, pluginVersions, readPluginRecords, type PluginRecords, type WantedPlugin } from './plugins.js';
export { RootRunner } from './apply.js';
export { acquireLock, lockPath, type HeldLock } from './lock.js';
