/**
 * Whether the chat can still reach claude: each channel plugin's server (a child of claude) must run.
 * When one is gone the supervisor heals, least disruptive first, each step bounded:
 *   1. `/reload-plugins` typed into claude's pane (never while a person is attached with write access:
 *      they may be typing, and keys sent now would mix with theirs);
 *   2. after reloadWaitSeconds still gone: claude restarted in the same pinned conversation (--resume);
 *   3. after that claude's grace still gone: reported to the owner as needing them, and retried with a
 *      backoff (5 minutes, doubling to an hour), never in a loop.
 * A server that keeps being replaced (four starts in ten minutes) is reported too.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic.js';
import { isRecord } from '../shared/json.js';
import { parsePs, pluginRoots, pluginServerPids, PS_ARGV, readPluginRecords } from '../shared/plugins.js';
import type { ChannelWatch } from './config.js';
import type { OwnerAlerts } from './owner.js';
import { run, type Tmux } from './tmux.js';

const FLAP_WINDOW_MS = 10 * 60_000;
const FLAP_STARTS = 4;
const RETRY_FIRST_MS = 5 * 60_000;
const RETRY_MAX_MS = 60 * 60_000;

export interface PluginHealth {
  plugin: string;
  server?: { pid: number; since: string };
  /** The last heal: what was done, why, and whether it brought the server back. */
  lastHeal?: { at: string; action: 'reload-plugins' | 'restart claude' | 'reported'; why: string; healed?: boolean };
}

interface Incident {
  /** When the server was first missed. */
  since: number;
  step: 'reload' | 'restart' | 'reported' | 'cannot start';
  /** For 'cannot start': the program the server runs, which is missing. */
  launcher?: string;
  stepAt: number;
  retryMs: number;
}

export interface HealthHooks {
  /** Restarts claude in the pinned conversation. */
  restartClaude(reason: string): Promise<void>;
  log(message: string): void;
}

/**
 * Claude Code 2.1.332 marks an MCP server that failed to start in ~/.claude/mcp-needs-auth-cache.json
 * (key `plugin:<plugin name>:<server name>`) and then starts it no more: not on /reload-plugins, not in
 * a new claude, even once the cause is gone (measured: a stand-in plugin's server that exited at start,
 * then fixed). For the chat plugins, which need no auth, the mark only means "failed once": it is
 * cleared before every start of claude, so a restart is a real second chance. Returns the keys cleared.
 */
