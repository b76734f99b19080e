/**
 * What render produces and plan/apply consume: one entry per file on the target.
 */
import type { Json as JsonValue, JsonRecord as JsonObject, ManagedJson } from '../runtime/shared/json.js';

export type { JsonValue, JsonObject, ManagedJson };

/** What has to happen on the target after an artifact changed. */
export type Effect =
  /** The init system must re-read its unit files (systemctl daemon-reload, launchctl bootstrap). */
  | 'reload-init'
  /** The supervisor (and so claude) must restart to pick the change up. */
  | 'restart-buddy';

/** How plan shows a change: a diff, a diff with every secret masked, or only size and hash. */
export type Display = 'diff' | 'secret' | 'summary';

interface ArtifactBase {
  /** Absolute path on the target. */
  path: string;
  mode: number;
  /** One line for people: what this file is for. */
  description: string;
  effects: Effect[];
  display: Display;
  /** Only root may write it (a LaunchDaemon plist in /Library/LaunchDaemons): apply goes through sudo. */
  privileged?: boolean;
}

/** A file buddy-init owns entirely. */
export interface FileArtifact extends ArtifactBase {
  kind: 'file';
  content: string;
}

/** A file buddy-init shares: its managed part is merged into what is there (JSON or KEY=value lines). */
export interface MergeArtifact extends ArtifactBase {
  kind: 'json-merge' | 'env-merge';
  managed: ManagedJson;
  /** The lock directory the file's other writer takes around each write (Claude Code's, on ~/.claude.json): held while merging. */
  lock?: string;
}

export type Artifact = FileArtifact | MergeArtifact;
