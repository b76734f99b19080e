/**
 * Keeps one claude alive in one tmux session, in one pinned conversation.
 *
 * - adopts a running session (after its own crash or SIGKILL) instead of starting another;
 * - hears of claude's death at once through tmux's pane-died hook (SIGUSR1), with a periodic check as the
 *   backstop, and respawns it, backing off when it keeps crashing;
 * - reports READY=1 and WATCHDOG=1 to systemd, the latter only while its own loop is healthy;
 * - watches the chat plugins' servers under claude and heals a deaf chat (channelHealth.ts), and the
 *   screen for states claude is stuck in (stuck.ts), telling the owner out of band (owner.ts);
 * - lists claude's scheduled tasks and tells the owner of one that did not fire (schedule.ts);
 * - on SIGTERM asks claude to /exit so the transcript is flushed, then ends the session.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic.js';
import { assertUnattendedFlags, unattendedFlags } from '../shared/claudeState.js';
import { withConfigLockSync } from '../shared/configLock.js';
import { CLAUDE_COMMANDS } from '../shared/claudeProcess.js';
import { scheduledTasksFile } from '../shared/cron.js';
import { parseShellEnv, shellWord } from '../shared/shell.js';
import { ChannelHealth, forgetFailedServers, type PluginHealth } from './channelHealth.js';
import type { SupervisorConfig } from './config.js';
import { Notifier } from './notify.js';
import { DraftWatch, plainText, type DraftSent } from './drafts.js';
import { OwnerAlerts, type Alert } from './owner.js';
import { ScheduleWatch, type ScheduleEntry } from './schedule.js';
import { findTranscript, SessionPin } from './session.js';
import { StuckWatch, type StuckState } from './stuck.js';
import { processIsGone, Tmux } from './tmux.js';

/** A claude that lived less than this crashed on start; repeated, that is a crash loop. */
const QUICK_DEATH_MS = 10_000;
/** How long the supervisor waits for Claude Code's lock on ~/.claude.json before it starts claude unchecked. */
const SUPERVISOR_LOCK_PATIENCE_MS = 2_000;
/** Time a fresh pane gets to exec claude before its foreground command is judged. */
const START_GRACE_MS = 5_000;
/** How often the pane's process is asked of the kernel (a syscall, no process spawned). */
const LIVENESS_MS = 1_000;
/** How often the chat plugins' servers are looked for (one `ps`), when the buddy has a chat. */
const CHANNEL_HEALTH_MS = 5_000;

export interface Status {
  pid: number;
  name: string;
  session: string;
  sessionId?: string;
  state: 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped';
  startedAt: string;
  claudeStartedAt?: string;
  restarts: number;
  lastExit?: { at: string; reason: string };
  /** Each chat plugin's server and its last heal. */
  channels?: PluginHealth[];
  /** The last message to the owner through the chat platform's API. */
  lastAlert?: Alert;
  /** A screen claude is stuck on (a dialog, refused credentials, the usage limit). */
  stuck?: StuckState;
  /** The last chat message the supervisor found unsent in the input box and sent. */
  draftSent?: DraftSent;
  /** Claude Code's scheduled tasks in this buddy's project and conversation. */
  schedule?: ScheduleEntry[];
  updatedAt: string;
}

export type Log = (message: string) => void;

/** The environment tmux and claude inherit: ours without systemd's notification variables. */
export function childEnvironment(config: SupervisorConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PATH: config.path || env.PATH };
  for (const key of Object.keys(out)) {
    if (key === 'NOTIFY_SOCKET' || key.startsWith('WATCHDOG_')) delete out[key];
  }
  return out;
}

export class Supervisor {
  private readonly tmux: Tmux;
  private readonly pin: SessionPin;
  private readonly notifier: Notifier;
  private readonly childEnv: NodeJS.ProcessEnv;
  private readonly home: string;
  private readonly status: Status;
  private checkTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly alerts: OwnerAlerts;
  private readonly health: ChannelHealth;
  private readonly stuck: StuckWatch;
  private readonly drafts: DraftWatch;
  private readonly tasks: ScheduleWatch;
  private panePid = 0;
  private checking: Promise<void> | undefined;
  private recheck = false;
  private stopping = false;
  private claudeStartedAt = 0;
  private quickDeaths = 0;
  private backoffUntil = 0;
  private lastHealthyAt = Date.now();

