import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { computeChange } from '../../plan/index.js';
import { LocalTarget } from '../../target/index.js';
import type { CommandContext } from '../context.js';
import { factsStep, loadStep, openTarget, renderStep, secretsStep } from '../pipeline.js';

export function renderCommand(ctx: () => CommandContext): CommandModule<object, { recipe: string; out: string; host?: string; acceptNew?: boolean }> {
  return {
    command: 'render',
    describe: "Write the buddy's files into a folder (paths mirrored, secrets as placeholders) to inspect them",
    builder: (y) =>
      y
        .option('recipe', { alias: 'r', type: 'string', demandOption: true, describe: 'recipe file' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'folder to write into' })
        .option('host', { type: 'string', describe: "read facts from this SSH host instead of the recipe's target" })
        .option('accept-new', { type: 'boolean', default: false, describe: 'record an unknown host key' }),
    handler: async (argv) => {
      const context = ctx();
      const { out } = context;
      const loaded = loadStep(argv.recipe, out);
      const target = await openTarget(loaded, argv, context);
      try {
        const facts = await factsStep(target, loaded);
        const rendering = renderStep(loaded, facts, await secretsStep(loaded, 'placeholders'));
        const dest = new LocalTarget(resolve(argv.out));
        // Shared files show buddy-init's part alone, as it would be merged into an empty file.
        for (const artifact of rendering.artifacts) {
          const change = computeChange(artifact, undefined, undefined);
          await dest.writeAtomic(artifact.path, change.after, change.mode);
          out.print(`${argv.out}${artifact.path}`);
        }
        if (out.json) out.printJson({ out: resolve(argv.out), files: rendering.artifacts.map((a) => a.path) });
      } finally {
        await target.close();
      }
    },
  };
}
