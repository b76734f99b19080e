/**
 * Uninstall, from the state file an apply left on the target: stop the service, delete the files
 * buddy-init owns, take buddy-init's own parts out of shared files (settings.local.json keeps the
 * person's rules, ~/.claude.json everything Claude Code wrote), and forget the installation. The
 * pinned conversation, transcripts, backups and audit log stay unless --purge.
 */
import { posix } from 'node:path';
import { InputError, OperationError } from '../errors.js';
import type { Layout } from '../render/index.js';
import { isRecord, jsonEqual, type JsonRecord } from '../runtime/shared/json.js';
import type { Facts, Target } from '../target/index.js';
import type { Action } from './actions.js';
import { emptiedChatFile, removeEmptiedChatFolders } from './chatFolder.js';
import { envKeys, isEnvFile, parseEnvFile, renderEnvFile } from './envfile.js';
import { mergeManaged, type MergeEntry } from './merge.js';
import { decodeText } from './plan.js';
import { loadSealer } from './seal.js';
import { ownsWhole, readApplyState, runtimeInUse } from './state.js';

export interface Unmerge {
  path: string;
  after: string;
  removed: MergeEntry[];
}

export interface UninstallPlan {
  target: string;
  stop: Action[];
  remove: string[];
  unmerge: Unmerge[];
  reload: Action[];
  /** Runtime files kept because another buddy on the target still uses them. */
  shared: string[];
  purge: string[];
}

export async function planUninstall(target: Target, layout: Layout, facts: Facts, name: string, purge: boolean): Promise<UninstallPlan> {
  const state = await readApplyState(target, layout.applyState);
  if (!state) throw new InputError(`nothing of buddy "${name}" is installed on ${target.label} (no ${layout.applyState})`);
  const owned = Object.entries(state.files).filter(([, r]) => ownsWhole(r)).map(([p]) => p);
  const { sealer } = await loadSealer(target, layout);
  const shared = await runtimeInUse(target, layout, owned);
  const unmerge: Unmerge[] = [];
  const emptied: string[] = [];
  for (const [path, record] of Object.entries(state.files)) {
    if (!record.owned) continue;
    const data = await target.read(path);
    if (!data) continue;
    const text = decodeText(path, data);
    const env = isEnvFile(path);
    let doc: JsonRecord;
    try {
      const parsed: unknown = env ? parseEnvFile(text) : JSON.parse(text);
      if (!isRecord(parsed)) throw new Error('not a JSON object');
      doc = parsed;
    } catch (err) {
      throw new OperationError(`${path} on ${target.label} cannot be read (${(err as Error).message}); fix it, then uninstall again`);
    }
    const merged = mergeManaged(doc, { values: [], members: [] }, sealer.unsealOwned(record.owned, doc));
    if (jsonEqual(merged.document, doc)) continue;
    const after = env ? renderEnvFile(text, merged.document, envKeys(record.owned)) : `${JSON.stringify(merged.document, null, 2)}\n`;
    if (emptiedChatFile(layout, path, after)) emptied.push(path);
    else unmerge.push({ path, removed: merged.removed, after });
  }
  const env = { XDG_RUNTIME_DIR: `/run/user/${facts.uid}` };
  const launchd = layout.init !== 'systemd-user';
  const domain = layout.init === 'launchd-daemon' ? 'system' : `gui/${facts.uid}`;
  const launchctl = facts.tools.launchctl?.path ?? '/bin/launchctl';
  const running = facts.service.enabled || facts.service.active;
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
    stop,
    remove: [...owned.filter((p) => !shared.includes(p)), ...emptied],
    unmerge,
    reload,
    shared,
    purge: purge ? [layout.stateDir, layout.configDir] : [],
  };
}

export async function applyUninstall(
  plan: UninstallPlan,
  target: Target,
  layout: Layout,
  run: (action: Action) => Promise<void>,
  progress: (line: string) => void = () => {},
): Promise<void> {
  for (const action of plan.stop) {
    progress(`running ${action.argv.join(' ')}`);
    await run(action);
  }
  for (const u of plan.unmerge) {
    const mode = (await target.stat(u.path))?.mode ?? 0o600;
    await target.writeAtomic(u.path, u.after, mode);
    progress(`took buddy-init's part out of ${u.path}`);
  }
  for (const path of plan.remove) {
    await target.remove(path);
    progress(`removed ${path}`);
  }
  // Folders buddy-init made and emptied (the runtime version, the config); kept if anything else is in them.
  for (const dir of [layout.runtimeDir, posix.dirname(layout.runtimeDir), layout.configDir, posix.dirname(layout.configDir)]) {
    if ((await target.list(dir))?.length === 0) await target.remove(dir);
  }
  await removeEmptiedChatFolders(target, layout);
  for (const action of plan.reload) await run(action);
  await target.remove(layout.applyState);
  for (const dir of plan.purge) {
    await target.remove(dir);
    progress(`removed ${dir}`);
  }
}
