/**
 * A renamed buddy's clean-up: the buddy this recipe was applied as before (compute/plan.ts finds it by
 * the recipe's origin) is planned out as uninstall would take it, except what the new name claims too,
 * and apply carries that out before it writes anything of the new name.
 */
import type { Artifact } from '../../render/index.js';
import type { Facts, Target } from '../../target/index.js';
import type { Neighbour } from '../record/neighbours.js';
import type { Plan } from './plan.js';
import { planUninstall } from './uninstall.js';

/** @param artifacts what this apply renders (its claims) */
export async function planRenameCleanup(plan: Plan, artifacts: Artifact[], target: Target, facts: Facts): Promise<Plan> {
  if (!plan.renamedFrom) return plan;
  const { buddy: old, layout } = plan.renamedFrom;
  // The neighbours the plan read, less the old buddy itself (its own record is what comes out), and
  // what this buddy will write, counted as claimed so that the old one's uninstall leaves it in place.
  const others = plan.neighbours.list.filter((n) => n !== old);
  const self = claimsOf(artifacts, plan);
  const uninstall = await planUninstall(target, layout, facts, old.name, false, { also: [self], others, assumeRunning: true });
  return { ...plan, renamed: { name: old.name, uninstall } };
}

/** This apply as a neighbour: every file it renders, whole or the entries it wants. */
function claimsOf(artifacts: Artifact[], plan: Plan): Neighbour {
  return {
    name: '(this apply)',
    stateDir: plan.layout.stateDir,
    sealer: plan.sealer,
    state: {
      format: 2,
      buddyInit: '',
      name: '',
      appliedAt: '',
      pendingEffects: [],
      files: Object.fromEntries(artifacts.map((a) => [a.path, a.kind === 'file' ? { sha256: '' } : { wants: a.managed }])),
    },
  };
}
