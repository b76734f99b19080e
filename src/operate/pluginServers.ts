/**
 * Whether each chat plugin's server runs under the buddy's claude. Claude Code starts a plugin's MCP
 * server as its child (the official ones: `bun run --cwd <plugin root> ... start`, then `bun server.ts`);
 * when that process is gone the bot is deaf while claude looks fine. Read in one round trip: the pane's
 * process (claude), how long it has run, and the process table (`ps`, the same on Linux and macOS).
 */
import { pluginRoots, type PluginRecords, type WantedPlugin } from '../plan/index.js';
import type { Layout } from '../render/index.js';
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

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

/** The processes below `root` in the tree (not root itself). */
function descendants(procs: Proc[], root: number): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

const names = (args: string, root: string) => args.split(/\s+/).some((word) => word === root || word.startsWith(`${root}/`) || word.endsWith(`=${root}`));

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
  const procs = rest.flatMap((line) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }] : [];
  });
  const below = descendants(procs, Number(claude[1]));
  const rootsOf = await pluginRoots(target, layout, wanted.map((p) => p.id), records);
  for (const p of wanted) {
    const roots = rootsOf.get(p.id)!;
    const server = below.find((proc) => roots.some((root) => names(proc.args, root)));
    states.set(p.id, server ? { state: 'running', pid: server.pid } : { state: 'missing', claudeAge: elapsedSeconds(claude[2]!) });
  }
  return states;
}
