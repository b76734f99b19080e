/**
 * Shared files buddy-init made, emptied (write/folders.ts removes the folders). Each buddy's chat folders (`~/.claude/channels/<app>/buddies/
 * <name>`) are made by buddy-init for that buddy alone: a file there that loses buddy-init's part and is
 * left with nothing (an empty .env, `{}`) goes, as does the folder once nothing else (the plugin's
 * inbox, a paired id) is in it. Elsewhere an emptied shared file goes only if buddy-init's first write
 * made it (its record says `created`); one that was there before stays, since someone expects it there.
 */
import { posix } from 'node:path';
import type { Layout } from '../../render/index.js';
import { isRecord, type Json } from '../../runtime/shared/json.js';
import type { FileRecord } from '../record/state.js';

export const CHAT_APPS = ['discord', 'telegram'] as const;

/** Whether `after` (a file's text once buddy-init's part is out) holds nothing: blank, or JSON of empty objects and lists. */
function holdsNothing(after: string): boolean {
  if (after.trim() === '') return true;
  let doc: Json;
  try {
    doc = JSON.parse(after) as Json;
  } catch {
    return false;
  }
  const empty = (v: Json): boolean => (Array.isArray(v) ? v.length === 0 : isRecord(v) ? Object.values(v).every(empty) : false);
  return isRecord(doc) && empty(doc);
}

/** Whether the file at `path` goes instead of being left with nothing: in this buddy's own chat folder, or made by buddy-init. */
export function emptiedFile(layout: Layout, path: string, after: string, record: FileRecord | undefined): boolean {
  const own = CHAT_APPS.some((app) => posix.dirname(path) === layout.channelDir(app));
  return (own || record?.created === true) && holdsNothing(after);
}
