/**
 * Where everything lives on the target. One place, so render, plan, status and uninstall agree.
 * buddy-init follows the XDG layout on both Linux and macOS: config in ~/.config, state in
 * ~/.local/state, the runtime in ~/.local/share.
 */
import { posix } from 'node:path';
import type { Recipe } from '../recipe/index.js';
import type { Facts } from '../target/index.js';
import { scheduledTasksFile } from '../runtime/shared/cron.js';
import type { ChannelName } from '../recipe/index.js';

const { join } = posix;

export type InitKind = 'systemd-user' | 'launchd-agent' | 'launchd-daemon';

export interface Layout {
  home: string;
  workdir: string;
  /** Key of the workdir in ~/.claude.json's projects: the git root when the workdir is in a repo. */
  trustKey: string;
  init: InitKind;
  /** systemd unit name, or launchd label. */
  serviceName: string;
  /** The buddy's own tmux server (`tmux -L <socket>`) and its one session. */
  tmuxSocket: string;
  session: string;
  servicePath: string;
  configDir: string;
  supervisorConfig: string;
  hookConfig: string;
  /** Claude Code settings of buddy-init's own (the sandbox), handed to claude with --settings. */
  claudeSettings: string;
  /** The agent's git ignores what the sandbox plants in its folder (core.excludesFile, set in claude's environment). */
  sandboxGitIgnore: string;
  authEnv: string;
  stateDir: string;
  /** buddy-init's record of what it applied (for three-way merges and uninstall). */
  applyState: string;
  backupsDir: string;
  runtimeDir: string;
  supervisorBundle: string;
  hookBundle: string;
  auditLog: string;
  settingsLocal: string;
  /**
   * Claude Code's durable scheduled tasks for claude's project: the git root when the workdir is in a
   * repository (measured with 2.1.197 and 2.1.332), else the workdir. The recipe's schedule goes here.
   */
  scheduledTasks: string;
  claudeJson: string;
  /**
   * The chat plugin's state folder for this buddy (token, allowlist, inbox): its own, so two buddies of
   * one user on the same app do not share a token and an allowlist. claude gets it as
   * DISCORD_STATE_DIR / TELEGRAM_STATE_DIR, which the plugins read.
   */
  channelDir(channel: ChannelName): string;
  /** The plugin's default folder, where buddy-init versions before 0.1 put the channel's files. */
  sharedChannelDir(channel: ChannelName): string;
  /** launchd has no journal: the supervisor's stdout and stderr go here. */
  logFile: string;
}

export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

export function resolveInitKind(recipe: Recipe, os: Facts['os']): InitKind {
  if (recipe.init.kind !== 'auto') return recipe.init.kind;
  return os === 'macos' ? 'launchd-daemon' : 'systemd-user';
}

export function layoutFor(recipe: Recipe, facts: Facts, runtimeVersion: string): Layout {
  const home = facts.home;
  const workdir = expandHome(recipe.workdir, home);
  const init = resolveInitKind(recipe, facts.os);
  const configDir = join(home, '.config', 'buddy-init', recipe.name);
  const stateDir = join(home, '.local', 'state', 'buddy-init', recipe.name);
  const runtimeDir = join(home, '.local', 'share', 'buddy-init', runtimeVersion);
  const label = `com.buddy-init.${recipe.name}`;
  const servicePath =
    init === 'systemd-user'
      ? join(home, '.config', 'systemd', 'user', `${recipe.name}.service`)
      : init === 'launchd-agent'
        ? join(home, 'Library', 'LaunchAgents', `${label}.plist`)
        : join('/Library', 'LaunchDaemons', `${label}.plist`);
  const trustKey = facts.workdirGitRoot ?? workdir;
  return {
    home,
    workdir,
    trustKey,
    init,
    serviceName: init === 'systemd-user' ? `${recipe.name}.service` : label,
    tmuxSocket: `buddy-init-${recipe.name}`,
    session: recipe.supervisor.session ?? recipe.name,
    servicePath,
    configDir,
    supervisorConfig: join(configDir, 'supervisor.json'),
    hookConfig: join(configDir, 'hook.json'),
    claudeSettings: join(configDir, 'claude-settings.json'),
    sandboxGitIgnore: join(configDir, 'sandbox.gitignore'),
    authEnv: join(configDir, 'auth.env'),
    stateDir,
    applyState: join(stateDir, 'apply-state.json'),
    backupsDir: join(stateDir, 'backups'),
    runtimeDir,
    supervisorBundle: join(runtimeDir, 'supervisor.mjs'),
    hookBundle: join(runtimeDir, 'hook.cjs'),
    auditLog: join(stateDir, 'hook-audit.jsonl'),
    settingsLocal: join(workdir, '.claude', 'settings.local.json'),
    scheduledTasks: scheduledTasksFile(trustKey),
    claudeJson: join(home, '.claude.json'),
    channelDir: (channel) => join(home, '.claude', 'channels', channel, 'buddies', recipe.name),
    sharedChannelDir: (channel) => join(home, '.claude', 'channels', channel),
    logFile: join(home, 'Library', 'Logs', 'buddy-init', `${recipe.name}.log`),
  };
}
