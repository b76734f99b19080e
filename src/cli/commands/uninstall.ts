import type { CommandModule } from 'yargs';
import { acquireLock, applyUninstall, NothingInstalled, planUninstall, RootRunner, uninstallSummary, type HeldLock } from '../../plan/index.js';
import { layoutFor } from '../../render/index.js';
import { VERSION } from '../../version.js';
import { count } from '../../words.js';
import type { CommandContext } from '../context.js';
import { factsStep, loadStep, openTarget, renderStep, secretsStep } from '../pipeline.js';
import { confirmAction, promptSudoPassword } from '../prompts.js';
import type { TargetArgs } from '../hostPlan.js';
import { targetOptions } from './plan.js';

export interface UninstallArgs extends TargetArgs {
  purge?: boolean;
}

/** Shows what uninstall removes, asks, removes. Shared by the command and the wizard. */
export async function runUninstall(argv: UninstallArgs, context: CommandContext): Promise<void> {
  const { out } = context;
  const loaded = loadStep(argv.recipe, out);
  const target = await openTarget(loaded, argv, context);
  let held: HeldLock | undefined;
  try {
    const facts = await factsStep(target, loaded);
    const layout = layoutFor(loaded.recipe, facts, VERSION);
    held = await acquireLock(target, facts.home, 'uninstall', (line) => out.warn(line));
    // Without a state file, uninstall works from the rendering (placeholders: no secret is needed to find
    // what to take out, and none is read).
    const rendering = renderStep(loaded, facts, await secretsStep(loaded, 'placeholders')).artifacts;
    let plan;
    try {
      plan = await planUninstall(target, layout, facts, loaded.recipe.name, Boolean(argv.purge), { rendering });
    } catch (err) {
      if (!(err instanceof NothingInstalled)) throw err;
      // Already uninstalled: only --purge has something left to do (the state an uninstall keeps).
      const purged: string[] = [];
      for (const dir of argv.purge ? [layout.stateDir, layout.configDir] : []) {
        if (!(await target.stat(dir))) continue;
        await target.remove(dir);
        purged.push(dir);
      }
      if (out.json) out.printJson({ target: target.label, name: loaded.recipe.name, nothingInstalled: true, purged });
      else out.print([`Nothing to do: ${err.message}.`, ...purged.map((d) => `  removed ${d}/ (--purge)`)].join('\n'));
      return;
    }
    if (out.json) out.printJson(uninstallSummary(plan));
    else {
      out.print(out.c.bold(`Uninstall buddy "${loaded.recipe.name}" from ${target.label}`));
      if (plan.fromRendering) out.warn(`no record of an apply (${layout.applyState} is missing): working from the recipe, everything below matches it`);
      plan.stop.forEach((a) => out.print(`  run     ${a.argv.join(' ')}  ${out.c.dim(`# ${a.reason}`)}`));
      plan.unmerge.forEach((u) => {
        const others = u.leftForOthers.length ? `; ${u.leftForOthers.length} left for another buddy that wants them` : '';
        out.print(`  ~ ${u.artifact.path}  ${out.c.dim(`(${count(u.removed.length, 'entry', 'entries')} of buddy-init's taken out${others}; the rest kept)`)}`);
      });
      plan.remove.forEach((p) => out.print(`  - ${p}`));
      plan.shared.forEach((p) => out.print(`  = ${p}  ${out.c.dim('(kept: another buddy uses it)')}`));
      plan.notOurs.forEach((p) => out.print(`  = ${p}  ${out.c.dim('(kept: differs from what the recipe renders)')}`));
      plan.purge.forEach((p) => out.print(`  - ${p}/  ${out.c.dim('(--purge)')}`));
      if (!plan.purge.length) out.print(out.c.dim('  Kept: the pinned conversation, transcripts, backups and the audit log (--purge removes buddy-init\'s state too).'));
    }
    if (!(await confirmAction(context.interactive, context.flags.yes, 'Uninstall?'))) {
      out.print('Not uninstalled; nothing was changed.');
      return;
    }
    const root = new RootRunner(target, facts, context.interactive ? () => promptSudoPassword(target.label) : undefined);
    await applyUninstall(plan, target, (a) => root.run(a), (line) => out.info(`  ${line}`));
    out.print(out.c.green(`Uninstalled buddy "${loaded.recipe.name}".`));
  } finally {
    await held?.release();
    await target.close();
  }
}

export function uninstallCommand(ctx: () => CommandContext): CommandModule<object, UninstallArgs> {
  return {
    command: 'uninstall',
    describe: "Stop the buddy and remove what buddy-init installed (its unit, runtime and rules); keeps the person's files",
    builder: (y) => targetOptions(y).option('purge', { type: 'boolean', default: false, describe: "also remove buddy-init's state: pinned conversation id, backups, audit log" }),
    handler: (argv) => runUninstall(argv, ctx()),
  };
}
