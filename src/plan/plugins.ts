/**
 * The chat plugins. Enabling a plugin in settings does not install it (Claude Code shows an "install"
 * hint and the bot never answers), so apply installs each channel's plugin for the target user with
 * Claude Code's own command, after registering the plugin's marketplace when the recipe names one (the
 * official `claude-plugins-official` is built in). What is installed is read from the record Claude
 * Code keeps, `~/.claude/plugins/installed_plugins.json` (the same on 2.1.197 and 2.1.332), so a plan
 * costs no claude start and an installed plugin is a no-op.
 */
import { posix } from 'node:path';
import type { Layout } from '../render/index.js';
import { isRecord } from '../runtime/shared/json.js';
import type { Facts, Target } from '../target/index.js';
import type { Action } from './actions.js';

/** A channel's plugin as the recipe asks for it. */
export interface WantedPlugin {
  /** name@marketplace */
  id: string;
  /** Where its marketplace comes from (a folder on the target, a git URL, owner/repo), when not built in. */
  marketplace?: string;
}

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

/** The plugin ids installed for the user (scope user) on the target, with their versions. */
async function installedPlugins(target: Target, layout: Layout): Promise<Map<string, string>> {
  const record = await readRecord(target, posix.join(pluginsDir(layout), 'installed_plugins.json'));
  const plugins = isRecord(record.plugins) ? record.plugins : {};
  const out = new Map<string, string>();
  for (const [id, entries] of Object.entries(plugins)) {
    const user = Array.isArray(entries) ? entries.find((e) => isRecord(e) && e.scope === 'user') : undefined;
    if (isRecord(user)) out.set(id, typeof user.version === 'string' ? user.version : '?');
  }
  return out;
}

/** The commands that install what is missing, as the target user; none when all is installed. */
export async function pluginActions(target: Target, layout: Layout, facts: Facts, wanted: WantedPlugin[]): Promise<{ actions: Action[]; notes: string[] }> {
  const missingIds = new Set((await pluginVersions(target, layout, wanted)).filter((p) => !p.version).map((p) => p.id));
  const missing = wanted.filter((p) => missingIds.has(p.id));
  if (missing.length === 0) return { actions: [], notes: [] };
  const claude = facts.tools.claude?.path;
  if (!claude) {
    return { actions: [], notes: [`claude is not installed on the target, so ${missing.map((p) => p.id).join(', ')} cannot be installed yet: install claude, then apply again`] };
  }
  const known = Object.keys(await readRecord(target, posix.join(pluginsDir(layout), 'known_marketplaces.json')));
  const env = { DISABLE_AUTOUPDATER: '1' };
  const actions: Action[] = [];
  for (const p of missing) {
    const marketplace = p.id.slice(p.id.indexOf('@') + 1);
    if (p.marketplace && !known.includes(marketplace) && !actions.some((a) => a.argv.includes(p.marketplace!))) {
      actions.push({ argv: [claude, 'plugin', 'marketplace', 'add', p.marketplace], reason: `register the ${marketplace} plugin marketplace`, env });
    }
    actions.push({ argv: [claude, 'plugin', 'install', p.id, '--scope', 'user'], reason: 'the chat plugin: enabled in settings is not installed', env });
  }
  return { actions, notes: [] };
}

/**
 * Each wanted plugin with the version Claude Code's record lists; no version: not installed. The one
 * reading of the record for plan, apply's check, doctor and status (none at all when nothing is wanted).
 */
export async function pluginVersions(target: Target, layout: Layout, wanted: WantedPlugin[]): Promise<Array<{ id: string; version?: string }>> {
  const installed = wanted.length ? await installedPlugins(target, layout) : new Map<string, string>();
  return wanted.map((p) => (installed.has(p.id) ? { id: p.id, version: installed.get(p.id)! } : { id: p.id }));
}