  constructor(
    private readonly config: SupervisorConfig,
    private readonly log: Log,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.home = env.HOME || homedir();
    // Claude gets the recipe's timezone; the supervisor reads the schedule's times in the same one.
    if (config.env.TZ) process.env.TZ = config.env.TZ;
    this.childEnv = childEnvironment(config, env);
    this.tmux = new Tmux(config.tmuxSocket, config.session, this.childEnv);
    this.pin = new SessionPin(join(config.stateDir, 'session.json'));
    this.notifier = new Notifier(env);
    const watched = config.channelWatch ?? [];
    this.alerts = new OwnerAlerts(watched, log, env);
    this.health = new ChannelHealth(
      config.name,
      watched,
      { home: this.home, workdir: config.workdir },
      { graceMs: (config.pluginGraceSeconds ?? 45) * 1000, reloadWaitMs: (config.reloadWaitSeconds ?? 15) * 1000 },
      this.tmux,
      this.alerts,
      { restartClaude: (reason) => this.restartClaude(reason), log },
      this.childEnv,
    );
    this.stuck = new StuckWatch(config.name, this.alerts, { restartClaude: (reason) => this.restartClaude(reason), pressEnter: () => this.tmux.pressEnter(), log }, (config.promptWaitSeconds ?? 600) * 1000);
    this.drafts = new DraftWatch((config.unsentDraftSeconds ?? 60) * 1000, { pressEnter: () => this.tmux.pressEnter(), log });
    // At Claude Code's project root: the git root when the workdir is in a repository (the trust key).
    this.tasks = new ScheduleWatch(config.name, scheduledTasksFile(config.trustKey), this.alerts, log, (config.scheduleGraceSeconds ?? 120) * 1000);
    const now = new Date().toISOString();
    this.status = { pid: process.pid, name: config.name, session: config.session, state: 'starting', startedAt: now, restarts: 0, updatedAt: now };
  }

  async start(): Promise<void> {
    const pane = await this.tmux.pane();
    if (pane) {
      this.log(`adopting the running tmux session "${this.config.session}" (socket ${this.config.tmuxSocket})`);
      await this.tmux.configure(process.pid);
      if (!pane.dead) this.claudeStartedAt = Date.now() - QUICK_DEATH_MS; // alive: not a fresh start
      await this.check();
    } else {
      await this.startSession('no tmux session');
    }
    this.status.state = 'running';
    this.writeStatus();
    if (await this.notifier.send('READY=1', 'STATUS=claude is running')) this.log('told systemd READY=1');
    this.schedule();
  }

  private schedule(): void {
    this.checkTimer = setInterval(() => this.requestCheck(), this.config.tickSeconds * 1000);
    // The fast path besides tmux's pane-died hook, which a tmux that misses SIGCHLD never fires.
    this.livenessTimer = setInterval(() => {
      if (this.panePid && processIsGone(this.panePid)) this.requestCheck();
    }, LIVENESS_MS);
    if (this.config.channelWatch?.length) this.healthTimer = setInterval(() => this.requestCheck(), CHANNEL_HEALTH_MS);
    if (this.config.watchdogSeconds && this.notifier.enabled) {
      const every = (this.config.watchdogSeconds * 1000) / 2;
      this.pingTimer = setInterval(() => {
        // Ping only while the loop itself is healthy: a wedged loop must let systemd's watchdog fire.
        if (Date.now() - this.lastHealthyAt < this.config.watchdogSeconds! * 1000) void this.notifier.send('READY=1', 'WATCHDOG=1');
      }, every);
    }
  }

  /** Runs a check now (tmux's pane-died hook sends SIGUSR1), coalescing requests that overlap. */
  requestCheck(): void {
    if (this.stopping) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = this.check()
      .catch((err: Error) => this.log(`check failed: ${err.message}`))
      .finally(() => {
        this.checking = undefined;
        if (this.recheck) {
          this.recheck = false;
          this.requestCheck();
        }
      });
  }

  private async check(): Promise<void> {
    if (this.stopping) return;
    const pane = await this.tmux.pane();
    if (!pane) {
      await this.startSession('the tmux session is gone');
    } else if (pane.dead || processIsGone(pane.pid)) {
      const how = pane.deadSignal ? ` (signal ${pane.deadSignal})` : pane.deadStatus !== undefined ? ` with status ${pane.deadStatus}` : '';
      await this.respawn(`claude exited${how}`);
    } else if (!CLAUDE_COMMANDS.has(pane.command) && Date.now() - this.claudeStartedAt > START_GRACE_MS) {
      await this.respawn(`the pane runs "${pane.command}" instead of claude`);
    } else {
      this.panePid = pane.pid;
      this.pin.noticeTranscript(this.home, this.config.workdir);
      if (Date.now() - this.claudeStartedAt > 6 * QUICK_DEATH_MS) this.quickDeaths = 0;
      await this.health.tick(pane.pid, this.claudeStartedAt);
      // A fresh claude draws its first screen; judge it after that.
      if (Date.now() - this.claudeStartedAt > START_GRACE_MS) await this.lookAtScreen();
    }
    this.lastHealthyAt = Date.now();
    this.writeStatus();
  }

