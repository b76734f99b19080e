/**
 * How a buddy is doing, read in one round trip: the service as the init system sees it, the
 * supervisor's own status file, the tmux pane, the pinned conversation; and, from one more file read,
 * whether each chat plugin is installed and its server runs.
 */
import { pluginVersions, readPluginRecords, type WantedPlugin } from '../plan/index.js';
import { CLAUDE_COMMANDS } from '../runtime/shared/claudeProcess.js';
import type { Layout } from '../render/index.js';
import type { PluginHealth } from '../runtime/supervisor/channelHealth.js';
import type { Alert } from '../runtime/supervisor/owner.js';
import type { DraftSent } from '../runtime/supervisor/drafts.js';
import { scheduleFromFile, type ScheduleEntry } from '../runtime/supervisor/schedule.js';
import type { StuckState } from '../runtime/supervisor/stuck.js';
import type { Facts, Target } from '../target/index.js';
import { pluginServers, type ServerState } from './pluginServers.js';

export interface BuddyStatus {
  service: { state: string; sub?: string; mainPid?: number; restarts?: number; since?: string };
  supervisor?: {
    pid: number;
    state: string;
    startedAt: string;
    restarts: number;
    lastExit?: { at: string; reason: string };
    updatedAt: string;
    /** The chat's health as the supervisor sees it: each plugin's server and its last heal. */
    channels?: PluginHealth[];
    /** The last message to the owner through the chat platform's API. */
    lastAlert?: Alert;
    /** A screen claude is stuck on. */
    stuck?: StuckState;
    /** The last chat message found unsent in claude's input box and sent. */
    draftSent?: DraftSent;
    /** Claude Code's scheduled tasks for the buddy (durable ones and the conversation's session-only ones). */
    schedule?: ScheduleEntry[];
  };
  claude: { running: boolean; command?: string };
  sessionId?: string;
  transcriptBytes?: number;
  /** The last chat message that reached claude (from the transcript), and where from. */
  lastInbound?: { source: string; at: string };
  linger: boolean;
  applied?: string;
  /** Each channel's plugin, the version Claude Code's record lists (none: not installed), and its server. */
  plugins: Array<{ id: string; version?: string; server?: ServerState }>;
  /** Claude Code's sandbox as the settings file on the target says (absent file: off). */
  sandbox: { on: boolean; autoAllow?: boolean; hosts?: number };
  /**
   * The durable scheduled tasks as scheduled_tasks.json holds them, next fires computed here in the
   * buddy's timezone: there even when no supervisor runs (or has not listed them yet).
   */
  scheduleFile: ScheduleEntry[];
  up: boolean;
}

/** The sandbox as claude will read it: the --settings file apply placed (none: no sandbox). */
async function sandboxState(target: Target, layout: Layout): Promise<BuddyStatus['sandbox']> {
  const sandbox = json<{ sandbox?: { enabled?: boolean; autoAllowBashIfSandboxed?: boolean; network?: { allowedDomains?: unknown[] } } }>((await target.read(layout.claudeSettings))?.toString('utf8'))?.sandbox;
  if (sandbox?.enabled !== true) return { on: false };
  return { on: true, autoAllow: sandbox.autoAllowBashIfSandboxed === true, hosts: sandbox.network?.allowedDomains?.length ?? 0 };
}

/** How much of the transcript's end is searched for the last chat message (a day's talk, usually). */
const TRANSCRIPT_TAIL = 1 << 20;

/**
 * Claude Code hands a chat message to claude as `<channel source="discord" chat_id=".." ts="..">`; in the
 * transcript (JSON lines) its quotes are escaped. The last such tag: where from and when.
 */
export function lastInboundOf(text: string): BuddyStatus['lastInbound'] {
  const tags = text.match(/<channel source=\\"[^>]*>/g);
  const tag = tags?.[tags.length - 1];
  const attr = (name: string) => (tag ? new RegExp(`${name}=\\\\"([^\\\\"]*)`).exec(tag)?.[1] : undefined);
  const source = attr('source');
  const at = attr('ts');
  return source && at ? { source, at } : undefined;
}

/** POSIX sh; $1 unit or label, $2 init kind, $3 tmux socket, $4 session, $5 state dir, $6 project folder. */
const STATUS_SCRIPT = String.raw`
unit="$1"; init="$2"; sock="$3"; session="$4"; state="$5"; projects="$6"
if [ "$init" = systemd-user ]; then
  [ -n "$XDG_RUNTIME_DIR" ] || XDG_RUNTIME_DIR="/run/user/$(id -u)"
  export XDG_RUNTIME_DIR
  systemctl --user show "$unit" -p ActiveState -p SubState -p MainPID -p NRestarts -p ActiveEnterTimestamp 2>/dev/null | sed 's/^/svc./'
else
  for d in "gui/$(id -u)" system; do
    out=$(launchctl print "$d/$unit" 2>/dev/null) && { echo "svc.ActiveState=active"; echo "$out" | sed -n 's/^[[:space:]]*pid = \([0-9]*\).*/svc.MainPID=\1/p' | head -n 1; break; }
  done
fi
echo "pane=$(tmux -L "$sock" list-panes -t "=$session" -F '#{pane_dead} #{pane_current_command}' 2>/dev/null | head -n 1)"
echo "status=$(tr -d '\n' < "$state/status.json" 2>/dev/null)"
echo "session=$(tr -d '\n' < "$state/session.json" 2>/dev/null)"
echo "applied=$(sed -n 's/.*"buddyInit": *"\([^"]*\)".*/\1/p' "$state/apply-state.json" 2>/dev/null | head -n 1)"
id=$(sed -n 's/.*"sessionId": *"\([^"]*\)".*/\1/p' "$state/session.json" 2>/dev/null)
[ -n "$id" ] && [ -f "$projects/$id.jsonl" ] && echo "transcript=$(wc -c < "$projects/$id.jsonl")" &&
  echo "inbound=$(tail -c ${TRANSCRIPT_TAIL} "$projects/$id.jsonl" | grep -o '<channel source=\\"[^>]*>' | tail -n 1)"
exit 0
`;

function json<T>(text: string | undefined): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

async function probe(target: Target, layout: Layout, projects: string): Promise<Map<string, string>> {
  const r = await target.run(['sh', '-c', STATUS_SCRIPT, 'status', layout.serviceName, layout.init, layout.tmuxSocket, layout.session, layout.stateDir, projects]);
  const kv = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
  }
  return kv;
}

