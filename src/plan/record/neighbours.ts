/**
 * The other buddies of the same target user, as their records describe them. Buddies share files
 * (~/.claude.json, a workdir's settings.local.json, the runtime folder): a key or list entry there is
 * buddy-init's while any buddy owns it, and it stays while any buddy wants it. Each record says both
 * (`owned`: what that buddy put there; `wants`: what its recipe asks for there), so one buddy's merge,
 * leftover clean-up or uninstall never takes out what another still claims.
 */
import { posix } from 'node:path';
import type { Layout, ManagedJson } from '../../render/index.js';
import type { JsonRecord } from '../../runtime/shared/json.js';
import type { Target } from '../../target/index.js';
import { loadSealer, type Sealer } from './seal.js';
import { readApplyState, unionOwned, type ApplyState } from './state.js';

export interface Neighbour {
  name: string;
  state: ApplyState;
  stateDir: string;
  sealer: Sealer;
}

/** What other buddies claim in one shared file, read back against the file as it is now. */
export interface Claims {
  /** Entries another buddy owns: this buddy co-owns them when it wants them too. */
  owned: ManagedJson;
  /** Entries another buddy owns or wants: never removed on this buddy's behalf. */
  kept: ManagedJson;
}

export const NO_CLAIMS: Claims = { owned: { values: [], members: [] }, kept: { values: [], members: [] } };

export class Neighbours {
  constructor(readonly list: Neighbour[]) {}

  /** Other buddies' claims in `path`, unsealed against `doc` (each with its own key). */
  claims(path: string, doc: JsonRecord): Claims {
    let owned: ManagedJson = { values: [], members: [] };
    let kept: ManagedJson = { values: [], members: [] };
    for (const n of this.list) {
      const record = n.state.files[path];
      if (!record) continue;
      if (record.owned) {
        const theirs = n.sealer.unsealOwned(record.owned, doc);
        owned = unionOwned(owned, theirs);
        kept = unionOwned(kept, theirs);
      }
      if (record.wants) kept = unionOwned(kept, n.sealer.unsealOwned(record.wants, doc));
    }
    return { owned, kept };
  }

  /** Of `paths`, those another buddy's record names (a shared runtime file stays while one uses it). */
  inUse(paths: string[]): string[] {
    return paths.filter((p) => this.list.some((n) => n.state.files[p]));
  }
}

/** Every other buddy's record on the target (their folders sit beside this one's state folder). */
export async function readNeighbours(target: Target, layout: Layout): Promise<Neighbours> {
  const states = posix.dirname(layout.stateDir);
  const names = ((await target.list(states)) ?? []).filter((n) => !n.startsWith('.') && posix.join(states, n) !== layout.stateDir);
  const found = await Promise.all(
    names.map(async (name): Promise<Neighbour | undefined> => {
      const stateDir = posix.join(states, name);
      const state = await readApplyState(target, posix.join(stateDir, 'apply-state.json'));
      if (!state) return undefined;
      const { sealer } = await loadSealer(target, { stateDir });
      return { name, state, stateDir, sealer };
    }),
  );
  return new Neighbours(found.filter((n): n is Neighbour => Boolean(n)));
}
