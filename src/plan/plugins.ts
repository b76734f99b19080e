/**
 * The chat plugins. Enabling a plugin in settings does not install it (Claude Code shows an "install"
 * hint and the bot never answers), so apply installs each channel's plugin for the target user with
 * Claude Code's own command, after registering the plugin's marketplace when the recipe names one (the
 * official `claude-plugins-official` is built in). What is installed is read from the record Claude
 * Code keeps, `~/.claude/plugins/installed_plugins.json` (the same on 2.1.197 and 2.1.332), so a plan
 * costs no claude start and an installed plugin is a no-op.
 */
import { posix } from 'node:path';
import semver from 'semver';
import type { Layout } from '../render/index.js';
import { isRecord, type JsonRecord } from '../runtime/shared/json.js';
import { CLAUDE_VERSIONS, type Facts, type Target } from '../target/index.js';
import type { Action } from './actions.js';

/** A channel's plugin as the recipe asks for it. */
export interface WantedPlugin {
  /** name@marketplace */
  id: string;
  /** Where its marketplace comes from (a folder on the target, a git URL, owner/repo), when not built in. */
  marketplace?: string;
  /** The lowest acceptable version: an older install is updated. */
  version?: string;
}

/** Installed, and at least the version the recipe asks for. */
const satisfies = (installed: string | undefined, wanted: WantedPlugin): boolean =>
  installed !== undefined && (!wanted.version || (semver.valid(installed) !== null && semver.gte(installed, wanted.version)));

const pluginsDir = (layout: Layout) => posix.join(layout.home, '.claude', 'plugins');

async function readRecord(target: Target, path: string): Promise<Record<string, unknown>> {
  const data = await target.read(path);
  if (!data) return {};
  try {
    const parsed: unknown = JSON.parse(data.toString('utf8'));
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {}; // Claude Code rewrites it; an unreadable one is as good as none, and install repairs it
  }
}

/** One install of a plugin in Claude Code's record. */
interface Installed {
  scope: 'user' | 'project' | 'local';
  version: string;
  installPath?: string;
}

/**
 * The installs that serve this buddy, by plugin id: the user's, and those of the buddy's workdir (Claude
 * Code 2.1.332 records a `local` one by itself when it starts with the plugin enabled in the workdir's
 * settings.local.json, where buddy-init enables it).
 */
async function installedPlugins(target: Target, layout: Layout): Promise<Map<string, Installed[]>> {
  const record = await readRecord(target, posix.join(pluginsDir(layout), 'installed_plugins.json'));
  const plugins = isRecord(record.plugins) ? record.plugins : {};
  const out = new Map<string, Installed[]>();
  for (const [id, entries] of Object.entries(plugins)) {
    const ours = (Array.isArray(entries) ? entries : []).filter(
      (e): e is JsonRecord => isRecord(e) && (e.scope === 'user' || ((e.scope === 'local' || e.scope === 'project') && e.projectPath === layout.workdir)),
    );
    if (ours.length) {
      out.set(
        id,
        ours.map((e) => ({ scope: e.scope as Installed['scope'], version: typeof e.version === 'string' ? e.version : '?', ...(typeof e.installPath === 'string' ? { installPath: e.installPath } : {}) })),
      );
    }
  }
  return out;
}

/** Claude Code's two plugin records, for callers that ask several questions of them (status, doctor). */
export interface PluginRecords {
  installed: Map<string, Installed[]>;
  marketplaces: Record<string, unknown>;
}

export async function readPluginRecords(target: Target, layout: Layout): Promise<PluginRecords> {
  const [installed, marketplaces] = await Promise.all([installedPlugins(target, layout), readRecord(target, posix.join(pluginsDir(layout), 'known_marketplaces.json'))]);
  return { installed, marketplaces };
}

/** The version a set of installs guarantees: the lowest (one that is not a version counts as lowest). */
function lowest(installs: Installed[]): string {
  return installs.map((i) => i.version).sort((a, b) => (semver.valid(a) && semver.valid(b) ? semver.compare(a, b) : semver.valid(a) ? 1 : -1))[0]!;
}

/**
 * The commands that install what is missing and update what is older than the recipe asks, as the target
 * user; none when all is there. An update first refreshes the marketplace's catalog (Claude Code keeps a
 * copy), then updates the plugin from it.
 */
