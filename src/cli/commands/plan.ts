import type { Argv, CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { buildPlan, showPlan, type TargetArgs } from '../hostPlan.js';
import { planJson } from '../planText.js';
import { runFleet } from './fleet.js';

export interface AllArgs {
  all?: boolean;
  inventory: string;
  parallel: number;
}

/** plan and apply: what to do with the buddy this recipe installed under its name before a rename. */
export function withRename<T>(y: Argv<T>): Argv<T & { keepRenamed: boolean }> {
  return y.option('keep-renamed', {
    type: 'boolean',
    default: false,
    describe: 'when the recipe was applied under another name before: keep that buddy installed (default: apply takes it out)',
  }) as unknown as Argv<T & { keepRenamed: boolean }>;
}

/** --all: the same command for every host of an inventory (plan, apply, status). */
export function withAll<T>(y: Argv<T>): Argv<T & AllArgs> {
  return y
    .option('all', { type: 'boolean', default: false, describe: 'every host of the inventory, in parallel' })
    .option('inventory', { alias: 'i', type: 'string', default: 'inventory.yaml', describe: 'inventory file for --all' })
    .option('parallel', { type: 'number', default: 4, describe: 'hosts at a time with --all' }) as Argv<T & AllArgs>;
}

export function targetOptions<T>(y: Argv<T>): Argv<T & TargetArgs> {
  return y
    .option('recipe', { alias: 'r', type: 'string', default: 'buddy.yaml', describe: 'recipe file (the one the wizard writes here)' })
    .option('root', {
      type: 'string',
      describe: 'local target only: put every file under this folder instead of /, and run no service commands',
    })
    .option('host', { type: 'string', describe: "provision this host over SSH instead of the recipe's target (user@host[:port] or a ~/.ssh/config alias)" })
    .option('accept-new', { type: 'boolean', default: false, describe: 'record the host key of a host not yet in ~/.ssh/known_hosts (like StrictHostKeyChecking=accept-new)' }) as Argv<
    T & TargetArgs
  >;
}

export function planCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs & AllArgs> {
  return {
    command: 'plan',
    describe: 'Show what apply would change on the target, with diffs (secrets masked); changes nothing',
    builder: (y) => withRename(withAll(targetOptions(y))),
    handler: async (argv) => {
      const context = ctx();
      if (argv.all) return runFleet('plan', argv, context);
      const planned = await buildPlan(argv, context);
      try {
        if (context.out.json) context.out.printJson(planJson(planned.plan, planned.requirements));
        else showPlan(planned, context.out);
      } finally {
        await planned.finish();
      }
    },
  };
}
