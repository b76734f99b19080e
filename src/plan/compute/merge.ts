/**
 * Three-way merge of buddy-init's managed part of a shared file.
 *
 * Inputs: what the file holds now (the user's and Claude Code's edits included), what buddy-init wants
 * now, and what buddy-init owned after its last apply (from the state file). buddy-init removes only
 * what it owned and no longer wants, adds what it wants and is missing, and keeps everything else, so a
 * "don't ask again" grant that Claude Code wrote survives a posture change.
 *
 * Ownership is claimed only for what buddy-init changed: a rule a person had already granted by hand
 * stays theirs, even if the recipe asks for it too, and is kept when the recipe stops asking.
 */
import type { JsonRecord, Json } from '../../runtime/shared/json.js';
import { deleteIn, getIn, isRecord, jsonEqual, memberKey, setIn } from '../../runtime/shared/json.js';
import type { ManagedJson } from '../../render/index.js';
import { NO_CLAIMS, type Claims } from '../record/neighbours.js';

/** One thing a merge did: a key set or removed, or a list entry added, removed or kept. */
export interface MergeEntry {
  path: string[];
  /** The key's new value, or the list entry. */
  value?: Json;
}

export function describeEntry(entry: MergeEntry, showValue = true): string {
  const where = entry.path.join('.');
  if (!showValue || entry.value === undefined) return where;
  return `${where}: ${typeof entry.value === 'string' ? entry.value : JSON.stringify(entry.value)}`;
}

export interface MergeResult {
  document: JsonRecord;
  /** What buddy-init owns after this merge (goes into the state file). */
  owned: ManagedJson;
  added: MergeEntry[];
  removed: MergeEntry[];
  /** Entries in managed arrays that belong to someone else and were kept. */
  kept: MergeEntry[];
  /** buddy-init's entries this buddy no longer wants, left in place because another buddy claims them. */
  leftForOthers: MergeEntry[];
}

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/** Removes objects along `path` that our removals left empty (`hooks: {}` after the hook entry went). */
function pruneEmptied(doc: JsonRecord, path: string[]): void {
  for (let n = path.length; n > 0; n--) {
    const node = getIn(doc, path.slice(0, n));
    if (!isRecord(node) || Object.keys(node).length > 0) return;
    deleteIn(doc, path.slice(0, n));
  }
}

/**
 * `others`: what the target user's other buddies own and want in this file (neighbours.ts). What another
 * buddy wants is never removed here; what another buddy owns and this one wants is co-owned (so the last
 * buddy to leave takes it out, not the first).
 */