export async function pluginActions(target: Target, layout: Layout, facts: Facts, wanted: WantedPlugin[]): Promise<{ actions: Action[]; notes: string[] }> {
  const installed = wanted.length ? await installedPlugins(target, layout) : new Map<string, Installed[]>();
  const short = wanted.filter((p) => !satisfies(installed.has(p.id) ? lowest(installed.get(p.id)!) : undefined, p));
  if (short.length === 0) return { actions: [], notes: [] };
  const claude = facts.tools.claude?.path;
  if (!claude) {
    return { actions: [], notes: [`claude is not installed on the target, so ${short.map((p) => p.id).join(', ')} cannot be installed yet: install claude, then apply again`] };
  }
  const known = Object.keys(await readRecord(target, posix.join(pluginsDir(layout), 'known_marketplaces.json')));
  const env = { DISABLE_AUTOUPDATER: '1' };
  const version = facts.tools.claude?.version;
  const oneStep = version !== undefined && semver.gte(version, CLAUDE_VERSIONS.installWithMarketplace);
  const actions: Action[] = [];
  const once = (action: Action) => {
    if (!actions.some((a) => a.argv.join('\0') === action.argv.join('\0'))) actions.push(action);
  };
  for (const p of short) {
    const marketplace = p.id.slice(p.id.indexOf('@') + 1);
    const installs = installed.get(p.id);
    if (!installs) {
      const reason = 'the chat plugin: enabled in settings is not installed';
      const source = p.marketplace && !known.includes(marketplace) ? p.marketplace : undefined;
      if (source && oneStep) {
        actions.push({ argv: [claude, 'plugin', 'install', p.id.slice(0, p.id.indexOf('@')), '--marketplace', source, '--scope', 'user'], reason: `${reason} (its marketplace, ${marketplace}, is added first)`, env });
        continue;
      }
      if (source) once({ argv: [claude, 'plugin', 'marketplace', 'add', source], reason: `register the ${marketplace} plugin marketplace`, env });
      actions.push({ argv: [claude, 'plugin', 'install', p.id, '--scope', 'user'], reason, env });
      continue;
    }
    once({ argv: [claude, 'plugin', 'marketplace', 'update', marketplace], reason: `refresh the ${marketplace} catalog`, env });
    // Each install that is behind, in its own scope (the workdir's scopes are updated from the workdir).
    for (const i of installs.filter((i) => !satisfies(i.version, p))) {
      actions.push({
        argv: [claude, 'plugin', 'update', p.id, '--scope', i.scope],
        reason: `${p.id} ${i.version} (${i.scope} scope) is older than the recipe's ${p.version}`,
        env,
        ...(i.scope === 'user' ? {} : { cwd: layout.workdir }),
      });
    }
  }
  return { actions, notes: [] };
}

/**
 * After the commands ran: each plugin must be in Claude Code's own record at the version asked for
 * (`claude plugin install` exiting 0 is not enough). The problem, or undefined.
 */
export async function pluginShortfall(target: Target, layout: Layout, wanted: WantedPlugin[]): Promise<string | undefined> {
  const record = posix.join(pluginsDir(layout), 'installed_plugins.json');
  for (const p of await pluginVersions(target, layout, wanted)) {
    const want = wanted.find((w) => w.id === p.id)!;
    if (!p.version) return `${p.id}: claude plugin install reported success, but ${record} does not list it; run claude plugin install ${p.id} --scope user on the target to see why`;
    if (!satisfies(p.version, want)) return `${p.id}: ${p.version} is installed, older than the recipe's ${want.version}, after claude plugin update: its marketplace offers no newer version (check its source)`;
  }
  return undefined;
}

/**
 * Each wanted plugin with the version Claude Code's record lists; no version: not installed. The one
 * reading of the record for plan, apply's check, doctor and status (none at all when nothing is wanted).
 */
export async function pluginVersions(target: Target, layout: Layout, wanted: WantedPlugin[], records?: PluginRecords): Promise<Array<{ id: string; version?: string }>> {
  const installed = records?.installed ?? (wanted.length ? await installedPlugins(target, layout) : new Map<string, Installed[]>());
  return wanted.map((p) => (installed.has(p.id) ? { id: p.id, version: lowest(installed.get(p.id)!) } : { id: p.id }));
}

/**
 * The folders an installed plugin runs from (its CLAUDE_PLUGIN_ROOT): the copy in Claude Code's cache,
 * and for a marketplace that is a folder on the target, the plugin's folder there (Claude Code reads such
 * a plugin in place). Its server's command line names one of them.
 */
export async function pluginRoots(target: Target, layout: Layout, ids: string[], records?: PluginRecords): Promise<Map<string, string[]>> {
  // The two records once for every plugin asked about.
  const { installed, marketplaces } = records ?? (await readPluginRecords(target, layout));
  const out = new Map<string, string[]>();
  for (const id of ids) {
    const roots = (installed.get(id) ?? []).flatMap((i) => (i.installPath ? [i.installPath] : []));
    const [name, marketplace] = id.split('@') as [string, string];
    const source = marketplaces[marketplace];
    const dir = isRecord(source) && isRecord(source.source) && source.source.source === 'directory' && typeof source.source.path === 'string' ? source.source.path : undefined;
    if (dir) {
      const catalog = await readRecord(target, posix.join(dir, '.claude-plugin', 'marketplace.json'));
      const entry = Array.isArray(catalog.plugins) ? catalog.plugins.find((p) => isRecord(p) && p.name === name) : undefined;
      if (isRecord(entry) && typeof entry.source === 'string') roots.push(posix.join(dir, entry.source));
    }
    out.set(id, roots);
  }
  return out;
}
