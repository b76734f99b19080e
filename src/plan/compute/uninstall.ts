/**
 * What an uninstall would do: stop the service, delete the files buddy-init owns, take buddy-init's own
 * parts out of shared files (settings.local.json keeps the person's rules, ~/.claude.json everything
 * Claude Code wrote, and every file what another buddy of the user still claims), and forget the
 * installation. The pinned conversation, transcripts, backups and audit log stay unless --purge.
 * write/uninstall.ts carries it out.
 *
 * It works from the state file an apply left on the target; without one, from the recipe's rendering:
 * whole files that match it, buddy-init's keys in the buddy's own token files, and in shared files the
 * entries the recipe asks for, each listed before anything is removed.
 */
import type { Artifact, Layout, ManagedJson } from '../../render/index.js';
import { getIn, isRecord, jsonEqual, memberKey, type JsonRecord } from '../../runtime/shared/json.js';
import type { Facts, Target } from '../../target/index.js';
import type { Action } from './actions.js';
import { emptiedFile } from './emptied.js';
import { isEnvFile, parseEnvFile } from './envfile.js';
import { Neighbours, readNeighbours, type Neighbour } from '../record/neighbours.js';
import { computeChange, decodeText, readCurrent, sha256, takeOut, type Change, type Ownership } from './change.js';
import { loadSealer } from '../record/seal.js';
import { ownsWhole, readApplyState, type ApplyState, type FileRecord } from '../record/state.js';

/** Nothing to uninstall: not a failure (a second uninstall is already done), said and exit 0. */
export class NothingInstalled extends Error {}

export interface UninstallPlan {
  target: string;
  name: string;
  layout: Layout;
  stop: Action[];
  remove: string[];
  /** Shared files that lose buddy-init's part (merged again when written). */
  unmerge: Change[];
  reload: Action[];
  /** Runtime files kept because another buddy on the target still uses them. */
  shared: string[];
  purge: string[];
  /** No state file: worked out from the recipe's rendering. */
  fromRendering: boolean;
  /** Without a state file: files the recipe renders that differ from it, so are not taken as buddy-init's. */
  notOurs: string[];
  ownership: Ownership;
}

export interface UninstallOptions {
  /** Without a state file, work from these (the recipe rendered with placeholder secrets). */
  rendering?: Artifact[];
  /** Claims beyond the other buddies' records (a rename: what the new name will write). */
  also?: Neighbour[];
  /** The other buddies' records when the caller has read them already (a rename's plan); else read here. */
  others?: Neighbour[];
  /** Stop the unit even if the facts (gathered for another name) do not show it running. */
  assumeRunning?: boolean;
}

export async function planUninstall(target: Target, layout: Layout, facts: Facts, name: string, purge: boolean, options: UninstallOptions = {}): Promise<UninstallPlan> {
  const [recorded, { sealer }, others] = await Promise.all([
    readApplyState(target, layout.applyState),
    loadSealer(target, layout),
    options.others ?? readNeighbours(target, layout).then((n) => n.list),
  ]);
  let state = recorded;
  let notOurs: string[] = [];
  if (!state && options.rendering) ({ state, notOurs } = await stateFromRendering(target, layout, options.rendering));
  if (!state || !Object.keys(state.files).length) throw new NothingInstalled(`nothing of buddy "${name}" is installed on ${target.label} (no ${layout.applyState}, and no file there matches the recipe)`);
  const ownership: Ownership = { previous: state, sealer, neighbours: new Neighbours([...others, ...(options.also ?? [])]), adopt: false };
  const owned = Object.entries(state.files).filter(([, r]) => ownsWhole(r)).map(([p]) => p);
  const shared = ownership.neighbours.inUse(owned);
  const unmerge: Change[] = [];
  const emptied: string[] = [];
  for (const [path, record] of Object.entries(state.files)) {
    if (!record.owned) continue;
    const artifact = takeOut(path, 'uninstall');
    const current = await readCurrent(target, artifact);
    if (!current) continue;
    const change = computeChange(artifact, current, ownership);
    if (change.op === 'unchanged') continue;
    if (emptiedFile(layout, path, change.after, record)) emptied.push(path);
    else unmerge.push(change);
  }
  const env = { XDG_RUNTIME_DIR: `/run/user/${facts.uid}` };
  const launchd = layout.init !== 'systemd-user';
  const domain = layout.init === 'launchd-daemon' ? 'system' : `gui/${facts.uid}`;
  const launchctl = facts.tools.launchctl?.path ?? '/bin/launchctl';
  const running = options.assumeRunning || facts.service.enabled || facts.service.active;
  const stop: Action[] =
    target.rebasedUnder || !running || (facts.init === 'none' && !launchd)
      ? []
      : launchd
        ? [{ argv: [launchctl, 'bootout', `${domain}/${layout.serviceName}`], reason: 'stop and unload the job', root: layout.init === 'launchd-daemon' && facts.uid !== 0 }]
        : [{ argv: ['systemctl', '--user', 'disable', '--now', layout.serviceName], reason: 'stop the buddy (claude gets /exit) and stop starting it at boot', env }];
  const reload: Action[] =
    !launchd && facts.init === 'systemd' && !target.rebasedUnder ? [{ argv: ['systemctl', '--user', 'daemon-reload'], reason: 'forget the unit', env }] : [];
  return {
    target: target.label,
    name,
    layout,
    stop,
    remove: [...owned.filter((p) => !shared.includes(p)), ...emptied],
    unmerge,
    reload,
    shared,
    purge: purge ? [layout.stateDir, layout.configDir] : [],
    fromRendering: !recorded,
    notOurs,
    ownership,
  };
}

