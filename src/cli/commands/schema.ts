import type { CommandModule } from 'yargs';
import { recipeJsonSchema } from '../../recipe/index.js';
import type { CommandContext } from '../context.js';

export function schemaCommand(ctx: () => CommandContext): CommandModule {
  return {
    command: 'schema',
    describe: "Print the recipe's JSON Schema (the same one the loader enforces), for editors",
    handler: () => ctx().out.printJson(recipeJsonSchema()),
  };
}
