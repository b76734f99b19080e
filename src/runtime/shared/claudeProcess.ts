/**
 * How claude shows in its tmux pane (pane_current_command while it runs): its native binary, its Node.js
 * launcher (npm layout), or Bun (a plugin's server in the foreground). The supervisor judges the pane by
 * it, and status reports claude running by it: one list, so they never disagree.
 */
export const CLAUDE_COMMANDS: ReadonlySet<string> = new Set(['claude', 'node', 'bun']);