/**
 * The record an apply of this recipe would have left, rebuilt from the target: whole files that hold
 * exactly what the recipe renders (secret files in the buddy's own folders whatever they hold: the
 * placeholders cannot match), buddy-init's keys in the buddy's own token files, and in other shared files
 * the entries the recipe asks for.
 */
async function stateFromRendering(target: Target, layout: Layout, artifacts: Artifact[]): Promise<{ state: ApplyState; notOurs: string[] }> {
  const files: Record<string, FileRecord> = {};
  const notOurs: string[] = [];
  const digests = await target.digest(artifacts.map((a) => a.path));
  const ownFolder = (path: string) => [layout.configDir, layout.stateDir].some((d) => path.startsWith(`${d}/`));
  for (const a of artifacts) {
    const hash = digests.get(a.path);
    if (!hash) continue;
    if (a.kind === 'file') {
      if (hash === sha256(a.content) || (a.display === 'secret' && ownFolder(a.path))) files[a.path] = { sha256: hash };
      else notOurs.push(a.path);
    } else {
      const text = decodeText(a.path, (await target.read(a.path)) ?? Buffer.alloc(0));
      const part = isEnvFile(a.path) ? keysPresent(a.managed, parseEnvFile(text)) : entriesPresent(a.managed, text);
      if (part.values.length + part.members.length) files[a.path] = { owned: part };
    }
  }
  return { state: { format: 2, buddyInit: '', name: '', appliedAt: '', pendingEffects: [], files }, notOurs };
}

/** In a token file: buddy-init's keys, whatever they hold (the rendering has placeholders, not the values). */
function keysPresent(managed: ManagedJson, doc: JsonRecord): ManagedJson {
  return { values: managed.values.filter((v) => doc[v.path[0]!] !== undefined).map((v) => ({ path: v.path, value: doc[v.path[0]!]! })), members: [] };
}

/** In a JSON file: the keys that hold what the recipe sets, and the list entries it adds that are there. */
function entriesPresent(managed: ManagedJson, text: string): ManagedJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { values: [], members: [] }; // not JSON: nothing of buddy-init's to find in it
  }
  if (!isRecord(doc)) return { values: [], members: [] };
  const values = managed.values.filter((v) => jsonEqual(getIn(doc, v.path), v.value));
  const members = managed.members.flatMap((m) => {
    const list = getIn(doc, m.path);
    const there = new Set(Array.isArray(list) ? list.map((i) => memberKey(i, m.match)) : []);
    const items = m.items.filter((i) => there.has(memberKey(i, m.match)));
    return items.length ? [{ path: m.path, items, ...(m.match ? { match: m.match } : {}) }] : [];
  });
  return { values, members };
}

/** What a person (or --json) sees of an uninstall plan: never the sealing key in its ownership. */
export function uninstallSummary(plan: UninstallPlan): object {
  return {
    target: plan.target,
    name: plan.name,
    fromRendering: plan.fromRendering,
    stop: plan.stop.map((a) => a.argv),
    remove: plan.remove,
    unmerge: plan.unmerge.map((c) => ({ path: c.artifact.path, removed: c.removed.length, leftForOthers: c.leftForOthers.length })),
    reload: plan.reload.map((a) => a.argv),
    shared: plan.shared,
    notOurs: plan.notOurs,
    purge: plan.purge,
  };
}
