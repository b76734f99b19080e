/**
 * Artifacts vs what the target holds -> the changes apply would make, with diffs, and the commands it
 * would run afterwards. `plan` prints this; `apply` executes exactly this.
 */
import { posix } from 'node:path';
import type { Artifact, Effect, Layout } from '../../render/index.js';
import { jsonEqual } from '../../runtime/shared/json.js';
import { bunHome, bunWork, type BunWanted, type Facts, type Target } from '../../target/index.js';
import { count } from '../../words.js';
import { followUpActions, type Action } from './actions.js';
import { computeChange, decodeText, readCurrent, recordMatches, takeOut, type Change, type Current, type Ownership } from './change.js';
import { readNeighbours, type Neighbour, type Neighbours } from '../record/neighbours.js';
import { loadSealer } from '../record/seal.js';
import { ownsWhole, readApplyState, type ApplyState } from '../record/state.js';
import { emptiedFile } from './emptied.js';
import { parseEnvFile } from './envfile.js';
import { pluginActions, type WantedPlugin } from './plugins.js';
import { stateRecords } from './records.js';
import type { UninstallPlan } from './uninstall.js';

export interface Plan extends Ownership {
  target: string;
  layout: Layout;
  changes: Change[];
  /** Files the last apply wrote whole and the recipe no longer renders: apply deletes them. */
  remove: string[];
  actions: Action[];
  /** Actions that will not run (e.g. under --root), and why. */
  skipped: Array<{ action: Action; why: string }>;
  notes: string[];
  effects: Effect[];
  /** apply stores the sealing key first. */
  sealKeyCreated: boolean;
  /** Where the recipe is applied from, recorded in the state (renames are found by it). */
  origin?: string;
  /** The same recipe applied under another name before (unless --keep-renamed): the pipeline plans its clean-up (compute/rename.ts). */
  renamedFrom?: RenamedFrom;
  /** That buddy's clean-up, which apply carries out first. */
  renamed?: { name: string; uninstall: UninstallPlan };
  /** The record would change even where no file does (what this buddy wants in shared files). */
  recordStale: boolean;
  /** Why apply cannot run at all (it then writes nothing). */
  blocked?: string;
  /** The channels' plugins, checked installed after the commands ran. */
  plugins: WantedPlugin[];
  /** Bun as apply installs it: checked to run (at this version) after the commands ran. */
  bun?: { path: string; version?: string };
}


/** A buddy applied from the same recipe under its old name: its record, and where it lives. */
export interface RenamedFrom {
  buddy: Neighbour;
  layout: Layout;
}