export function forgetFailedServers(home: string, plugins: string[]): string[] {
  const file = join(home, '.claude', 'mcp-needs-auth-cache.json');
  if (!plugins.length || !existsSync(file)) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return []; // Claude Code's own file, unreadable: left as it is
  }
  if (!isRecord(doc)) return [];
  const prefixes = plugins.map((id) => `plugin:${id.split('@')[0]}:`);
  const cleared = Object.keys(doc).filter((key) => prefixes.some((p) => key.startsWith(p)));
  if (!cleared.length) return [];
  for (const key of cleared) delete doc[key];
  writeFileAtomicSync(file, JSON.stringify(doc), statSync(file).mode & 0o777);
  return cleared;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export class ChannelHealth {
  private readonly state = new Map<string, PluginHealth>();
  private readonly incidents = new Map<string, Incident>();
  private readonly starts = new Map<string, number[]>();

  constructor(
    private readonly name: string,
    private readonly watched: ChannelWatch[],
    private readonly where: { home: string; workdir: string },
    private readonly timing: { graceMs: number; reloadWaitMs: number },
    private readonly tmux: Tmux,
    private readonly alerts: OwnerAlerts,
    private readonly hooks: HealthHooks,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    for (const w of watched) this.state.set(w.plugin, { plugin: w.plugin });
  }

  get report(): PluginHealth[] {
    return [...this.state.values()];
  }

  /** One look at the servers under the claude of pid `claudePid`, started at `claudeStartedAt`. */
  async tick(claudePid: number, claudeStartedAt: number): Promise<void> {
    if (!this.watched.length) return;
    const read = (path: string) => readFile(path, 'utf8').catch(() => undefined);
    const records = await readPluginRecords(read, this.where.home, this.where.workdir);
    const roots = await pluginRoots(read, records, this.watched.map((w) => w.plugin));
    const ps = await run(PS_ARGV, this.env);
    if (ps.code !== 0) return this.hooks.log(`cannot list processes (${ps.stderr.trim()}); chat plugin health unknown this time`);
    const pids = pluginServerPids(parsePs(ps.stdout), claudePid, roots);
    for (const [plugin, pid] of pids) await this.judge(plugin, pid, claudeStartedAt, roots.get(plugin) ?? []);
  }

  private async judge(plugin: string, pid: number | undefined, claudeStartedAt: number, roots: string[]): Promise<void> {
    const now = Date.now();
    const health = this.state.get(plugin)!;
    const incident = this.incidents.get(plugin);
    if (pid) {
      if (health.server?.pid !== pid) this.serverStarted(plugin, pid, now);
      if (incident) await this.healed(plugin, incident, now);
      return;
    }
    health.server = undefined;
    if (now - claudeStartedAt < this.timing.graceMs) return; // claude is still starting its servers
    // What nothing here can mend (the server's program is not installed) is reported, not retried.
    const missing = await this.missingLauncher(roots);
    if (missing) return this.cannotStart(plugin, incident, missing, now);
    if (incident?.step === 'cannot start') {
      this.hooks.log(`chat plugin ${plugin}: ${incident.launcher} is there now; healing`);
      this.incidents.delete(plugin);
      return this.judge(plugin, pid, claudeStartedAt, roots);
    }
    if (!incident) {
      this.incidents.set(plugin, { since: now, step: 'reload', stepAt: 0, retryMs: RETRY_FIRST_MS });
      this.hooks.log(`chat plugin ${plugin}: its server is not running under claude; the chat cannot reach it`);
      return this.reload(plugin);
    }
    if (incident.step === 'reload' && incident.stepAt === 0) return this.reload(plugin); // a person was typing last time
    if (incident.step === 'reload' && now - incident.stepAt >= this.timing.reloadWaitMs) return this.restart(plugin, incident, '/reload-plugins did not bring it back');
    if (incident.step === 'restart' && now - incident.stepAt >= this.timing.graceMs + this.timing.reloadWaitMs) {
      incident.step = 'reported';
      incident.stepAt = now;
      health.lastHeal = { at: new Date(now).toISOString(), action: 'reported', why: 'its server does not start, even after claude was restarted' };
      await this.alerts.tell(
        `plugin-down:${plugin}`,
        `${this.name} needs you: the chat plugin ${plugin} does not start (since ${clock(incident.since)} UTC), even after a restart. \`buddy-init doctor\` on your laptop says why (Bun missing is the usual cause).`,
      );
      return;
    }
    if (incident.step === 'reported' && now - incident.stepAt >= incident.retryMs) {
      incident.retryMs = Math.min(incident.retryMs * 2, RETRY_MAX_MS);
      return this.restart(plugin, incident, 'retrying after a pause');
    }
  }

  /**
   * The program a plugin's server is started with (.mcp.json's `command`, e.g. bun), when it is found
   * neither as a path nor on the PATH claude runs with: then no reload or restart can start the server.
   */
  private async missingLauncher(roots: string[]): Promise<string | undefined> {
    for (const root of roots) {
      const text = await readFile(join(root, '.mcp.json'), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      let servers: unknown;
      try {
        servers = (JSON.parse(text) as { mcpServers?: unknown }).mcpServers;
      } catch {
        return undefined;
      }
      const commands = isRecord(servers) ? Object.values(servers).flatMap((s) => (isRecord(s) && typeof s.command === 'string' ? [s.command] : [])) : [];
      const dirs = (this.env.PATH ?? '').split(':').filter(Boolean);
      return commands.find((c) => (c.includes('/') ? !existsSync(c) : !dirs.some((d) => existsSync(join(d, c)))));
    }
    return undefined;
  }

  private async cannotStart(plugin: string, incident: Incident | undefined, launcher: string, now: number): Promise<void> {
    if (incident?.step === 'cannot start' && incident.launcher === launcher) return;
    this.incidents.set(plugin, { since: incident?.since ?? now, step: 'cannot start', stepAt: now, retryMs: RETRY_FIRST_MS, launcher });
    const why = `its server runs \`${launcher}\`, which is not installed where the service looks (its PATH)`;
    this.state.get(plugin)!.lastHeal = { at: new Date(now).toISOString(), action: 'reported', why };
    this.hooks.log(`chat plugin ${plugin}: ${why}; nothing to heal until it is`);
    await this.alerts.tell(`plugin-down:${plugin}`, `${this.name} needs you: the chat plugin ${plugin} cannot start: ${why}. \`buddy-init doctor\` on your laptop says how to install it.`);
  }

  private async reload(plugin: string): Promise<void> {
    const incident = this.incidents.get(plugin)!;
    if (await this.tmux.writerAttached()) {
      this.hooks.log(`chat plugin ${plugin}: not typing /reload-plugins while a person is attached with write access`);
      return;
    }
    incident.stepAt = Date.now();
    this.state.get(plugin)!.lastHeal = { at: new Date(incident.stepAt).toISOString(), action: 'reload-plugins', why: 'its server was gone' };
    this.hooks.log(`chat plugin ${plugin}: typing /reload-plugins`);
    await this.tmux.sendLine('/reload-plugins');
  }

  private async restart(plugin: string, incident: Incident, why: string): Promise<void> {
    incident.step = 'restart';
    incident.stepAt = Date.now();
    this.state.get(plugin)!.lastHeal = { at: new Date(incident.stepAt).toISOString(), action: 'restart claude', why };
    await this.hooks.restartClaude(`chat plugin ${plugin}: ${why}`);
  }

  private async healed(plugin: string, incident: Incident, now: number): Promise<void> {
    this.incidents.delete(plugin);
    const heal = this.state.get(plugin)!.lastHeal;
    if (heal) heal.healed = true;
    const how = heal?.action === 'reload-plugins' ? 'reloaded the plugins' : 'restarted claude';
    this.hooks.log(`chat plugin ${plugin}: its server is back after ${Math.round((now - incident.since) / 1000)}s (${how})`);
    await this.alerts.tell(`plugin-healed:${plugin}`, `${this.name}: the chat plugin ${plugin} stopped at ${clock(incident.since)} UTC; ${how}, conversation kept.`);
  }

  private serverStarted(plugin: string, pid: number, now: number): void {
    this.state.get(plugin)!.server = { pid, since: new Date(now).toISOString() };
    const recent = [...(this.starts.get(plugin) ?? []), now].filter((t) => now - t < FLAP_WINDOW_MS);
    this.starts.set(plugin, recent);
    if (recent.length >= FLAP_STARTS) {
      this.hooks.log(`chat plugin ${plugin}: its server started ${recent.length} times in 10 minutes`);
      void this.alerts.tell(`plugin-flapping:${plugin}`, `${this.name}: the chat plugin ${plugin} keeps restarting (${recent.length} times in 10 minutes); messages may be lost. \`buddy-init logs\` shows the supervisor's side.`);
    }
  }
}
