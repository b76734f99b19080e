import type { CommandModule } from 'yargs';
import { applyPlan, planIsEmpty } from '../../plan/index.js';
import { VERSION } from '../../version.js';
import { count } from '../../words.js';
import type { CommandContext } from '../context.js';
import { confirmAction, promptSudoPassword } from '../prompts.js';
import { InputError } from '../../errors.js';
import { planJson, printStillMissing } from '../planText.js';
import { runFleet } from './fleet.js';
import { buildPlan, showPlan, type TargetArgs } from '../hostPlan.js';
import { targetOptions, withAll, withRename, type AllArgs } from './plan.js';

export function applyCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs & AllArgs> {
  return {
    command: 'apply',
    describe: 'Make the target match the recipe: write what differs (atomic, with backups), then restart what needs it',
    builder: (y) => withRename(withAll(targetOptions(y))),
    handler: async (argv) => {
      const context = ctx();
      if (argv.all) return runFleet('apply', argv, context);
      const { out } = context;
      const planned = await buildPlan(argv, context, { lock: 'apply' });
      const { plan, target, facts, loaded } = planned;
      try {
        if (!out.json) showPlan(planned, out);
        if (planIsEmpty(plan)) {
          if (out.json) out.printJson({ ...planJson(plan, planned.requirements), applied: { written: [], ran: [] } });
          else out.print('Nothing written.');
          return;
        }
        if (plan.blocked) throw new InputError(`apply cannot run: ${plan.blocked}`);
        if (!(await confirmAction(context.interactive, context.flags.yes, 'Apply these changes?'))) {
          out.print('Not applied; nothing was written.');
          return;
        }
        const result = await applyPlan(plan, target, {
          buddyInit: VERSION,
          name: loaded.recipe.name,
          facts,
          ...(context.interactive ? { sudoPassword: () => promptSudoPassword(target.label) } : {}),
          progress: (line) => out.info(`  ${line}`),
        });
        if (out.json) {
          out.printJson({
            ...planJson(plan, planned.requirements),
            applied: {
              written: result.written.map((c) => c.artifact.path),
              removed: result.removed,
              backups: result.backups,
              ran: result.ran.map((a) => a.argv),
            },
          });
          return;
        }
        out.print(
          out.c.green(
            `Applied: ${count(result.written.length, 'file')} written, ${result.removed.length ? `${result.removed.length} removed, ` : ''}${count(result.backups.length, 'backup')} kept, ${count(result.ran.length, 'command')} run.`,
          ),
        );
        if (result.backups.length) out.print(`Backups: ${plan.layout.backupsDir}`);
        if (plan.skipped.length) out.print('Some commands were not run; see "Not run" above.');
        printStillMissing(planned.requirements, out);
      } finally {
        await planned.finish();
      }
    },
  };
}