/** The same readings from the files of a --root tree (no service manager, no tmux). */
async function fromTree(target: Target, layout: Layout, projects: string): Promise<Map<string, string>> {
  const text = async (file: string) => (await target.read(file))?.toString('utf8').replace(/\n/g, '');
  const kv = new Map<string, string>();
  const [status, session, applied] = await Promise.all(['status.json', 'session.json', 'apply-state.json'].map((f) => text(`${layout.stateDir}/${f}`)));
  if (status) kv.set('status', status);
  if (session) kv.set('session', session);
  const version = applied && /"buddyInit": *"([^"]*)"/.exec(applied)?.[1];
  if (version) kv.set('applied', version);
  const id = json<{ sessionId?: string }>(session)?.sessionId;
  const transcript = id ? await target.read(`${projects}/${id}.jsonl`) : undefined;
  if (transcript) {
    kv.set('transcript', String(transcript.length));
    kv.set('inbound', transcript.subarray(-TRANSCRIPT_TAIL).toString('utf8'));
  }
  return kv;
}

/** `job` with this process's clock in `timeZone` (Node reads TZ again whenever it is set). */
function inTimeZone<T>(timeZone: string | undefined, job: () => T): T {
  const was = process.env.TZ;
  if (timeZone) process.env.TZ = timeZone;
  try {
    return job();
  } finally {
    if (was === undefined) delete process.env.TZ;
    else process.env.TZ = was;
  }
}

/** @param timeZone the buddy's (the recipe's, else the target's): what its schedule's times mean. */
export async function readStatus(target: Target, layout: Layout, facts: Facts, wanted: WantedPlugin[] = [], timeZone = facts.timezone): Promise<BuddyStatus> {
  const projects = `${layout.home}/.claude/projects/${layout.workdir.replace(/[^A-Za-z0-9]/g, '-')}`;
  const [kv, sandbox, tasks] = await Promise.all([
    target.rebasedUnder ? fromTree(target, layout, projects) : probe(target, layout, projects),
    sandboxState(target, layout),
    target.read(layout.scheduledTasks),
  ]);
  const [dead, command] = (kv.get('pane') ?? '').split(' ');
  const running = dead === '0' && CLAUDE_COMMANDS.has(command ?? '');
  // Under --root there is no service to ask: the files of the tree are all there is.
  const state = kv.get('svc.ActiveState') || (target.rebasedUnder ? 'not asked (--root)' : 'not loaded');
  const supervisor = json<BuddyStatus['supervisor']>(kv.get('status'));
  const pin = json<{ sessionId: string }>(kv.get('session'));
  const num = (k: string) => (kv.get(k) ? Number(kv.get(k)) : undefined);
  const mainPid = num('svc.MainPID');
  const restarts = num('svc.NRestarts');
  const since = kv.get('svc.ActiveEnterTimestamp');
  const lastInbound = lastInboundOf(kv.get('inbound') ?? '');
  return {
    service: { state, ...(kv.get('svc.SubState') ? { sub: kv.get('svc.SubState')! } : {}), ...(mainPid ? { mainPid } : {}), ...(restarts !== undefined ? { restarts } : {}), ...(since ? { since } : {}) },
    ...(supervisor ? { supervisor } : {}),
    claude: { running, ...(command ? { command } : {}) },
    ...(pin ? { sessionId: pin.sessionId } : {}),
    ...(kv.get('transcript') ? { transcriptBytes: Number(kv.get('transcript')) } : {}),
    ...(lastInbound ? { lastInbound } : {}),
    linger: facts.linger,
    ...(kv.get('applied') ? { applied: kv.get('applied')! } : {}),
    plugins: await pluginsWithServers(target, layout, wanted),
    sandbox,
    scheduleFile: tasks ? inTimeZone(timeZone, () => scheduleFromFile(tasks.toString('utf8'))) : [],
    up: state === 'active' && running,
  };
}

/** Each wanted plugin's version and, when installed, whether its server runs under claude. */
export async function pluginsWithServers(target: Target, layout: Layout, wanted: WantedPlugin[]): Promise<BuddyStatus['plugins']> {
  // Claude Code's plugin records, read once for both questions.
  const records = wanted.length ? await readPluginRecords(target, layout) : undefined;
  // Under --root no claude runs, so no plugin server is looked for.
  const [versions, servers] = await Promise.all([pluginVersions(target, layout, wanted, records), target.rebasedUnder ? new Map<string, ServerState>() : pluginServers(target, layout, wanted, records)]);
  return versions.map((p) => (servers.has(p.id) && p.version ? { ...p, server: servers.get(p.id)! } : p));
}
