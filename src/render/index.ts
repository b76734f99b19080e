/** recipe + facts -> Artifact[]: the files that make a buddy, and where they go. */
export { renderBuddy, scheduleTaskId, scrubsSubprocessEnv, storedSecretLocation, type Rendering, type RenderInputs, type RuntimeBundles } from './buddy.js';
export { layoutFor, expandHome, resolveInitKind, type Layout, type InitKind } from './layout.js';
export type { Artifact, FileArtifact, MergeArtifact, ManagedJson, JsonValue, JsonObject, Effect, Display } from './artifact.js';
