import type { CommandModule } from 'yargs';
import { InputError, InputErrors } from '../../errors.js';
import { loadInventory } from '../../fleet/inventory.js';
import { secretShapeProblem, secretSlots, type LoadedRecipe } from '../../recipe/index.js';
import { count } from '../../words.js';
import type { CommandContext } from '../context.js';
import { loadStep } from '../pipeline.js';

interface ValidateArgs {
  recipe: string;
  inventory?: string;
  strict: boolean;
}

export function validateCommand(ctx: () => CommandContext): CommandModule<object, ValidateArgs> {
  return {
    command: 'validate',
    describe: 'Check a recipe, or every host of an inventory (schema, permission rules, secret references), without touching any machine',
    builder: (y) =>
      y
        .option('recipe', { alias: 'r', type: 'string', default: 'buddy.yaml', describe: 'recipe file' })
        .option('inventory', { alias: 'i', type: 'string', describe: "check every host of this inventory instead: each host's recipe with its overrides" })
        .option('strict', { type: 'boolean', default: false, describe: 'an environment variable a secret reference names must be set, and a token in it of its shape (else a warning)' }) as never,
    handler: (argv) => {
      const { out } = ctx();
      if (argv.inventory !== undefined) return validateInventory(argv.inventory, argv.strict, ctx());
      const loaded = loadStep(argv.recipe, out);
      const unset = secretProblems(loaded, argv.strict);
      unset.forEach((e) => out.warn(e.line));
      const { recipe, file } = loaded;
      const rules = ruleCount(loaded);
      if (out.json) out.printJson({ ok: true, file, name: recipe.name, rules, warnings: unset.map((e) => e.line) });
      else out.print(`${out.c.green('ok')} ${argv.recipe}: buddy "${recipe.name}", ${count(rules, 'permission rule')}`);
    },
  };
}

const ruleCount = ({ recipe }: LoadedRecipe) => recipe.permissions.allow.length + recipe.permissions.deny.length + recipe.permissions.ask.length;

/**
 * A secret read from the environment is only read by plan and apply: one unset, or of the wrong shape
 * (a chat token's), would fail them. Warnings; errors with --strict.
 */
function secretProblems(loaded: LoadedRecipe, strict: boolean): InputError[] {
  const problems = secretSlots(loaded.recipe).flatMap((slot) => {
    if (!('env' in slot.ref)) return [];
    const value = process.env[slot.ref.env];
    const problem = !value ? `environment variable ${slot.ref.env} is not set (plan and apply read the ${slot.label} from it)` : secretShapeProblem(slot, value);
    return problem ? [new InputError(`${slot.path.join('.')}: ${problem}`, loaded.locate(slot.path))] : [];
  });
  if (problems.length && strict) throw new InputErrors(problems);
  return problems;
}

/**
 * Every host's recipe with the inventory's overrides, all checked before anything is said: each error
 * once (hosts sharing a recipe share its errors), at the line in the file it was written in.
 */
function validateInventory(file: string, strict: boolean, { out }: CommandContext): void {
  const hosts = loadInventory(file);
  const errors = new Map<string, InputError>();
  const warnings = new Set<string>();
  const ok: Array<{ host: string; name: string; rules: number }> = [];
  for (const host of hosts) {
    try {
      const loaded = host.load();
      loaded.warnings.forEach((w) => warnings.add(w));
      secretProblems(loaded, strict).forEach((e) => warnings.add(e.line));
      ok.push({ host: host.key, name: loaded.recipe.name, rules: ruleCount(loaded) });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      for (const e of err instanceof InputErrors ? err.errors : [err]) errors.set(e.line, e);
    }
  }
  if (errors.size) throw errors.size === 1 ? [...errors.values()][0]! : new InputErrors([...errors.values()]);
  warnings.forEach((w) => out.warn(w));
  if (out.json) out.printJson({ ok: true, file, hosts: ok, warnings: [...warnings] });
  else out.print(`${out.c.green('ok')} ${file}: ${count(ok.length, 'host')} (${ok.map((h) => `${h.host}: buddy "${h.name}", ${count(h.rules, 'permission rule')}`).join('; ')})`);
}
