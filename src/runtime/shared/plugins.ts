/**
 * Claude Code's plugin records and the plugin servers' processes, read the same way by buddy-init on
 * the laptop (status, doctor, plan; over any target) and by the supervisor on the box (every tick).
 * Claude Code starts a plugin's MCP server as its child, from the plugin's folder (the official chat
 * plugins: `bun run --cwd <plugin root> ... start`, then `bun server.ts`); when that process is gone the
 * bot is deaf while claude looks fine.
 */
import { posix } from 'node:path';
import { isRecord, type JsonRecord } from './json.js';

/** Reads a text file of the box, or undefined when it is not there. */
export type ReadText = (path: string) => Promise<string | undefined>;

/** One install of a plugin in Claude Code's record. */
export interface Installed {
  scope: 'user' | 'project' | 'local';
  version: string;
  installPath?: string;
}

export interface PluginRecords {
  installed: Map<string, Installed[]>;
  marketplaces: Record<string, unknown>;
}

export const pluginsDir = (home: string) => posix.join(home, '.claude', 'plugins');

async function readRecord(read: ReadText, path: string): Promise<Record<string, unknown>> {
  const text = await read(path);
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {}; // Claude Code rewrites it; an unreadable one is as good as none, and install repairs it
  }
}

/**
 * Claude Code's two plugin records. The installs that serve this buddy, by plugin id: the user's, and
 * those of the buddy's workdir (Claude Code 2.1.332 records a `local` one by itself when it starts with
 * the plugin enabled in the workdir's settings.local.json, where buddy-init enables it).
 */
export async function readPluginRecords(read: ReadText, home: string, workdir: string): Promise<PluginRecords> {
  const [record, marketplaces] = await Promise.all([readRecord(read, posix.join(pluginsDir(home), 'installed_plugins.json')), readRecord(read, posix.join(pluginsDir(home), 'known_marketplaces.json'))]);
  const plugins = isRecord(record.plugins) ? record.plugins : {};
  const installed = new Map<string, Installed[]>();
  for (const [id, entries] of Object.entries(plugins)) {
    const ours = (Array.isArray(entries) ? entries : []).filter(
      (e): e is JsonRecord => isRecord(e) && (e.scope === 'user' || ((e.scope === 'local' || e.scope === 'project') && e.projectPath === workdir)),
    );
    if (ours.length) {
      installed.set(
        id,
        ours.map((e) => ({ scope: e.scope as Installed['scope'], version: typeof e.version === 'string' ? e.version : '?', ...(typeof e.installPath === 'string' ? { installPath: e.installPath } : {}) })),
      );
    }
  }
  return { installed, marketplaces };
}

/**
 * The folders an installed plugin runs from (its CLAUDE_PLUGIN_ROOT): the copy in Claude Code's cache,
 * and for a marketplace that is a folder on the box, the plugin's folder there (Claude Code reads such
 * a plugin in place). Its server's command line names one of them.
 */
export async function pluginRoots(read: ReadText, records: PluginRecords, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const roots = (records.installed.get(id) ?? []).flatMap((i) => (i.installPath ? [i.installPath] : []));
    const [name, marketplace] = id.split('@') as [string, string];
    const source = records.marketplaces[marketplace];
    const dir = isRecord(source) && isRecord(source.source) && source.source.source === 'directory' && typeof source.source.path === 'string' ? source.source.path : undefined;
    if (dir) {
      const catalog = await readRecord(read, posix.join(dir, '.claude-plugin', 'marketplace.json'));
      const entry = Array.isArray(catalog.plugins) ? catalog.plugins.find((p) => isRecord(p) && p.name === name) : undefined;
      if (isRecord(entry) && typeof entry.source === 'string') roots.push(posix.join(dir, entry.source));
    }
    out.set(id, roots);
  }
  return out;
}

export interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

/** The process table as `ps -A -o pid= -o ppid= -o args=` prints it (the same on Linux and macOS). */
export const PS_ARGV = ['ps', '-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'args='];

export function parsePs(text: string): Proc[] {
  return text.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }] : [];
  });
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

/** A command line that runs from `root`: as a word, a path below it, or `--cwd=root`. */
const runsFrom = (args: string, root: string) => args.split(/\s+/).some((word) => word === root || word.startsWith(`${root}/`) || word.endsWith(`=${root}`));

/** Each plugin's server under claude (its pid), or undefined when claude runs without it. */
export function pluginServerPids(procs: Proc[], claudePid: number, rootsOf: Map<string, string[]>): Map<string, number | undefined> {
  const below = descendants(procs, claudePid);
  return new Map([...rootsOf].map(([id, roots]) => [id, below.find((proc) => roots.some((root) => runsFrom(proc.args, root)))?.pid]));
}