export async function planChanges(options: {
  target: Target;
  artifacts: Artifact[];
  layout: Layout;
  facts: Facts;
  linger: boolean;
  /** The channels' plugins: installed (by Claude Code's own command) when the target lacks them. */
  plugins?: WantedPlugin[];
  /** Bun for the plugins, when the recipe has channels: installed when the recipe consents. */
  bun?: BunWanted;
  /** A person can type the sudo password (apply asks for it once, hidden). */
  canAskSudoPassword?: boolean;
  /** Where the recipe is applied from (machine:file), recorded so a rename is recognised. */
  origin?: string;
  /** Where another name of this buddy lives (for a renamed buddy's leftovers). */
  layoutOf?: (name: string) => Layout;
  /** Leave the buddy this recipe was applied as before a rename installed (with a warning). */
  keepRenamed?: boolean;
}): Promise<Plan> {
  const { target, artifacts, layout, facts } = options;
  // The state file, the bundles' hashes (one command) and the files, all read side by side.
  const digests = target.digest(artifacts.filter((a) => a.display === 'summary').map((a) => a.path));
  const [previous, currents, { sealer, created }, neighbours] = await Promise.all([
    readApplyState(target, layout.applyState),
    Promise.all(artifacts.map(async (a) => readCurrent(target, a, a.display === 'summary' ? await digests : undefined))),
    loadSealer(target, layout),
    readNeighbours(target, layout),
  ]);
  // No record, yet this buddy's sealing key (only an apply stores it) or its unit as rendered is there:
  // an earlier apply's record was lost (deleted, as the corrupt-state error advises).
  const unit = artifacts.findIndex((a) => a.path === layout.servicePath);
  const unitThere = unit >= 0 && artifacts[unit]!.kind === 'file' && (currents[unit] as { text?: string } | undefined)?.text === (artifacts[unit] as { content: string }).content;
  const adopt = !previous && (!created || unitThere);
  const ownership: Ownership = { ...(previous ? { previous } : {}), sealer, neighbours, adopt };
  const left = await leftovers(target, artifacts, ownership);
  const unmerged = left.unmerge.map(({ artifact, current }) => computeChange(artifact, current, ownership));
  // What is left empty in this buddy's own chat folder is removed rather than written.
  const emptied = unmerged.filter((c) => emptiedFile(layout, c.artifact.path, c.after, previous?.files[c.artifact.path])).map((c) => c.artifact.path);
  const changes = [...artifacts.map((a, i) => computeChange(a, currents[i], ownership)), ...unmerged.filter((c) => !emptied.includes(c.artifact.path))];
  const renamed = renamedBuddy(options, neighbours);
  const recordStale = Boolean(previous) && !jsonEqual(previous!.files, stateRecords(changes, sealer, previous!.files));
  const effects = new Set<Effect>(previous?.pendingEffects ?? []);
  for (const c of changes) if (c.op !== 'unchanged') c.artifact.effects.forEach((e) => effects.add(e));

  // Under --root the real machine's init system is beside the point: show what would run on a target
  // that has the recipe's init system, as commands not run.
  const actionFacts: Facts = target.rebasedUnder
    ? { ...facts, init: layout.init === 'systemd-user' ? 'systemd' : 'launchd', linger: false, service: { enabled: false, active: false } }
    : facts;
  // Bun and the plugins first, so the claude that the follow-up starts (or restarts) finds them.
  const bun = options.bun ? bunWork(facts, options.bun) : { kind: 'none' as const };
  const bunActions: Action[] = bun.kind === 'install' ? [{ argv: bun.argv, reason: `${bun.why}: install it for ${facts.user} (bun.install in the recipe)`, limit: 'install' }] : [];
  const plugins = await pluginActions(target, layout, facts, options.plugins ?? []);
  if ((plugins.actions.length || bunActions.length) && facts.service.active) effects.add('restart-buddy');
  const followUp = followUpActions(effects, layout, actionFacts, options.linger);
  const skipped: Plan['skipped'] = [];
  const actions: Action[] = [];
  for (const action of [...bunActions, ...plugins.actions, ...followUp.actions]) {
    if (target.rebasedUnder) skipped.push({ action, why: '--root' });
    else if (action.root && !rootReachable(facts, options.canAskSudoPassword)) {
      skipped.push({ action, why: rootUnreachable(facts) });
    } else actions.push(action);
  }
  const privileged = changes.find((c) => c.op !== 'unchanged' && c.artifact.privileged);
  const blocked =
    privileged && !target.rebasedUnder && !rootReachable(facts, options.canAskSudoPassword)
      ? `${privileged.artifact.path} can only be written by root: ${rootUnreachable(facts).replace(/^needs root and /, '')}`
      : await telegramTokenInUse(target, layout, artifacts, previous, renamed.from?.layout);
  return {
    target: target.label,
    layout,
    changes,
    remove: [...left.remove, ...emptied],
    actions,
    skipped,
    notes: [
      ...(previous?.interrupted ? ['the last apply on this target was cut short; this one finishes it (its record lists everything that apply may have written)'] : []),
      ...(previous?.legacy ? [`${layout.applyState} is from an earlier buddy-init that recorded secret values in clear: apply rewrites it with keyed hashes and scrubs the backups`] : []),
      ...(adopt ? [adoptionNote(layout, changes)] : []),
      ...renamed.notes,
      ...left.notes,
      ...(bun.kind === 'cannot' ? [`bun: ${bun.why}`] : []),
      ...plugins.notes,
      ...followUp.notes,
    ],
    effects: [...effects],
    ...ownership,
    sealKeyCreated: created,
    recordStale,
    ...(options.origin ? { origin: options.origin } : {}),
    ...(renamed.from ? { renamedFrom: renamed.from } : {}),
    plugins: options.plugins ?? [],
    ...(bunActions.length && !target.rebasedUnder ? { bun: { path: `${bunHome(facts)}/bin/bun`, ...(options.bun?.version ? { version: options.bun.version } : {}) } } : {}),
    ...(blocked ? { blocked } : {}),
  };
}

/**
 * What the last apply wrote and the recipe no longer renders (a channel dropped, an older version's
 * runtime). A file buddy-init owns goes, unless it was edited since (it is the person's now, and stays)
 * or another buddy on the target still uses it; a shared file loses buddy-init's part, as on uninstall.
 * Either way it leaves buddy-init's record.
 */
async function leftovers(target: Target, artifacts: Artifact[], { previous, sealer, neighbours }: Ownership) {
  const rendered = new Set(artifacts.map((a) => a.path));
  const stale = Object.entries(previous?.files ?? {}).filter(([path]) => !rendered.has(path));
  const whole = stale.filter(([, record]) => ownsWhole(record));
  const paths = whole.map(([path]) => path);
  const digests = await target.digest(paths);
  const inUse = neighbours.inUse(paths);
  const remove: string[] = [];
  const notes: string[] = [];
  for (const [path, record] of whole) {
    const hash = digests.get(path);
    if (!hash || inUse.includes(path)) continue;
    // A secret file's record is a keyed hash: its text is needed to compare.
    const current: Current = record.hmac ? { text: decodeText(path, (await target.read(path)) ?? Buffer.alloc(0)), mode: 0 } : { sha256: hash, mode: 0 };
    if (recordMatches(record, current, sealer)) remove.push(path);
    else notes.push(`${path} is no longer part of the recipe but was edited since buddy-init wrote it: left in place, and no longer buddy-init's`);
  }
  const unmerge: Array<{ artifact: Artifact; current: Current }> = [];
  for (const [path, record] of stale) {
    if (!record.owned) continue;
    const artifact = takeOut(path, 'no longer part of the recipe');
    const current = await readCurrent(target, artifact);
    if (current) unmerge.push({ artifact, current });
  }
  return { remove, notes, unmerge };
}