  /** What claude's screen says: stuck on something, (with a chat) a message left unsent, mid-turn or idle for its scheduled tasks. */
  private async lookAtScreen(): Promise<void> {
    const raw = await this.tmux.capture();
    const text = plainText(raw);
    const busy = /esc to interrupt/.test(text);
    await this.stuck.look(text);
    if (this.config.channelWatch?.length) await this.drafts.look(raw, await this.tmux.writerAttached(), busy);
    const sessionId = this.pin.current?.sessionId;
    await this.tasks.look(sessionId ? findTranscript(this.home, this.config.workdir, sessionId) : undefined, busy || this.stuck.state !== undefined);
  }

  /** The shell line the pane runs: secrets come from the env file, never from argv. */
  /** The pane's command, and what to do once it runs (pin the conversation it was started in). */
  private paneCommand(): { command: string; running: () => void } {
    this.reassertFlags();
    this.clearFailedServerMarks();
    this.makeSandboxDirs();
    const { args: sessionArgs, note, next } = this.pin.startArgs(this.home, this.config.workdir);
    if (note) this.log(note);
    const { claude } = this.config;
    const argv = [claude.bin, ...claude.args, ...sessionArgs];
    if (claude.channels.length) argv.push('--channels', ...claude.channels.map((c) => `plugin:${c}`));
    const exports = Object.entries(this.config.env).map(([k, v]) => `export ${k}=${shellWord(v)}; `).join('');
    const secrets = this.config.envFile ? `set -a; . ${shellWord(this.config.envFile)}; set +a; ` : '';
    const running = () => {
      this.pin.commit(next);
      this.status.sessionId = this.pin.current?.sessionId;
    };
    return { command: `${exports}${secrets}exec ${argv.map(shellWord).join(' ')}`, running };
  }

