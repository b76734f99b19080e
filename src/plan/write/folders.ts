/**
 * Folders buddy-init made, removed once emptied: rmdir only, so a folder something else filled
 * meanwhile (the plugin's inbox, a paired id, a person's file) is never taken.
 */
import { posix } from 'node:path';
import type { Layout } from '../../render/index.js';
import type { Target } from '../../target/index.js';
import { CHAT_APPS } from '../compute/emptied.js';

/** Whether `path` is a file of another buddy-init version's runtime (`<share>/buddy-init/<version>/<file>`). */
export const inOlderRuntime = (layout: Layout, path: string): boolean =>
  posix.dirname(posix.dirname(path)) === posix.dirname(layout.runtimeDir) && posix.dirname(path) !== layout.runtimeDir;

/** After leftovers were removed: an older version's runtime folder and this buddy's chat folders. */
export async function removeEmptiedByApply(target: Target, layout: Layout, removed: readonly string[]): Promise<void> {
  if (!removed.length) return;
  for (const dir of new Set(removed.filter((p) => inOlderRuntime(layout, p)).map((p) => posix.dirname(p)))) await target.removeDirectory(dir);
  await removeEmptiedChatFolders(target, layout);
}

/** On uninstall: every folder of this buddy's (the runtime version, the config, the chat folders). */
export async function removeEmptiedFolders(target: Target, layout: Layout): Promise<void> {
  for (const dir of [layout.runtimeDir, posix.dirname(layout.runtimeDir), layout.configDir, posix.dirname(layout.configDir)]) await target.removeDirectory(dir);
  await removeEmptiedChatFolders(target, layout);
}

/** This buddy's chat folders and the `buddies` folder above them. */
async function removeEmptiedChatFolders(target: Target, layout: Layout): Promise<void> {
  for (const app of CHAT_APPS) {
    for (const dir of [layout.channelDir(app), posix.dirname(layout.channelDir(app))]) await target.removeDirectory(dir);
  }
}
