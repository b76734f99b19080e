/**
 * The hook's policy file, rendered from the recipe's `hook:` section. The hook reads it on every call,
 * so a posture change takes effect on the next tool call without restarting anything.
 */
import { readFileSync } from 'node:fs';

export interface HookConfig {
  /** Commands treated as read-only in addition to the built-in table. */
  safeVerbs: string[];
  /** Commands that are read-only only with one of these subcommands. */
  subcommandSafe: Record<string, string[]>;
  /** Commands (or "command subcommand") denied outright. */
  hardDeny: string[];
  /** Files a command may not even read without asking (bot tokens, auth env). */
  protectedPaths: string[];
  /** The rendered settings' Bash allow rules (`Bash(git log *)`): a line one would approve is never left to it. */
  allowRules?: string[];
  /** Claude Code's OS sandbox contains every command (then silence leaves the line to the sandbox). */
  sandboxed?: boolean;
  /** JSON-lines audit log, or absent for none. */
  auditLog?: string;
}

export const EMPTY_HOOK_CONFIG: HookConfig = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [] };

export function readHookConfig(path: string): HookConfig {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<HookConfig>;
  return { ...EMPTY_HOOK_CONFIG, ...raw };
}
