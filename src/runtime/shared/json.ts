/**
 * Small JSON helpers shared by the laptop side and the runtime: path access that creates objects on the
 * way, and an equality that ignores key order (Claude Code reorders keys when it rewrites a file).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRecord = { [key: string]: Json };

export const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

export function getIn(doc: Json | undefined, path: readonly string[]): Json | undefined {
  let node: Json | undefined = doc;
  for (const key of path) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Sets a value, creating objects along the way; throws if the way is blocked by a non-object. */
export function setIn(doc: JsonRecord, path: readonly string[], value: Json): void {
  let node: JsonRecord = doc;
  path.slice(0, -1).forEach((key, i) => {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (!isRecord(next)) throw new Error(`${path.slice(0, i + 1).join('.')} is not an object`);
    node = node[key] as JsonRecord;
  });
  node[path[path.length - 1]!] = value;
}

export function deleteIn(doc: JsonRecord, path: readonly string[]): void {
  const parent = getIn(doc, path.slice(0, -1));
  if (isRecord(parent)) delete parent[path[path.length - 1]!];
}

/** JSON text with object keys sorted, so two documents compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const jsonEqual = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/**
 * The part of a shared JSON file that buddy-init manages. Everything else in the file belongs to the
 * user or to Claude Code and is kept as found.
 */
export interface ManagedJson {
  /** Keys buddy-init sets. */
  values: Array<{ path: string[]; value: Json }>;
  /**
   * Arrays buddy-init contributes entries to (rules, hook entries, allowlisted ids). With `ensure`, the
   * array exists even when empty (a consumer may not expect it to be missing). `created` (in a record):
   * buddy-init made the array, so when it is no longer wanted it goes, even empty (for a chat plugin an
   * empty group allowlist means everyone). `keep`: the array stays even when buddy-init's entries go
   * (Claude Code refuses a scheduled tasks file without its `tasks` list). `match`: see memberKey.
   */
  members: Array<{ path: string[]; items: Json[]; ensure?: boolean; created?: boolean; keep?: boolean; match?: string[] }>;
}

/**
 * What makes two entries of a managed list the same entry. By default all of it; with `match`, only those
 * keys, so an entry Claude Code adds keys to (a scheduled task's lastFiredAt) is still the one buddy-init
 * wrote.
 */
export function memberKey(item: unknown, match?: readonly string[]): string {
  return canonical(identifyingPart(item, match));
}

/** The part of an entry that identifies it: the `match` keys of an object, or all of it. */
export function identifyingPart<T>(item: T, match?: readonly string[]): T | JsonRecord {
  if (!match || !isRecord(item)) return item;
  return Object.fromEntries(match.filter((k) => k in item).map((k) => [k, item[k]!]));
}
