/**
 * Whether each chat plugin's server runs under the buddy's claude. Claude Code starts a plugin's MCP
 * server as its child (the official ones: `bun run --cwd <plugin root> ... start`, then `bun server.ts`);
 * when that process is gone the bot is deaf while claude looks fine. Read in one round trip: the pane's
 * process (claude), how long it has run, and the process table (`ps`, the same on Linux and macOS).
 */
import { pluginRoots, type PluginRecords, type WantedPlugin } from '../plan/index.js';
import type { Layout } from '../render/index.js';
import { parsePs, pluginServerPids } from '../runtime/shared/plugins.js';
import type { Target } from '../target/index.js';

export type ServerState =
  | { state: 'running'; pid: number }
  /** claude runs, the server does not; `claudeAge` in seconds (a claude just started has not spawned it yet). */
  | { state: 'missing'; claudeAge: number }
  | { state: 'claude-not-running' };

/** POSIX sh; $1 tmux socket, $2 session. */
const SCRIPT = String.raw`
pane=$(tmux -L "$1" list-panes -t "=$2" -F '#{pane_dead} #{pane_pid}' 2>/dev/null | head -n 1)
case "$pane" in "0 "*) ;; *) exit 0 ;; esac
pid=$(echo "$pane" | cut -d' ' -f2)
echo "claude $pid $(ps -o etime= -p "$pid" | tr -d ' ')"
ps -A -o pid= -o ppid= -o args=
`;

/** ps's elapsed time, [[dd-]hh:]mm:ss, in seconds. */
export function elapsedSeconds(etime: string): number {
  const [days, rest] = etime.includes('-') ? (etime.split('-') as [string, string]) : ['0', etime];
  return rest.split(':').reduce((total, part) => total * 60 + Number(part), 0) + Number(days) * 86_400;
}

export async function pluginServers(target: Target, layout: Layout, wanted: WantedPlugin[], records?: PluginRecords): Promise<Map<string, ServerState>> {
  const states = new Map<string, ServerState>();
  if (!wanted.length) return states;
  const r = await target.run(['sh', '-c', SCRIPT, 'plugin-servers', layout.tmuxSocket, layout.session]);
  const [head, ...rest] = r.stdout.split('\n');
  const claude = /^claude (\d+) (\S+)$/.exec(head ?? '');
  if (!claude) {
    for (const p of wanted) states.set(p.id, { state: 'claude-not-running' });
    return states;
  }
  const rootsOf = await pluginRoots(target, layout, wanted.map((p) => p.id), records);
  for (const [id, pid] of pluginServerPids(parsePs(rest.join('\n')), Number(claude[1]), rootsOf)) {
    states.set(id, pid ? { state: 'running', pid } : { state: 'missing', claudeAge: elapsedSeconds(claude[2]!) });
  }
  return states;
}
