/**
 * The supervisor's config file, rendered by buddy-init on the laptop and read here on the target.
 * This module is the contract between the two sides.
 */
import { readFileSync } from 'node:fs';

export interface SupervisorConfig {
  /** Buddy name (for logs). */
  name: string;
  /** tmux session name. */
  session: string;
  /** tmux socket name (`tmux -L`), so the buddy's server is not the user's own tmux server. */
  tmuxSocket: string;
  workdir: string;
  claude: {
    bin: string;
    args: string[];
    /** Channel plugin ids, passed as `--channels plugin:<id> ...`. */
    channels: string[];
  };
  /** Secrets file (KEY='value' lines, mode 0600) sourced by the pane's shell; never put in argv. */
  envFile?: string;
  /** Non-secret environment for claude. */
  env: Record<string, string>;
  /** PATH for tmux and claude (init systems start with a minimal one). */
  path: string;
  tickSeconds: number;
  /** When running under systemd with WatchdogSec; WATCHDOG=1 goes out every half of it. */
  watchdogSeconds?: number;
  backoffMaxSeconds: number;
  /** Seconds claude gets to flush after /exit before the session is killed. */
  exitGraceSeconds: number;
  /** Where the supervisor keeps the pinned session id and its status file. */
  stateDir: string;
  /** ~/.claude.json, whose trust and first-run flags are re-asserted before every start. */
  claudeJson: string;
  /** Key of the workdir in ~/.claude.json's projects (the git root when the workdir is in a repo). */
  trustKey: string;
  /** Start the tmux server in its own systemd scope so the unit's cgroup kill cannot reach it. */
  scope: boolean;
  /** The chat channels whose plugin server is watched and healed, and whose users are told (absent: none). */
  channelWatch?: ChannelWatch[];
  /** Seconds a freshly started claude gets to start its plugin servers (the first start runs bun install). */
  pluginGraceSeconds?: number;
  /** Seconds /reload-plugins gets to bring a plugin server back before claude is restarted. */
  reloadWaitSeconds?: number;
  /** Seconds a chat message may sit unsent in claude's input box (nobody able to type) before Enter. */
  unsentDraftSeconds?: number;
  /** Seconds a recurring scheduled task may be past its time, claude idle, before the owner is told. */
  scheduleGraceSeconds?: number;
  /** Seconds a prompt may wait for a person (allow or deny a tool call, a host) before the owner is told out of band. */
  promptWaitSeconds?: number;
  /** Folders the sandbox lets the agent write, created before each start (the sandbox skips a missing one). */
  sandboxDirs?: string[];
}

export interface ChannelWatch {
  /** The plugin, name@marketplace. */
  plugin: string;
  app: 'discord' | 'telegram';
  /** The bot token's .env, which the plugin reads (KEY=value lines). */
  tokenFile: string;
  tokenVariable: string;
  /** User ids told of incidents out of band (empty: nobody). */
  alertTo: string[];
}

export function readSupervisorConfig(path: string): SupervisorConfig {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<SupervisorConfig>;
  for (const key of ['name', 'session', 'tmuxSocket', 'workdir', 'claude', 'stateDir', 'claudeJson', 'trustKey'] as const) {
    if (raw[key] === undefined) throw new Error(`${path}: missing "${key}"`);
  }
  return raw as SupervisorConfig;
}
