/**
 * buddy-init's record on the target of what it applied: a hash per file it owns (to notice hand edits),
 * the managed part it owns in each shared file (for the three-way merge and for uninstall), and effects
 * still owed when follow-up commands failed (so a re-run finishes the job).
 */
import semver from 'semver';
import { z } from 'zod';
import { OperationError } from '../../errors.js';
import type { Effect, ManagedJson } from '../../render/index.js';
import { canonical, isRecord, memberKey } from '../../runtime/shared/json.js';
import type { Target } from '../../target/index.js';
import { VERSION } from '../../version.js';

const json: z.ZodType<unknown> = z.unknown();
const managedSchema = z.object({
  values: z.array(z.object({ path: z.array(z.string()), value: json })),
  members: z.array(z.object({ path: z.array(z.string()), items: z.array(json), created: z.boolean().optional(), keep: z.boolean().optional(), match: z.array(z.string()).optional() })),
});

const stateSchema = z.object({
  // 1: secret values were recorded in clear (read, then rewritten sealed); 2: sealed (see seal.ts).
  format: z.union([z.literal(1), z.literal(2)]),
  buddyInit: z.string(),
  name: z.string(),
  appliedAt: z.string(),
  files: z.record(
    z.string(),
    z.object({ sha256: z.string().optional(), hmac: z.string().optional(), alt: z.array(z.string()).optional(), owned: managedSchema.optional(), wants: managedSchema.optional(), created: z.literal(true).optional() }),
  ),
  origin: z.string().optional(),
  pendingEffects: z.array(z.enum(['reload-init', 'restart-buddy'])).default([]),
  interrupted: z.boolean().optional(),
});

export interface FileRecord {
  /** Hash of the whole file, for files buddy-init owns. */
  sha256?: string;
  /** Keyed hash of the whole file instead, for an owned file that holds a secret. */
  hmac?: string;
  /** buddy-init's part of a shared file (every string sealed in a secret file). */
  owned?: ManagedJson;
  /**
   * What this buddy's recipe asks for in a shared file (sealed alike), owned or not: another buddy's
   * merge or uninstall leaves it in place (see neighbours.ts).
   */
  wants?: ManagedJson;
  /**
   * Other hashes that are buddy-init's too: while an apply runs, what the file held before it (the
   * write may not have happened yet).
   */
  alt?: string[];
  /**
   * A shared file buddy-init's first write made (nothing was there): when taking buddy-init's part out
   * leaves it holding nothing, it goes, rather than stay behind as `{}`.
   */
  created?: true;
}

export interface ApplyState {
  format: 2;
  buddyInit: string;
  name: string;
  appliedAt: string;
  files: Record<string, FileRecord>;
  pendingEffects: Effect[];
  /**
   * Where the recipe was applied from (machine and file): a buddy renamed in the same recipe finds its
   * old name's record by it, and the plan takes the old unit and files out.
   */
  origin?: string;
  /**
   * Written before an apply touches any file (write-ahead): the record claims what the last apply owned
   * and what this one will, so an apply cut short at any point can be finished or undone. Cleared when
   * the apply ends.
   */
  interrupted?: boolean;
  /** Read from a format 1 file, which may hold secrets in clear: the next apply rewrites it and scrubs the backups. */
  legacy?: boolean;
}

/**
 * The record an apply writes before it starts: for every file, what the last apply owned and what this
 * one will own (whole files: the new hash, the old one as an alternative; shared files: both owned parts).
 */
export function intentRecords(before: Record<string, FileRecord>, after: Record<string, FileRecord>): Record<string, FileRecord> {
  const out: Record<string, FileRecord> = { ...before };
  for (const [path, next] of Object.entries(after)) {
    const prev = before[path];
    if (!prev) out[path] = next;
    else if (ownsWhole(next)) {
      const hashes = [prev.sha256 ?? prev.hmac, ...(prev.alt ?? [])].filter((h): h is string => Boolean(h) && h !== (next.sha256 ?? next.hmac));
      out[path] = { ...next, ...(hashes.length ? { alt: [...new Set(hashes)] } : {}) };
    } else out[path] = { owned: unionOwned(prev.owned, next.owned ?? { values: [], members: [] }), ...(next.wants ? { wants: next.wants } : {}) };
  }
  return out;
}

/** Everything in either part (entries compared by their canonical text). */
export function unionOwned(a: ManagedJson | undefined, b: ManagedJson): ManagedJson {
  if (!a) return b;
  const key = (path: string[], value: unknown) => `${path.join('\0')}\u0001${canonical(value)}`;
  const values = [...b.values];
  const seen = new Set(values.map((v) => key(v.path, v.value)));
  for (const v of a.values) if (!seen.has(key(v.path, v.value))) values.push(v);
  const members = b.members.map((m) => ({ ...m, items: [...m.items] }));
  for (const m of a.members) {
    const same = members.find((x) => x.path.join('\0') === m.path.join('\0'));
    if (!same) {
      members.push(m);
      continue;
    }
    const have = new Set(same.items.map((i) => memberKey(i, same.match)));
    for (const item of m.items) if (!have.has(memberKey(item, same.match))) same.items.push(item);
    if (m.created) same.created = true;
  }
  return { values, members };
}

/** Whether buddy-init owns the whole file (it wrote it; it may delete it). */
export const ownsWhole = (record: FileRecord): boolean => Boolean(record.sha256 ?? record.hmac);

export async function readApplyState(target: Target, path: string): Promise<ApplyState | undefined> {
  const raw = await target.read(path);
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new OperationError(`${path} on ${target.label} is not valid JSON (${(err as Error).message}); move it away to start over`);
  }
  // A newer buddy-init may record more than this one knows: writing its state back would lose it.
  const writer = isRecord(parsed) && typeof parsed.buddyInit === 'string' ? parsed.buddyInit : undefined;
  const newerFormat = isRecord(parsed) && typeof parsed.format === 'number' && parsed.format > 2;
  if (newerFormat || (writer && semver.valid(writer) && semver.gt(writer, VERSION))) {
    throw new OperationError(`${path} on ${target.label} was written by buddy-init ${writer ?? '(a newer format)'}, this is ${VERSION}; upgrade buddy-init (npx buddy-init@latest) to change this buddy`);
  }
  const result = stateSchema.safeParse(parsed);
  if (!result.success) {
    throw new OperationError(`${path} on ${target.label} is not a buddy-init state file; move it away to start over`);
  }
  const { format, ...rest } = result.data;
  return { ...(rest as Omit<ApplyState, 'format'>), format: 2, ...(format === 1 ? { legacy: true } : {}) };
}

export async function writeApplyState(target: Target, path: string, state: ApplyState): Promise<void> {
  const { legacy: _legacy, ...record } = state;
  await target.writeAtomic(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}
