/**
 * One file: what the target holds now, and the change that makes it what the recipe renders (created,
 * rewritten whole, or merged with what people and Claude Code wrote). plan, apply (re-merging at write
 * time) and uninstall share it.
 */
import { createHash } from 'node:crypto';
import { OperationError } from '../../errors.js';
import type { Artifact, ManagedJson } from '../../render/index.js';
import { isRecord, jsonEqual, type JsonRecord } from '../../runtime/shared/json.js';
import type { FileInfo, Target } from '../../target/index.js';
import { envKeys, isEnvFile, parseEnvFile, renderEnvFile } from './envfile.js';
import { mergeManaged, type MergeEntry } from './merge.js';
import { NO_CLAIMS, type Neighbours } from '../record/neighbours.js';
import type { Sealer } from '../record/seal.js';
import { ownsWhole, unionOwned, type ApplyState, type FileRecord } from '../record/state.js';

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
  /** buddy-init's entries no longer wanted here, left in place because another buddy claims them. */
  leftForOthers: MergeEntry[];
  /** A file buddy-init owns was edited on the target since the last apply. */
  editedSinceApply: boolean;
  /** The path is a symbolic link to this file: apply writes through it and keeps the link. */
  linkTo?: string;
}

/** Who owns what, as the plan read it: this buddy's last record, its key, the other buddies' records. */
export interface Ownership {
  previous?: ApplyState;
  /** Seals secret values in the record and the backups. */
  sealer: Sealer;
  neighbours: Neighbours;
  /**
   * No record of this buddy, but an earlier apply's files are there (the state file was deleted): what
   * matches the rendering is claimed as buddy-init's, so uninstall can take it out.
   */
  adopt: boolean;
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
export function computeChange(artifact: Artifact, current: Current | undefined, ownership?: Ownership): Change {
  const record = ownership?.previous?.files[artifact.path];
  const sealer = ownership?.sealer;
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
    leftForOthers: [] as MergeEntry[],
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
      const others = ownership?.neighbours.claims(artifact.path, doc) ?? NO_CLAIMS;
      const claims = ownership?.adopt ? { ...others, owned: unionOwned(others.owned, artifact.managed) } : others;
      merged = mergeManaged(doc, artifact.managed, record?.owned && sealer!.unsealOwned(record.owned, doc), claims);
    } catch (err) {
      throw new OperationError(`${artifact.path}: ${(err as Error).message}; buddy-init will not overwrite it, fix it first`);
    }
    after = isEnv ? renderEnvFile(text, merged.document, envKeys(artifact.managed, record?.owned)) : `${JSON.stringify(merged.document, null, 2)}\n`;
    same = text !== undefined && (isEnv ? text === after : jsonEqual(doc, merged.document));
    Object.assign(base, { owned: merged.owned, added: merged.added, removed: merged.removed, kept: merged.kept, leftForOthers: merged.leftForOthers });
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
export async function readCurrent(target: Target, artifact: Artifact, digests?: Map<string, string>): Promise<Current | undefined> {
  if (artifact.display === 'summary') {
    const hash = (digests ?? (await target.digest([artifact.path]))).get(artifact.path);
    const info = hash ? await target.stat(artifact.path) : undefined;
    return hash && info ? { sha256: hash, mode: info.mode, ...linked(info) } : undefined;
  }
  const [data, info] = await Promise.all([target.read(artifact.path), target.stat(artifact.path)]);
  return data && info ? { text: decodeText(artifact.path, data), mode: info.mode, ...linked(info) } : undefined;
}

/** A shared file with nothing wanted in it: merged, buddy-init's part comes out (leftovers, uninstall). */
export function takeOut(path: string, why: string): Artifact {
  const env = isEnvFile(path);
  return {
    kind: env ? 'env-merge' : 'json-merge',
    path,
    managed: { values: [], members: [] },
    mode: 0o644, // not 0600: the file keeps the mode it has
    description: `${why}: buddy-init's part comes out`,
    effects: [],
    display: env ? 'secret' : 'diff',
  };
}