export function mergeManaged(current: JsonRecord, want: ManagedJson, previous: ManagedJson | undefined, others: Claims = NO_CLAIMS): MergeResult {
  const doc = structuredClone(current);
  const result: MergeResult = { document: doc, owned: { values: [], members: [] }, added: [], removed: [], kept: [], leftForOthers: [] };
  const prevValues = previous?.values ?? [];
  const prevMembers = previous?.members ?? [];
  const claimed = (part: ManagedJson, path: string[], value: Json) => part.values.some((v) => samePath(v.path, path) && jsonEqual(v.value, value));

  for (const prev of prevValues) {
    if (want.values.some((w) => samePath(w.path, prev.path))) continue;
    // Only undo our own value: if someone changed it since, it is theirs now.
    if (jsonEqual(getIn(doc, prev.path), prev.value)) {
      if (claimed(others.kept, prev.path, prev.value as Json)) {
        result.leftForOthers.push({ path: prev.path });
        continue;
      }
      deleteIn(doc, prev.path);
      pruneEmptied(doc, prev.path.slice(0, -1));
      result.removed.push({ path: prev.path });
    }
  }
  for (const w of want.values) {
    const wasOurs = prevValues.some((p) => samePath(p.path, w.path));
    if (!jsonEqual(getIn(doc, w.path), w.value)) {
      setIn(doc, w.path, w.value);
      result.added.push({ path: w.path, value: w.value });
      result.owned.values.push(w);
    } else if (wasOurs || claimed(others.owned, w.path, w.value as Json)) {
      result.owned.values.push(w);
    }
  }

  const paths = [...want.members.map((m) => m.path), ...prevMembers.map((m) => m.path)].filter(
    (p, i, all) => all.findIndex((q) => samePath(p, q)) === i,
  );
  for (const path of paths) {
    const wantedEntry = want.members.find((m) => samePath(m.path, path));
    const wanted = wantedEntry?.items ?? [];
    const previousEntry = prevMembers.find((m) => samePath(m.path, path));
    const ownedBefore = previousEntry?.items ?? [];
    const existing = getIn(doc, path);
    if (existing !== undefined && !Array.isArray(existing)) throw new Error(`${path.join('.')} is not a list`);
    // Entries are compared by their canonical text (or that of the keys that identify them), computed
    // once each: a merge is linear in the list sizes (a quadratic one took 13 s of CPU for 2,000 rules).
    const match = wantedEntry?.match ?? previousEntry?.match;
    const keep = wantedEntry?.keep ?? previousEntry?.keep;
    const canonical = (item: unknown) => memberKey(item, match);
    const wantedKeys = new Set(wanted.map(canonical));
    const itemsAt = (part: ManagedJson) => part.members.filter((m) => samePath(m.path, path)).flatMap((m) => m.items.map(canonical));
    // What another buddy owns counts as ours to keep owning; what it wants or owns is not ours to drop.
    const ownedBeforeKeys = new Set([...ownedBefore.map(canonical), ...itemsAt(others.owned)]);
    // An entry matched by its identifying keys stays recorded as it was first written (a scheduled task's
    // createdAt is stamped at render time): the record of a no-op is the record before it.
    const ownedBeforeByKey = new Map(ownedBefore.map((item) => [canonical(item), item]));
    const othersKeep = new Set(itemsAt(others.kept));
    const drop = new Set(ownedBefore.map(canonical).filter((k) => !wantedKeys.has(k)));
    const before: Json[] = existing ?? [];
    const list: Json[] = [];
    const listKeys = new Set<string>();
    const removedKeys = new Set<string>();
    for (const item of before) {
      const key = canonical(item);
      if (drop.has(key) && othersKeep.has(key)) result.leftForOthers.push({ path, value: item });
      else if (drop.has(key)) {
        if (!removedKeys.has(key)) result.removed.push({ path, value: item });
        removedKeys.add(key);
        continue;
      }
      list.push(item);
      listKeys.add(key);
    }
    const ownedNow: Json[] = [];
    const ownedNowKeys = new Set<string>();
    for (const item of wanted) {
      const key = canonical(item);
      if (!listKeys.has(key)) {
        list.push(item);
        listKeys.add(key);
        ownedNow.push(item);
        ownedNowKeys.add(key);
        result.added.push({ path, value: item });
      } else if (ownedBeforeKeys.has(key) && !ownedNowKeys.has(key)) {
        ownedNow.push(ownedBeforeByKey.get(key) ?? item);
        ownedNowKeys.add(key);
      }
    }
    for (const item of list) {
      const key = canonical(item);
      if (!ownedNowKeys.has(key) && !wantedKeys.has(key) && !othersKeep.has(key)) result.kept.push({ path, value: item });
    }
    // No longer wanted and empty, and either emptied by this merge's removals or buddy-init's own (it made
    // the list, or set a key beside it): the list goes, with the objects it leaves empty. An empty list
    // left behind would not be neutral: for a chat plugin an empty group allowlist lets everyone in.
    const created = Boolean(wantedEntry && (existing === undefined ? list.length > 0 || wantedEntry.ensure : previousEntry?.created));
    const ours = previousEntry?.created || ownedBefore.length > 0 || prevValues.some((v) => samePath(v.path.slice(0, -1), path.slice(0, -1)));
    const emptiedByUs = existing !== undefined && list.length === 0 && !wantedEntry && !keep && (existing.length > 0 || ours);
    if (emptiedByUs) {
      deleteIn(doc, path);
      pruneEmptied(doc, path.slice(0, -1));
    } else if (existing !== undefined || list.length > 0 || wantedEntry?.ensure) setIn(doc, path, list);
    if (ownedNow.length || created) result.owned.members.push({ path, items: ownedNow, ...(created ? { created } : {}), ...(keep ? { keep } : {}), ...(match ? { match } : {}) });
  }
  return result;
}
