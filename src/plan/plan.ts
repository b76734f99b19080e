/**
 * Artifacts vs what the target holds -> the changes apply would make, with diffs, and the commands it
 * would run afterwards. `plan` prints this; `apply` executes exactly this.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { OperationError } from '../errors.js';
import type { Artifact, Effect, Layout, ManagedJson } from '../render/index.js';
import type { JsonRecord } from '../runtime/shared/json.js';
import { isRecord, jsonEqual } from '../runtime/shared/json.js';
import { bunHome, bunWork, type BunWanted, type Facts, type FileInfo, type Target } from '../target/index.js';
import { followUpActions, type Action } from './actions.js';
import { emptiedChatFile } from './chatFolder.js';
import { envKeys, isEnvFile, parseEnvFile, renderEnvFile } from './envfile.js';
import { mergeManaged, type MergeEntry } from './merge.js';
import { pluginActions, type WantedPlugin } from './plugins.js';
import { loadSealer, type Sealer } from './seal.js';
import { ownsWhole, readApplyState, runtimeInUse, type ApplyState, type FileRecord } from './state.js';

export type ChangeOp = 'create' | 'update' | 'unchanged';

export interface Change {
  artifact: Artifact;
  op: ChangeOp;
  before?: string;
  beforeMode?: number;
  after: string;
  mode: number;
  /** For shared files: what buddy-init owns after this change, and what the merge did. */
  owned?: ManagedJson;
  added: MergeEntry[];
  removed: MergeEntry[];
  kept: MergeEntry[];
  /** A file buddy-init owns was edited on the target since the last apply. */
  editedSinceApply: boolean;
  /** The path is a symbolic link to this file: apply writes through it and keeps the link. */
  linkTo?: string;
}

export interface Plan {
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
  previous?: ApplyState;
  /** Seals secret values in the record and the backups; `sealKeyCreated`: apply stores its key first. */
  sealer: Sealer;
  sealKeyCreated: boolean;
  /** Why apply cannot run at all (it then writes nothing). */
  blocked?: string;
  /** The channels' plugins, checked installed after the commands ran. */
  plugins: WantedPlugin[];
  /** Bun as apply installs it: checked to run (at this version) after the commands ran. */
  bun?: { path: string; version?: string };
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function parseJsonFile(path: string, text: string): JsonRecord {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new OperationError(`${path} is not valid JSON (${(err as Error).message}); buddy-init will not overwrite it, fix it first`);
  }
  if (!isRecord(value)) throw new OperationError(`${path} does not hold a JSON object; buddy-init will not overwrite it`);
  return value;
}

