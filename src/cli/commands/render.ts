import { resolve } from 'node:path';
import { homedir, platform, userInfo } from 'node:os';
import type { CommandModule } from 'yargs';
import { errorLine, InputError, OperationError } from '../../errors.js';
import { computeChange } from '../../plan/index.js';
import type { LoadedRecipe } from '../../recipe/index.js';
import { assumedFacts, LocalTarget, resolveEndpoint, type Facts, type Known } from '../../target/index.js';
import type { CommandContext } from '../context.js';
import { factsStep, loadStep, openTarget, renderStep, secretsStep, type TargetOptions } from '../pipeline.js';

interface RenderArgs extends TargetOptions {
  recipe: string;
  out: string;
  offline?: boolean;
  os?: Facts['os'];
  user?: string;
  home?: string;
}

export function renderCommand(ctx: () => CommandContext): CommandModule<object, RenderArgs> {
  return {
    command: 'render',
    describe: "Write the buddy's files into a folder (paths mirrored, secrets as placeholders) to inspect them; works without reaching the box",
    builder: (y) =>
      y
        .option('recipe', { alias: 'r', type: 'string', default: 'buddy.yaml', describe: 'recipe file' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'folder to write into' })
        .option('host', { type: 'string', describe: "read facts from this SSH host instead of the recipe's target" })
        .option('accept-new', { type: 'boolean', default: false, describe: 'record an unknown host key' })
        .option('offline', { type: 'boolean', default: false, describe: 'do not read the box: take its facts from the recipe and the flags below (also used when the box cannot be reached)' })
        .option('os', { choices: ['linux', 'macos'] as const, describe: 'offline: the box runs this (default: the recipe\'s os, else linux)' })
        .option('user', { type: 'string', describe: 'offline: the target user (default: from the SSH destination, else you)' })
        .option('home', { type: 'string', describe: "offline: the user's home (default: /home/<user>, /root or /Users/<user>)" }) as never,
    handler: async (argv) => {
      const context = ctx();
      const { out } = context;
      const loaded = loadStep(argv.recipe, out);
      const { facts, assumptions } = await renderFacts(loaded, argv, context);
      if (assumptions.length) {
        out.info('Rendered from assumptions, not from the box:');
        assumptions.forEach((a) => out.info(`  ${a}`));
      }
      const rendering = renderStep(loaded, facts, await secretsStep(loaded, 'placeholders'));
      const dest = new LocalTarget(resolve(argv.out));
      // Shared files show buddy-init's part alone, as it would be merged into an empty file.
      for (const artifact of rendering.artifacts) {
        const change = computeChange(artifact, undefined, undefined);
        await dest.writeAtomic(artifact.path, change.after, change.mode);
        out.print(`${argv.out}${artifact.path}`);
      }
      if (out.json) out.printJson({ out: resolve(argv.out), files: rendering.artifacts.map((a) => a.path), assumptions });
    },
  };
}

/**
 * The box's facts, read from it; or, with --offline or when it cannot be read (asleep, unresolvable,
 * another OS than this machine for a local recipe), assumed from the recipe and the flags.
 */
async function renderFacts(loaded: LoadedRecipe, argv: RenderArgs, ctx: CommandContext): Promise<{ facts: Facts; assumptions: string[] }> {
  const { recipe } = loaded;
  if (argv.os && recipe.os !== 'auto' && argv.os !== recipe.os) throw new InputError(`--os ${argv.os}: the recipe says os: ${recipe.os}`, loaded.locate(['os']));
  const offlineOnly = [argv.os && '--os', argv.user && '--user', argv.home && '--home'].filter(Boolean);
  if (!argv.offline) {
    if (offlineOnly.length) throw new InputError(`${offlineOnly.join(', ')}: only with --offline (otherwise the box's own facts are read)`);
    const target = await openTarget(loaded, argv, ctx).catch((err: unknown) => unreachable(err, ctx));
    try {
      if (target) return { facts: await factsStep(target, loaded), assumptions: [] };
    } catch (err) {
      unreachable(err, ctx);
    } finally {
      await target?.close();
    }
  }
  const destination = argv.host ?? (recipe.target === 'local' ? undefined : recipe.target.ssh);
  const me = userInfo();
  const os = argv.os ?? (recipe.os !== 'auto' ? recipe.os : destination === undefined ? (platform() === 'darwin' ? 'macos' : 'linux') : undefined);
  const known: Known = { from: {} };
  if (os) {
    known.os = os;
    known.from.os = argv.os ? '--os' : recipe.os !== 'auto' ? 'the recipe' : 'this machine';
  }
  // The SSH destination's user as ssh would log in (its config read here; nothing is contacted).
  const user = argv.user ?? (destination ? resolveEndpoint(destination, { home: me.homedir, localUser: me.username, uid: me.uid }).user : me.username);
  known.user = user;
  known.from.user = argv.user ? '--user' : destination ? 'the SSH destination' : 'this machine';
  if (argv.home) {
    known.home = argv.home;
    known.from.home = '--home';
  } else if (!destination && !argv.user && known.from.os === 'this machine') {
    known.home = homedir();
    known.from.home = 'this machine';
  }
  return assumedFacts(known, me.username);
}

/** Why the box's facts could not be read, said once; a fault of ours (not a machine's or an input's) stops. */
function unreachable(err: unknown, ctx: CommandContext): undefined {
  if (!(err instanceof InputError || err instanceof OperationError)) throw err;
  ctx.out.warn(`could not read the box's facts (${errorLine(err)}); rendering from assumptions (--offline skips trying)`);
  return undefined;
}
