/** The plan's follow-up commands (installs, daemon-reload, restart), run in order, then checked to have taken. */
import { OperationError } from '../../errors.js';
import type { Target } from '../../target/index.js';
import type { Action } from '../compute/actions.js';
import type { Plan } from '../compute/plan.js';
import { pluginShortfall } from '../compute/plugins.js';
import type { RootRunner } from './rootRunner.js';

export async function runCommands(plan: Plan, target: Target, root: RootRunner, progress: (line: string) => void): Promise<Action[]> {
  const ran: Action[] = [];
  for (const action of plan.actions) {
    progress(`running ${action.root ? 'as root: ' : ''}${action.argv.join(' ')}`);
    const said = await root.run(action);
    for (const line of said ? said.split('\n') : []) progress(`  | ${line}`);
    ran.push(action);
  }
  // A command exiting 0 is not proof: what it installed must be there.
  const shortfall = plan.actions.some((a) => a.argv[1] === 'plugin') ? await pluginShortfall(target, plan.layout, plan.plugins) : undefined;
  if (shortfall) throw new OperationError(shortfall);
  if (plan.bun) await verifyBun(target, plan.bun);
  return ran;
}

/** After npm install: Bun must run from where the plan said, at the version asked for. */
async function verifyBun(target: Target, bun: NonNullable<Plan['bun']>): Promise<void> {
  const r = await target.run([bun.path, '--version']);
  const got = r.stdout.trim();
  if (r.code !== 0) throw new OperationError(`${bun.path}: npm install reported success, but Bun does not run: ${r.stderr.trim() || `exit ${r.code}`}`);
  if (bun.version && got !== bun.version) throw new OperationError(`${bun.path}: npm install reported success, but it is Bun ${got}, not ${bun.version}`);
}