/** A file as it is on the target: its text, or for bundles compared by hash, only the hash. */
export type Current = ({ text: string } | { sha256: string }) & { mode: number; linkTo?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file's text, refusing bytes that are not UTF-8: decoded leniently they would become U+FFFD, and the
 * rewrite (and its backup) would no longer hold what the person wrote.
 */
export function decodeText(path: string, data: Buffer): string {
  try {
    return utf8.decode(data);
  } catch {
    const at = firstBadByte(data);
    throw new OperationError(
      `${path} is not UTF-8 text${at >= 0 ? ` (byte ${at})` : ''}; buddy-init will not rewrite it (the bytes would change): convert it to UTF-8 or move it away`,
    );
  }
}

/** Where a UTF-8 sequence first breaks, for the message (the decoder above decides; -1 if this misses it). */
function firstBadByte(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (!n) return i;
    for (let k = 1; k < n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n;
  }
  return -1;
}

/** Whether the record of a whole file still matches the file (by its plain or its keyed hash). */
export function recordMatches(record: FileRecord, current: Current, sealer: Sealer): boolean {
  const accepted = [record.hmac ?? record.sha256, ...(record.alt ?? [])];
  if (record.hmac) return 'text' in current && accepted.includes(sealer.seal(current.text));
  return accepted.includes('sha256' in current ? current.sha256 : sha256(current.text));
}

/**
 * The change for one artifact, given the file as it is now. Also used by apply to re-merge at write time.
 * `sealer` reads the record of an earlier apply; without one (rendering from nothing) there is none.
 */
export function computeChange(artifact: Artifact, current: Current | undefined, previous: ApplyState | undefined, sealer?: Sealer): Change {
  const record = sealer && previous?.files[artifact.path];
  const text = current && 'text' in current ? current.text : undefined;
  const currentHash = current && ('sha256' in current ? current.sha256 : sha256(current.text));
  const base = {
    artifact,
    op: 'unchanged' as ChangeOp,
    ...(current ? { beforeMode: current.mode } : {}),
    ...(current?.linkTo ? { linkTo: current.linkTo } : {}),
    ...(text !== undefined ? { before: text } : {}),
    added: [] as MergeEntry[],
    removed: [] as MergeEntry[],
    kept: [] as MergeEntry[],
    editedSinceApply: false,
  };
  let after: string;
  let same: boolean;
  let mode = artifact.mode;
  if (artifact.kind === 'file') {
    after = artifact.content;
    same = currentHash === sha256(after);
    base.editedSinceApply = Boolean(current && record && ownsWhole(record) && !recordMatches(record, current, sealer!));
  } else {
    const isEnv = artifact.kind === 'env-merge';
    const doc = text !== undefined ? (isEnv ? parseEnvFile(text) : parseJsonFile(artifact.path, text)) : {};
    let merged;
    try {
      merged = mergeManaged(doc, artifact.managed, record?.owned && sealer!.unsealOwned(record.owned, doc));
    } catch (err) {
      throw new OperationError(`${artifact.path}: ${(err as Error).message}; buddy-init will not overwrite it, fix it first`);
    }
    after = isEnv ? renderEnvFile(text, merged.document, envKeys(artifact.managed, record?.owned)) : `${JSON.stringify(merged.document, null, 2)}\n`;
    same = text !== undefined && (isEnv ? text === after : jsonEqual(doc, merged.document));
    Object.assign(base, { owned: merged.owned, added: merged.added, removed: merged.removed, kept: merged.kept });
    // A shared file keeps the mode its owner gave it, unless it holds secrets and must be private.
    if (current && artifact.mode !== 0o600) mode = current.mode;
  }
  if (same && current) {
    return { ...base, op: current.mode === mode ? 'unchanged' : 'update', after, mode };
  }
  return { ...base, op: current ? 'update' : 'create', after, mode };
}

const linked = (info: FileInfo) => (info.linkTo ? { linkTo: info.linkTo } : {});

/** What a file holds now; bundles only by hash (they are large and the hash says all). */
async function readCurrent(target: Target, artifact: Artifact, digests?: Map<string, string>): Promise<Current | undefined> {
  if (artifact.display === 'summary') {
    const hash = (digests ?? (await target.digest([artifact.path]))).get(artifact.path);
    const info = hash ? await target.stat(artifact.path) : undefined;
    return hash && info ? { sha256: hash, mode: info.mode, ...linked(info) } : undefined;
  }
  const [data, info] = await Promise.all([target.read(artifact.path), target.stat(artifact.path)]);
  return data && info ? { text: decodeText(artifact.path, data), mode: info.mode, ...linked(info) } : undefined;
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
}): Promise<Plan> {
  const { target, artifacts, layout, facts } = options;
  // The state file, the bundles' hashes (one command) and the files, all read side by side.
  const digests = target.digest(artifacts.filter((a) => a.display === 'summary').map((a) => a.path));
  const [previous, currents, { sealer, created }] = await Promise.all([
    readApplyState(target, layout.applyState),
    Promise.all(artifacts.map(async (a) => readCurrent(target, a, a.display === 'summary' ? await digests : undefined))),
    loadSealer(target, layout),
  ]);
  const left = await leftovers(target, layout, artifacts, previous, sealer);
  const unmerged = left.unmerge.map(({ artifact, current }) => computeChange(artifact, current, previous, sealer));
  // What is left empty in this buddy's own chat folder is removed rather than written.
  const emptied = unmerged.filter((c) => emptiedChatFile(layout, c.artifact.path, c.after)).map((c) => c.artifact.path);
  const changes = [...artifacts.map((a, i) => computeChange(a, currents[i], previous, sealer)), ...unmerged.filter((c) => !emptied.includes(c.artifact.path))];
  const effects = new Set<Effect>(previous?.pendingEffects ?? []);
  for (const c of changes) if (c.op !== 'unchanged') c.artifact.effects.forEach((e) => effects.add(e));

  // Under --root the real machine's init system is beside the point: show what would run on a target
  // that has the recipe's init system, as commands not run.
  const actionFacts: Facts = target.rebasedUnder
    ? { ...facts, init: layout.init === 'systemd-user' ? 'systemd' : 'launchd', linger: false, service: { enabled: false, active: false } }
    : facts;
  // Bun and the plugins first, so the claude that the follow-up starts (or restarts) finds them.
  const bun = options.bun ? bunWork(facts, options.bun) : { kind: 'none' as const };
  const bunActions: Action[] = bun.kind === 'install' ? [{ argv: bun.argv, reason: `${bun.why}: install it for ${facts.user} (bun.install in the recipe)` }] : [];
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
      : await telegramTokenInUse(target, layout, artifacts, previous);
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
      ...left.notes,
      ...(bun.kind === 'cannot' ? [`bun: ${bun.why}`] : []),
      ...plugins.notes,
      ...followUp.notes,
    ],
    effects: [...effects],
    ...(previous ? { previous } : {}),
    sealer,
    sealKeyCreated: created,
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
async function leftovers(target: Target, layout: Layout, artifacts: Artifact[], previous: ApplyState | undefined, sealer: Sealer) {
  const rendered = new Set(artifacts.map((a) => a.path));
  const stale = Object.entries(previous?.files ?? {}).filter(([path]) => !rendered.has(path));
  const whole = stale.filter(([, record]) => ownsWhole(record));
  const paths = whole.map(([path]) => path);
  const [digests, inUse] = await Promise.all([target.digest(paths), runtimeInUse(target, layout, paths)]);
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
    const env = isEnvFile(path);
    const artifact: Artifact = {
      kind: env ? 'env-merge' : 'json-merge',
      path,
      managed: { values: [], members: [] },
      mode: 0o644, // not 0600: the file keeps the mode it has
      description: "no longer part of the recipe: buddy-init's part comes out",
      effects: [],
      display: env ? 'secret' : 'diff',
    };
    const current = await readCurrent(target, artifact);
    if (current) unmerge.push({ artifact, current });
  }
  return { remove, notes, unmerge };
}

