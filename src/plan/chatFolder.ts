/**
 * Each buddy's chat folders (`~/.claude/channels/<app>/buddies/<name>`) are made by buddy-init for that
 * buddy alone. A file there that loses buddy-init's part and is left with nothing (an empty .env, `{}`)
 * goes, as does the folder once nothing else (the plugin's inbox, a paired id) is in it; in any other
 * place an emptied shared file stays, since someone else may expect it there.
 */
import { posix } from 'node:path';
import type { Layout } from '../render/index.js';
import type { Target } from '../target/index.js';

const APPS = ['discord', 'telegram'] as const;

/** Whether `path` is in one of this buddy's own chat folders and `after` (its text once unmerged) holds nothing. */
export function emptiedChatFile(layout: Layout, path: string, after: string): boolean {
  const own = APPS.some((app) => posix.dirname(path) === layout.channelDir(app));
  return own && (after.trim() === '' || after.trim() === '{}');
}

/** Removes this buddy's chat folders and the `buddies` folder above them, where empty. */
export async function removeEmptiedChatFolders(target: Target, layout: Layout): Promise<void> {
  for (const app of APPS) {
    for (const dir of [layout.channelDir(app), posix.dirname(layout.channelDir(app))]) {
      if ((await target.list(dir))?.length === 0) await target.remove(dir);
    }
  }
}
