/**
 * Files that run or steer programs outside the agent's own work: a tool call may read them, never write
 * them. One table for both locks: the hook denies every write route to them (redirections, `--output=`,
 * `-o`, copies and links), the OS sandbox makes them read-only (its denyWrite). Paths are relative to
 * the home folder; a folder covers everything in it. Each would plant code that runs outside the
 * sandbox (Bun is what the chat plugins run on; the supervisor's tmux reads tmux's config), so none is
 * writable, even when the workdir is the home folder.
 */
export const HOME_PROTECTED: ReadonlyArray<{ why: string; paths: readonly string[] }> = [
  {
    why: 'a shell start-up file (it runs in every new shell)',
    paths: ['.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zprofile', '.zshenv', '.zlogin', '.zlogout', '.config/fish', '.pam_environment'],
  },
  { why: "SSH's keys and the keys allowed to log in", paths: ['.ssh', '.gnupg'] },
  { why: 'what starts programs at login and boot', paths: ['.config/systemd', '.local/share/systemd', '.config/environment.d', '.config/autostart', 'Library/LaunchAgents'] },
  { why: "buddy-init's own runtime, settings and state", paths: ['.config/buddy-init', '.local/share/buddy-init', '.local/state/buddy-init'] },
  { why: "Claude Code's settings, state and programs", paths: ['.claude', '.claude.json', '.local/bin', '.local/share/claude', '.bun', '.npm-global'] },
  { why: 'configuration that runs programs (tmux, git)', paths: ['.tmux.conf', '.config/tmux', '.gitconfig', '.config/git'] },
];

/** Claude Code's settings in any project folder: they carry the permission rules and the hook itself. */
export const PROJECT_SETTINGS = /(^|\/)\.claude\/settings(\.local)?\.json$/;