/**
 * Telegram delivers a bot's updates to one poller: two buddies on one token fight (getUpdates answers
 * 409 Conflict) and each sees some of the messages. Another buddy's folder (or the plugin's default one,
 * unless it is this buddy's own from before) holding the same token blocks the apply.
 */
async function telegramTokenInUse(target: Target, layout: Layout, artifacts: Artifact[], previous: ApplyState | undefined): Promise<string | undefined> {
  const own = posix.join(layout.channelDir('telegram'), '.env');
  const artifact = artifacts.find((a) => a.path === own);
  const token = artifact?.kind === 'env-merge' ? artifact.managed.values[0]?.value : undefined;
  if (typeof token !== 'string') return undefined;
  // Every buddy's folder sits beside this one's; the plugin's default folder is the one a person set up by hand.
  const buddies = posix.dirname(layout.channelDir('telegram'));
  const candidates = [posix.join(layout.sharedChannelDir('telegram'), '.env'), ...((await target.list(buddies)) ?? []).map((name) => posix.join(buddies, name, '.env'))];
  const others = candidates.filter((p) => p !== own && !previous?.files[p]);
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
  return plan.changes.every((c) => c.op === 'unchanged') && plan.remove.length === 0 && plan.actions.length === 0 && !plan.previous?.legacy && !plan.previous?.interrupted;
}
