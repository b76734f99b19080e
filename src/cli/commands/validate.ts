import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.js';
import { loadStep } from '../pipeline.js';

export function validateCommand(ctx: () => CommandContext): CommandModule<object, { recipe: string }> {
  return {
    command: 'validate',
    describe: 'Check a recipe (schema, permission rules, secret references) without touching any machine',
    builder: (y) => y.option('recipe', { alias: 'r', type: 'string', demandOption: true, describe: 'recipe file' }),
    handler: (argv) => {
      const { out } = ctx();
      const { recipe, file } = loadStep(argv.recipe, out);
      const rules = recipe.permissions.allow.length + recipe.permissions.deny.length + recipe.permissions.ask.length;
      if (out.json) out.printJson({ ok: true, file, name: recipe.name, rules });
      else out.print(`${out.c.green('ok')} ${argv.recipe}: buddy "${recipe.name}", ${rules} permission rules`);
    },
  };
}
