/** What buddy-init's record (record/state.ts) will say of a plan's changes once they are written. */
import type { ManagedJson } from '../../render/index.js';
import { identifyingPart } from '../../runtime/shared/json.js';
import type { FileRecord } from '../record/state.js';
import type { Sealer } from '../record/seal.js';
import { sha256, type Change } from './change.js';

/**
 * What the state file records of each change: hashes, owned and wanted parts, a secret only ever sealed.
 * @param previous the last apply's records, for what stays true of a file (that buddy-init made it).
 */
export function stateRecords(changes: Change[], sealer: Sealer, previous: Record<string, FileRecord> = {}): Record<string, FileRecord> {
  const record = (c: Change): FileRecord => {
    const secret = c.artifact.display === 'secret';
    if (c.artifact.kind === 'file') return secret ? { hmac: sealer.seal(c.after) } : { sha256: sha256(c.after) };
    // As the record reads back: members carry only their path and items. Where items are known by some of
    // their keys (a scheduled task by id, cron, prompt...), only those are what it wants: the rest (the
    // createdAt stamped at render time) would make every run's record differ, and a no-op write.
    const wants = { values: c.artifact.managed.values, members: c.artifact.managed.members.map(({ path, items, match }) => ({ path, items: items.map((i) => identifyingPart(i, match)) })) };
    const hasWants = wants.values.length + wants.members.length > 0;
    const created = previous[c.artifact.path]?.created || (c.before === undefined && c.op === 'create');
    return { owned: secret ? sealer.sealOwned(c.owned!) : c.owned!, ...(hasWants ? { wants: secret ? sealer.sealOwned(wants) : wants } : {}), ...(created ? { created: true as const } : {}) };
  };
  const holdsAny = (m: ManagedJson | undefined) => Boolean(m && m.values.length + m.members.length > 0);
  return Object.fromEntries(
    changes
      // A shared file where buddy-init owns and wants nothing any more (its part taken out) is not its concern.
      .filter((c) => c.artifact.kind === 'file' || holdsAny(c.owned) || holdsAny(c.artifact.managed))
      .map((c) => [c.artifact.path, record(c)]),
  );
}