function adoptionNote(layout: Layout, changes: Change[]): string {
  const files = changes.filter((c) => c.artifact.kind === 'file' && c.op === 'unchanged').length;
  const entries = changes.reduce((n, c) => n + (c.owned ? c.owned.values.length + c.owned.members.reduce((k, m) => k + m.items.length, 0) - c.added.length : 0), 0);
  return `no record of an earlier apply (${layout.applyState} is missing) but this buddy's files are there: apply adopts what matches the recipe as buddy-init's (${count(files, 'whole file')}, ${count(entries, 'entry', 'entries')} in shared files), so uninstall can take it out`;
}

/**
 * The buddy this recipe was applied as before a rename (its record names the same origin): compute/
 * rename.ts plans its clean-up, which apply carries out first, except what the renamed buddy claims too.
 */
function renamedBuddy(options: { layout: Layout; origin?: string; layoutOf?: (name: string) => Layout; keepRenamed?: boolean }, neighbours: Neighbours): { from?: RenamedFrom; notes: string[] } {
  const old = options.origin && options.layoutOf ? neighbours.list.find((n) => n.state.origin === options.origin) : undefined;
  if (!old) return { notes: [] };
  const was = `buddy "${old.name}" was applied from this recipe before it was renamed`;
  if (options.keepRenamed) return { notes: [`${was}; --keep-renamed leaves it installed and running beside this one (two buddies on one recipe: uninstall it when done)`] };
  const layout = options.layoutOf!(old.name);
  const carried = layout.workdir === options.layout.workdir ? ' (its pinned conversation carries over: same workdir)' : '';
  return { from: { buddy: old, layout }, notes: [`${was}: apply takes its unit and files out as uninstall would${carried}; --keep-renamed keeps it`] };
}

/**
 * Telegram delivers a bot's updates to one poller: two buddies on one token fight (getUpdates answers
 * 409 Conflict) and each sees some of the messages. Another buddy's folder (or the plugin's default one,
 * unless it is this buddy's own from before) holding the same token blocks the apply.
 */
async function telegramTokenInUse(target: Target, layout: Layout, artifacts: Artifact[], previous: ApplyState | undefined, renamedFrom?: Layout): Promise<string | undefined> {
  const own = posix.join(layout.channelDir('telegram'), '.env');
  const artifact = artifacts.find((a) => a.path === own);
  const token = artifact?.kind === 'env-merge' ? artifact.managed.values[0]?.value : undefined;
  if (typeof token !== 'string') return undefined;
  // Every buddy's folder sits beside this one's; the plugin's default folder is the one a person set up by hand.
  const buddies = posix.dirname(layout.channelDir('telegram'));
  const candidates = [posix.join(layout.sharedChannelDir('telegram'), '.env'), ...((await target.list(buddies)) ?? []).map((name) => posix.join(buddies, name, '.env'))];
  // This buddy's own files from before, and those of its old name (taken out before it starts), do not count.
  const leaving = renamedFrom ? posix.join(renamedFrom.channelDir('telegram'), '.env') : undefined;
  const others = candidates.filter((p) => p !== own && p !== leaving && !previous?.files[p]);
  for (const path of others) {
    const data = await target.read(path);
    if (data && parseEnvFile(data.toString('utf8')).TELEGRAM_BOT_TOKEN === token) {
      return `the Telegram bot token is already used by ${path}: Telegram gives a bot's messages to one listener only, so two buddies on one token would each miss messages; give this buddy a bot of its own (@BotFather)`;
    }
  }
  return undefined;
}

/** Whether apply can act as root on the target: it is root, or sudo works (without or with a password). */
export function rootReachable(facts: Facts, canAskPassword = false): boolean {
  return facts.sudo === 'root' || facts.sudo === 'passwordless' || (facts.sudo === 'password' && canAskPassword);
}

export function rootUnreachable(facts: Facts): string {
  return facts.sudo === 'none'
    ? 'needs root and the target has no sudo; run it as root'
    : 'needs root and sudo asks for a password, with no terminal to type it; run it yourself with sudo';
}

export function planIsEmpty(plan: Plan): boolean {
  return (
    plan.changes.every((c) => c.op === 'unchanged') &&
    plan.remove.length === 0 &&
    plan.actions.length === 0 &&
    !plan.previous?.legacy &&
    !plan.previous?.interrupted &&
    !plan.recordStale &&
    !plan.adopt &&
    !plan.renamedFrom
  );
}
