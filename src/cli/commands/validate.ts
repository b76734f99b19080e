import type { CommandModule } from 'yargs';
import { InputError, InputErrors } from '../../errors.js';
import { secretSlots } from '../../recipe/index.js';
import type { CommandContext } from '../context.js';
import { loadStep } from '../pipeline.js';

export function validateCommand(ctx: () => CommandContext): CommandModule<object, { recipe: string; strict: boolean }> {
  return {
    command: 'validate',
    describe: 'Check a recipe (schema, permission rules, secret references) without touching any machine',
    builder: (y) =>
      y
        .option('recipe', { alias: 'r', type: 'string', demandOption: true, describe: 'recipe file' })
        .option('strict', { type: 'boolean', default: false, describe: 'an environment variable a secret reference names must be set (else a warning)' }) as never,
    handler: (argv) => {
      const { out } = ctx();
      const loaded = loadStep(argv.recipe, out);
      const { recipe, file } = loaded;
      // A secret read from the environment is only read by plan and apply; an unset one would fail them.
      const unset = secretSlots(recipe).flatMap((slot) =>
        'env' in slot.ref && !process.env[slot.ref.env]
          ? [new InputError(`${slot.path.join('.')}: environment variable ${slot.ref.env} is not set (plan and apply read the ${slot.label} from it)`, loaded.locate(slot.path))]
          : [],
      );
      if (unset.length && argv.strict) throw new InputErrors(unset);
      unset.forEach((e) => out.warn(e.line));
      const rules = recipe.permissions.allow.length + recipe.permissions.deny.length + recipe.permissions.ask.length;
      if (out.json) out.printJson({ ok: true, file, name: recipe.name, rules, warnings: unset.map((e) => e.line) });
      else out.print(`${out.c.green('ok')} ${argv.recipe}: buddy "${recipe.name}", ${rules} permission rules`);
    },
  };
}
