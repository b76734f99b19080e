import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { applyPlan, planIsEmpty } from '../../plan/index.js';
import { diagnose, type Finding } from '../../operate/doctor.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../context.js';
import type { Output } from '../output.js';
import { count } from '../../words.js';
import { openBuddy } from '../pipeline.js';
import { confirmAction, promptSudoPassword } from '../prompts.js';
import { buildPlan, showPlan, type TargetArgs } from '../hostPlan.js';
import { targetOptions } from './plan.js';

function printFindings(findings: Finding[], out: Output, unfixed: Map<string, string>): void {
  const { c } = out;
  for (const f of findings) {
    out.print(`  ${f.ok ? c.green('ok  ') : f.warning ? c.yellow('WARN') : c.red('FAIL')} ${f.title}: ${f.detail}`);
    if (f.ok || !f.fix) continue;
    const why = unfixed.get(f.id);
    const manual = f.manual ? `; or: ${f.manual}` : '';
    out.print(c.dim(why ? `       --fix could not repair it: ${why}${f.manual ? `. By hand: ${f.manual}` : ''}` : `       fix: ${f.fix}${manual}${f.fixable ? '' : '  (needs you)'}`));
  }
}

/**
 * Why an apply left a finding it should repair as it was: under --root no service command runs; else
 * the apply's plan and the commands it ran, with their output, are printed above, and the finding is
 * still true of the box.
 */
function unfixedReason(f: Finding, rebased: boolean): string {
  if (rebased && ['service', 'linger'].includes(f.id)) return 'under --root, apply runs no service command (apply without --root on the box does)';
  return 'the repair ran (its plan and commands are printed above) and this is still so';
}

/** What the summary line recommends: --fix only when it can still do something. */
function verdict(failing: Finding[], fixed: boolean, unfixed: Map<string, string>): string {
  const needYou = failing.filter((f) => !f.fixable).length;
  if (!fixed) return failing.some((f) => f.fixable) ? '; --fix repairs the ones that do not say "needs you"' : '; each needs you (see its fix)';
  const left = failing.filter((f) => unfixed.has(f.id)).length;
  return [left && `; --fix could not repair ${left} (said above)`, needYou && `; ${needYou} need${needYou === 1 ? 's' : ''} you`].filter(Boolean).join('');
}

export function doctorCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs & { fix?: boolean }> {
  return {
    command: 'doctor',
    describe: 'Check every known pitfall and explain its fix; --fix repairs the safe ones through an apply (shown first; asks, or --yes)',
    builder: (y) => targetOptions(y).option('fix', { type: 'boolean', default: false, describe: 'repair what an apply can repair' }) as never,
    handler: async (argv) => {
      const context = ctx();
      const { out } = context;
      const b = await openBuddy(argv, context);
      try {
        let findings = await diagnose(b.target, b.loaded.recipe, b.layout, b.facts);
        const fixable = findings.filter((f) => !f.ok && f.fixable);
        const unfixed = new Map<string, string>();
        if (argv.fix && fixable.length) {
          out.info(`to repair ${fixable.map((f) => f.title).join(', ')}, an apply:`);
          const planned = await buildPlan(argv, context, { target: b.target, lock: 'doctor --fix' });
          try {
            // What the repair writes and runs, then the same question apply asks (or --yes).
            if (!out.json) showPlan(planned, out);
            if (planned.plan.blocked) throw new InputError(`doctor --fix cannot repair: ${planned.plan.blocked}`);
            if (!planIsEmpty(planned.plan) && !(await confirmAction(context.interactive, context.flags.yes, 'Apply these repairs?'))) {
              out.print('Not repaired; nothing was written.');
              return;
            }
            await applyPlan(planned.plan, b.target, {
              buddyInit: VERSION,
              name: b.loaded.recipe.name,
              facts: planned.facts,
              ...(context.interactive ? { sudoPassword: () => promptSudoPassword(b.target.label) } : {}),
              progress: (line) => out.info(`  ${line}`),
            });
          } finally {
            await planned.finish();
          }
          // Checked again from scratch: what the fix really changed, not what it meant to.
          const again = await openBuddy(argv, context);
          try {
            findings = await diagnose(again.target, again.loaded.recipe, again.layout, again.facts);
          } finally {
            await again.target.close();
          }
          const tried = new Set(fixable.map((f) => f.id));
          for (const f of findings) if (!f.ok && tried.has(f.id)) unfixed.set(f.id, unfixedReason(f, Boolean(b.target.rebasedUnder)));
        }
        const failing = findings.filter((f) => !f.ok && !f.warning);
        if (out.json) out.printJson({ name: b.loaded.recipe.name, target: b.target.label, findings: findings.map((f) => (unfixed.has(f.id) ? { ...f, unfixed: unfixed.get(f.id) } : f)) });
        else {
          out.print(out.c.bold(`doctor: buddy "${b.loaded.recipe.name}" on ${b.target.label}`));
          printFindings(findings, out, unfixed);
          out.print(failing.length ? `${count(failing.length, 'problem')}${verdict(failing, argv.fix === true, unfixed)}.` : out.c.green('No problems found.'));
        }
        if (failing.length) context.exitCode = 1;
      } finally {
        await b.target.close();
      }
    },
  };
}
