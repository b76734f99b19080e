/**
 * recipe -> plan for one host: load, connect, read the facts, resolve the secrets, render, plan. Shared
 * by `plan`, `apply`, `doctor`, the fleet commands and the wizard.
 */
import { acquireLock, planIsEmpty, type HeldLock, type Plan } from '../plan/index.js';
import type { LoadedRecipe } from '../recipe/index.js';
import type { Facts, Requirement, Target } from '../target/index.js';
import { count } from '../words.js';
import type { CommandContext } from './context.js';
import { factsStep, loadStep, openTarget, originOf, planStep, renderStep, requirementsOf, secretsStep } from './pipeline.js';
import { printPlan } from './planText.js';
import { promptSecret } from './prompts.js';

export interface TargetArgs {
  recipe: string;
  root?: string;
  host?: string;
  acceptNew?: boolean;
}

export interface Planned {
  loaded: LoadedRecipe;
  target: Target;
  facts: Facts;
  plan: Plan;
  requirements: Requirement[];
  /** Releases the target's lock (when one was taken) and closes the connection (when buildPlan opened it). */
  finish(): Promise<void>;
}

export interface PlanExtras {
  /** A connection the caller already opened (the wizard tested it before asking anything else). */
  target?: Target;
  /** Secrets typed into the wizard, by slot key: used for this apply, never written to the recipe. */
  known?: ReadonlyMap<string, string>;
  /** A recipe already loaded (an inventory host's, with its overrides). */
  loaded?: LoadedRecipe;
  /** Take the target user's lock for this command before reading anything (apply, not plan). */
  lock?: string;
  /** Where the recipe is applied from (default: this machine and the recipe file). */
  origin?: string;
}

/** recipe -> plan, shared by `plan`, `apply` and the wizard. The caller closes `target`. */
export async function buildPlan(argv: TargetArgs & { keepRenamed?: boolean }, ctx: CommandContext, extras: PlanExtras = {}): Promise<Planned> {
  const { out } = ctx;
  const loaded = extras.loaded ?? loadStep(argv.recipe, out);
  const target = extras.target ?? (await openTarget(loaded, argv, ctx));
  let held: HeldLock | undefined;
  const finish = async () => {
    await held?.release();
    if (!extras.target) await target.close();
  };
  try {
    const facts = await factsStep(target, loaded);
    const secrets = await secretsStep(loaded, 'resolve', {
      target,
      facts,
      ...(extras.known ? { known: extras.known } : {}),
      ...(ctx.interactive ? { prompt: promptSecret } : {}),
    });
    out.addSecrets(secrets.values());
    const rendering = renderStep(loaded, facts, secrets);
    // After every input is checked (a bad secret or recipe writes nothing, not even the lock), before the
    // plan reads what is on the target.
    if (extras.lock) held = await acquireLock(target, facts.home, extras.lock, (line) => out.warn(line));
    const plan = await planStep(target, loaded, facts, rendering, ctx.interactive, {
      origin: extras.origin ?? originOf(loaded.file),
      ...(argv.keepRenamed ? { keepRenamed: true } : {}),
    });
    return { loaded, target, facts, plan, requirements: requirementsOf(loaded, facts, target), finish };
  } catch (err) {
    await finish();
    throw err;
  }
}

export function showPlan(planned: Planned, out: CommandContext['out'], diff = true): void {
  const { plan, facts, loaded, requirements } = planned;
  const title = `Plan for buddy "${loaded.recipe.name}" on ${plan.target} (${facts.os} ${facts.arch}, user ${facts.user})`;
  printPlan(plan, requirements, out, title, diff);
  if (plan.blocked) out.warn(`apply cannot run: ${plan.blocked}`);
  out.print();
  out.print(planIsEmpty(plan) ? out.c.green('No changes: the target already matches the recipe.') : summary(plan));
}

/** One line of counts: what apply would create, update, remove and run. */
export function summary(plan: Plan): string {
  const create = plan.changes.filter((c) => c.op === 'create').length;
  const update = plan.changes.filter((c) => c.op === 'update').length;
  const remove = plan.remove.length ? `, ${plan.remove.length} to remove` : '';
  const renamed = plan.renamed ? `, buddy "${plan.renamed.name}" taken out` : '';
  return `${create} to create, ${update} to update${remove}${renamed}, ${count(plan.actions.length, 'command')} to run.`;
}
