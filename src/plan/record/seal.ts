/**
 * Secrets at rest on the target. buddy-init's record of what it owns in a secret file, and the backups
 * it keeps, hold a keyed hash of each secret value (HMAC-SHA-256 under a random key kept 0600 in the
 * buddy's state folder), never the value: a token lives in its one 0600 file and nowhere else. The hash
 * still answers the two questions the record is for: "is this still the value buddy-init wrote?" (the
 * three-way merge, uninstall) and "did the file change since?".
 */
import { createHmac, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Layout, ManagedJson } from '../../render/index.js';
import { canonical, getIn, isRecord, setIn, type Json, type JsonRecord } from '../../runtime/shared/json.js';
import type { Target } from '../../target/index.js';

const PREFIX = 'hmac-sha256:';
const SEALED = /^hmac-sha256:[0-9a-f]{64}$/;
const isSealed = (v: Json | undefined): boolean => typeof v === 'string' && SEALED.test(v);
const holdsSealed = (v: Json): boolean => (Array.isArray(v) ? v.some(holdsSealed) : isRecord(v) ? Object.values(v).some(holdsSealed) : isSealed(v));

export class Sealer {
  constructor(readonly key: Buffer) {}

  seal(text: string): string {
    return PREFIX + createHmac('sha256', this.key).update(text).digest('hex');
  }

  /** Every string in `value` sealed (numbers, booleans and structure stay readable). */
  sealDeep(value: Json): Json {
    if (typeof value === 'string') return isSealed(value) ? value : this.seal(value);
    if (Array.isArray(value)) return value.map((v) => this.sealDeep(v));
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.sealDeep(v)]));
    return value;
  }

  sealOwned(owned: ManagedJson): ManagedJson {
    return {
      values: owned.values.map((v) => ({ path: v.path, value: this.sealDeep(v.value) })),
      members: owned.members.map((m) => ({ ...m, items: m.items.map((i) => this.sealDeep(i)) })),
    };
  }

  /**
   * A sealed record read back against the document as it is now: an entry whose seal matches what the
   * document holds becomes that value again (still buddy-init's); one that matches nothing stays sealed,
   * a value no document holds, so the merge treats it as changed by someone and leaves it alone. Legacy
   * records (plain values from before sealing) pass through unchanged.
   */
  unsealOwned(owned: ManagedJson, doc: JsonRecord): ManagedJson {
    // Each candidate sealed once, looked up by its canonical text: linear in the list (a search per
    // entry sealed 10,000 x 10,000 values for a long allowlist). Only an entry with a sealed string in it
    // can stand for a value; a plain one (a file without secrets, a legacy record) is itself.
    const index = (candidates: readonly Json[]) => new Map(candidates.map((c) => [canonical(this.sealDeep(c)), c] as const));
    const back = (sealed: Json, lookup: () => Map<string, Json>): Json => (holdsSealed(sealed) ? (lookup().get(canonical(sealed)) ?? sealed) : sealed);
    return {
      values: owned.values.map((v) => {
        const now = getIn(doc, v.path);
        return { path: v.path, value: now === undefined ? v.value : back(v.value, () => index([now])) };
      }),
      members: owned.members.map((m) => {
        const list = getIn(doc, m.path);
        let built: Map<string, Json> | undefined;
        const lookup = () => (built ??= index(Array.isArray(list) ? list : []));
        return { ...m, items: m.items.map((i) => back(i, lookup)) };
      }),
    };
  }

  /**
   * A secret file's text fit for a backup: in a KEY=value file every value is sealed (the person's other
   * lines keep their shape), in JSON every string under the paths buddy-init manages.
   */
  maskForBackup(text: string, kind: 'env' | 'json', managedPaths: readonly string[][]): string {
    if (kind === 'env') {
      return text.replace(/^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=)(.*)$/gm, (_m, head: string, value: string) => head + this.seal(value.trim()));
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return this.seal(text); // not JSON: nothing of it can be shown
    }
    if (!isRecord(doc)) return this.seal(text);
    for (const path of managedPaths) {
      const v = getIn(doc, path);
      if (v !== undefined) setIn(doc, path, this.sealDeep(v));
    }
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
}

/** Every path a managed part names (its keys and its lists). */
export const managedPaths = (...parts: Array<ManagedJson | undefined>): string[][] =>
  parts.flatMap((p) => [...(p?.values ?? []).map((v) => v.path), ...(p?.members ?? []).map((m) => m.path)]);

export const sealKeyPath = (layout: Pick<Layout, 'stateDir'>): string => posix.join(layout.stateDir, 'seal.key');

/** The buddy's sealing key from the target, or a new one (`created`: apply must store it first). */
export async function loadSealer(target: Target, layout: Pick<Layout, 'stateDir'>): Promise<{ sealer: Sealer; created: boolean }> {
  const stored = await target.read(sealKeyPath(layout));
  if (stored && stored.length >= 32) return { sealer: new Sealer(stored), created: false };
  return { sealer: new Sealer(randomBytes(32)), created: true };
}

export async function storeSealKey(target: Target, layout: Layout, sealer: Sealer): Promise<void> {
  await target.writeAtomic(sealKeyPath(layout), sealer.key, 0o600);
}
