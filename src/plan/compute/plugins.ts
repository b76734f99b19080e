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
import type { Layout } from '../../render/index.js';
import { pluginRoots as rootsOf, pluginsDir, readPluginRecords as readRecords, type Installed, type PluginRecords } from '../../runtime/shared/plugins.js';
import { CLAUDE_VERSIONS, type Facts, type Target } from '../../target/index.js';
import type { Action } from './actions.js';

export type { PluginRecords };

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

/** Reads a text file of the target for the shared record readers. */
const readText = (target: Target) => async (path: string) => (await target.read(path))?.toString('utf8');

/** Claude Code's two plugin records, for callers that ask several questions of them (status, doctor). */
export function readPluginRecords(target: Target, layout: Layout): Promise<PluginRecords> {
  return readRecords(readText(target), layout.home, layout.workdir);
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
  const records = wanted.length ? await readPluginRecords(target, layout) : { installed: new Map<string, Installed[]>(), marketplaces: {} };
  const { installed } = records;
  const short = wanted.filter((p) => !satisfies(installed.has(p.id) ? lowest(installed.get(p.id)!) : undefined, p));
  if (short.length === 0) return { actions: [], notes: [] };
  const claude = facts.tools.claude?.path;
  if (!claude) {
    return { actions: [], notes: [`claude is not installed on the target, so ${short.map((p) => p.id).join(', ')} cannot be installed yet: install claude, then apply again`] };
  }
  const known = Object.keys(records.marketplaces);
  // Each of them downloads (a marketplace's git clone, a plugin): the install time limit.
  const download = { env: { DISABLE_AUTOUPDATER: '1' }, limit: 'install' as const };
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
        actions.push({ argv: [claude, 'plugin', 'install', p.id.slice(0, p.id.indexOf('@')), '--marketplace', source, '--scope', 'user'], reason: `${reason} (its marketplace, ${marketplace}, is added first)`, ...download });
        continue;
      }
      if (source) once({ argv: [claude, 'plugin', 'marketplace', 'add', source], reason: `register the ${marketplace} plugin marketplace`, ...download });
      actions.push({ argv: [claude, 'plugin', 'install', p.id, '--scope', 'user'], reason, ...download });
      continue;
    }
    once({ argv: [claude, 'plugin', 'marketplace', 'update', marketplace], reason: `refresh the ${marketplace} catalog`, ...download });
    // Each install that is behind, in its own scope (the workdir's scopes are updated from the workdir).
    for (const i of installs.filter((i) => !satisfies(i.version, p))) {
      actions.push({
        argv: [claude, 'plugin', 'update', p.id, '--scope', i.scope],
        reason: `${p.id} ${i.version} (${i.scope} scope) is older than the recipe's ${p.version}`,
        ...download,
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
  const record = posix.join(pluginsDir(layout.home), 'installed_plugins.json');
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
  const installed = records?.installed ?? (wanted.length ? (await readPluginRecords(target, layout)).installed : new Map<string, Installed[]>());
  return wanted.map((p) => (installed.has(p.id) ? { id: p.id, version: lowest(installed.get(p.id)!) } : { id: p.id }));
}

/** The folders an installed plugin runs from (see runtime/shared/plugins.ts). */
export async function pluginRoots(target: Target, layout: Layout, ids: string[], records?: PluginRecords): Promise<Map<string, string[]>> {
  return rootsOf(readText(target), records ?? (await readPluginRecords(target, layout)), ids);
}