  /** The sandbox opens for writing only folders that exist when a command starts (a toolchain's cache may not yet). */
  private makeSandboxDirs(): void {
    for (const dir of this.config.sandboxDirs ?? []) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        this.log(`could not create ${dir}, which the sandbox lets the agent write: ${(err as Error).message}`);
      }
    }
  }

  private clearFailedServerMarks(): void {
    try {
      const cleared = forgetFailedServers(this.home, this.config.claude.channels);
      if (cleared.length) this.log(`cleared Claude Code's "failed" mark on ${cleared.join(', ')} (mcp-needs-auth-cache.json), so claude starts the chat plugin's server again`);
    } catch (err) {
      this.log(`could not clear Claude Code's failed-server marks: ${(err as Error).message}`);
    }
  }

  private reassertFlags(): void {
    try {
      let apiKey: string | undefined;
      if (this.config.envFile && existsSync(this.config.envFile)) {
        apiKey = parseShellEnv(readFileSync(this.config.envFile, 'utf8')).ANTHROPIC_API_KEY;
      }
      // Under Claude Code's own lock, as another session of it may be writing the file; briefly, since
      // the supervisor's loop (and systemd's watchdog) waits meanwhile.
      const flags = unattendedFlags(this.config.trustKey, apiKey);
      const fixed = withConfigLockSync(this.config.claudeJson, SUPERVISOR_LOCK_PATIENCE_MS, () => assertUnattendedFlags(this.config.claudeJson, flags));
      if (fixed.length) this.log(`restored ${fixed.join(', ')} in ${this.config.claudeJson}`);
    } catch (err) {
      this.log(`could not check ${this.config.claudeJson}: ${(err as Error).message}; claude may stop at a dialog`);
    }
  }

  private tmuxConfigFile(): string {
    const file = join(this.config.stateDir, 'tmux.conf');
    // remain-on-exit from the very first pane, so a claude that dies at once still leaves a dead pane
    // (and fires pane-died) instead of taking the session with it.
    const text = [
      '# Written by the buddy-init supervisor; read when the buddy\'s tmux server starts.',
      'set -g remain-on-exit on',
      'set -g history-limit 20000',
      `set-hook -g pane-died 'run-shell "kill -USR1 ${process.pid} 2>/dev/null || true"'`,
      '',
    ].join('\n');
    writeFileAtomicSync(file, text, 0o600);
    return file;
  }

  private async startSession(reason: string): Promise<void> {
    if (this.inBackoff()) return;
    this.log(`starting tmux session "${this.config.session}" (${reason})`);
    const { command, running } = this.paneCommand();
    const config = this.tmuxConfigFile();
    let result;
    if (this.config.scope) {
      // Its own transient scope keeps the tmux server out of the service's cgroup, so stopping or
      // killing the supervisor never takes the conversation down with it.
      const unit = `buddy-init-${this.config.name}-tmux-${Date.now()}`;
      result = await this.tmux.newSession(command, this.config.workdir, config, ['systemd-run', '--user', '--scope', '--quiet', '--collect', `--unit=${unit}`]);
      if (result.code !== 0) {
        this.log(`systemd-run --scope failed (${result.stderr.trim()}); starting tmux in the service's own cgroup`);
        result = await this.tmux.newSession(command, this.config.workdir, config);
      }
    } else {
      result = await this.tmux.newSession(command, this.config.workdir, config);
    }
    if (result.code !== 0) throw new Error(`tmux new-session failed: ${result.stderr.trim()}`);
    running();
    await this.tmux.configure(process.pid);
    await this.started();
  }

  /**
   * Restarts claude in its pane. Quick exits in a row are a crash loop: the pause before the next start
   * doubles each time (up to backoffMaxSeconds) and the log says so.
   */
  private async respawn(reason: string): Promise<void> {
    if (this.inBackoff()) return;
    if (this.backoffUntil) {
      this.backoffUntil = 0; // the pause is over; this is the start it was waiting for
    } else {
      const lived = Date.now() - this.claudeStartedAt;
      this.status.lastExit = { at: new Date().toISOString(), reason };
      this.quickDeaths = lived < QUICK_DEATH_MS ? this.quickDeaths + 1 : 0;
      if (this.quickDeaths >= 2) {
        const delay = Math.min(2 ** (this.quickDeaths - 2), this.config.backoffMaxSeconds);
        this.backoffUntil = Date.now() + delay * 1000;
        this.log(`${reason}; claude keeps crashing (${this.quickDeaths} quick exits in a row), waiting ${delay}s before starting it again`);
        this.status.state = 'backoff';
        setTimeout(() => this.requestCheck(), delay * 1000 + 10).unref();
        return;
      }
      this.log(`${reason}; restarting claude`);
    }
    await this.respawnPane();
  }

  /** Restarts a live claude in the same pinned conversation (a heal, not a crash: no backoff counted). */
  private async restartClaude(reason: string): Promise<void> {
    this.log(`${reason}; restarting claude in the same conversation`);
    this.status.lastExit = { at: new Date().toISOString(), reason };
    await this.respawnPane();
  }

  /** A new claude in the pane (the old one killed), started the way every start is. */
  private async respawnPane(): Promise<void> {
    const { command, running } = this.paneCommand();
    const r = await this.tmux.respawn(command, this.config.workdir);
    if (r.code !== 0) throw new Error(`tmux respawn-pane failed: ${r.stderr.trim()}`);
    running();
    await this.started();
  }

  private inBackoff(): boolean {
    return this.backoffUntil > Date.now();
  }

  private async started(): Promise<void> {
    this.panePid = (await this.tmux.pane())?.pid ?? 0;
    this.claudeStartedAt = Date.now();
    this.tasks.claudeStarted(this.claudeStartedAt);
    this.status.restarts += this.status.claudeStartedAt ? 1 : 0;
    this.status.claudeStartedAt = new Date(this.claudeStartedAt).toISOString();
    this.status.state = 'running';
    this.writeStatus();
  }

  private writeStatus(): void {
    this.status.updatedAt = new Date().toISOString();
    if (this.config.channelWatch?.length) this.status.channels = this.health.report;
    if (this.alerts.last) this.status.lastAlert = this.alerts.last;
    this.status.stuck = this.stuck.state;
    if (this.drafts.last) this.status.draftSent = this.drafts.last;
    const schedule = this.tasks.entries;
    this.status.schedule = schedule.length ? schedule : undefined;
    try {
      writeFileAtomicSync(join(this.config.stateDir, 'status.json'), `${JSON.stringify(this.status, null, 2)}\n`, 0o600);
    } catch (err) {
      this.log(`cannot write the status file: ${(err as Error).message}`);
    }
  }

  /** SIGTERM: /exit lets claude write its transcript; then the session ends and the supervisor exits. */
  async stop(signal: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.checkTimer);
    clearInterval(this.pingTimer);
    clearInterval(this.livenessTimer);
    clearInterval(this.healthTimer);
    this.status.state = 'stopping';
    this.writeStatus();
    this.log(`${signal}: asking claude to /exit`);
    await this.notifier.send('STOPPING=1');
    await this.checking;
    const pane = await this.tmux.pane();
    if (pane && !pane.dead) {
      await this.tmux.sendLine('/exit');
      const deadline = Date.now() + this.config.exitGraceSeconds * 1000;
      while (Date.now() < deadline) {
        const p = await this.tmux.pane();
        if (!p || p.dead) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const p = await this.tmux.pane();
      this.log(p && !p.dead ? `claude did not exit within ${this.config.exitGraceSeconds}s; ending the session` : 'claude exited');
    }
    await this.tmux.killSession();
    this.status.state = 'stopped';
    this.writeStatus();
  }
}
