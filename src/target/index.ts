/** Machines buddy-init acts on, and the facts it reads from them. */
export type { Target, CommandResult, RunOptions, FileInfo, Requirement } from './types.js';
export { LocalTarget, shownPath } from './local.js';
export { gatherFacts, parseProbe, type Facts, type Tool } from './facts.js';
export {
  checkRequirements,
  canScrubSubprocessEnv,
  MIN_VERSIONS,
  CLAUDE_VERSIONS,
  type ClaudeNeeds,
} from './requirements.js';
export { BWRAP_APPARMOR_PROFILE, sandboxRequirement, remoteHosts } from './sandbox.js';
export { bunHome, bunWork, type BunWanted, type BunWork } from './bun.js';
export { hostKeyRecorded, openSshTarget, resolveEndpoint, SshTarget, UnknownHostKey, type SshEndpoint } from './ssh/index.js';
export { assumedFacts, type Assumed, type Known } from './assumed.js';
export { readJson } from './readJson.js';
export { timeLimitSeconds, TIME_LIMITS, TIME_LIMIT_VARIABLE, type TimeLimitKind } from './timeLimit.js';
