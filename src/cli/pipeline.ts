/**
 * The steps every command walks along: recipe -> target + facts -> secrets -> artifacts -> plan.
 * Commands call the steps they need and stop where their job ends.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InputError, OperationError } from '../errors.js';
import { RUNTIME_DIR } from '../paths.js';
import { parseEnvFile, planChanges, planRenameCleanup, type Plan } from '../plan/index.js';
import {
  channelPlugins,
  claudeNeeds,
  loadRecipe,
  placeholderSecrets,
  resolveSecrets,
  type LoadedRecipe,
  type SecretValues,
} from '../recipe/index.js';
import { layoutFor, renderBuddy, storedSecretLocation, type Layout, type Rendering, type RuntimeBundles } from '../render/index.js';
import { parseShellEnv } from '../runtime/shared/shell.js';
import { checkRequirements, gatherFacts, hostKeyRecorded, LocalTarget, openSshTarget, type Facts, type Requirement, type Target } from '../target/index.js';
import type { CommandContext } from './context.js';
import { promptPassphrase } from './prompts.js';
import { VERSION } from '../version.js';
import type { Output } from './output.js';

export function loadStep(file: string, out: Output): LoadedRecipe {
  const loaded = loadRecipe(file);
  loaded.warnings.forEach((w) => out.warn(w));
  return loaded;
}

export interface TargetOptions {
  root?: string;
  /** An SSH destination or ~/.ssh/config alias that overrides the recipe's target. */
  host?: string;
  acceptNew?: boolean;
}

/** The recipe's target (or --host): this machine, optionally under --root, or one connection over SSH. */
export async function openTarget(loaded: LoadedRecipe, options: TargetOptions, ctx: CommandContext): Promise<Target> {
  const recipeTarget = loaded.recipe.target;
  const destination = options.host ?? (recipeTarget === 'local' ? undefined : recipeTarget.ssh);
  if (destination === undefined) return new LocalTarget(options.root);
  if (options.root !== undefined) throw new InputError('--root rebases files on this machine; it cannot be used with an SSH target');
  return openSshTarget(destination, {
    acceptNew: Boolean(options.acceptNew),
    ...(ctx.interactive ? { passphrase: promptPassphrase } : {}),
    onRecorded: (name, file, unchecked) => ctx.out.warn(hostKeyRecorded(name, file, unchecked)),
    onWarning: (message) => ctx.out.warn(message),
  });
}

export async function factsStep(target: Target, loaded: LoadedRecipe): Promise<Facts> {
  const { recipe } = loaded;
  const facts = await gatherFacts(target, recipe.name, recipe.workdir);
  if (recipe.os !== 'auto' && recipe.os !== facts.os) {
    throw new InputError(`os: the recipe says ${recipe.os}, but ${target.label} runs ${facts.os}`, loaded.locate(['os']));
  }
  return facts;
}

export function requirementsOf(loaded: LoadedRecipe, facts: Facts, target: Target): Requirement[] {
  // Under --root nothing is started, so this machine's init system does not matter.
  return checkRequirements(facts, claudeNeeds(loaded.recipe), !target.rebasedUnder);
}

export interface SecretsOptions {
  prompt?: (label: string) => Promise<string>;
  /** Values typed into the wizard, by slot key. */
  known?: ReadonlyMap<string, string>;
  /** For { stored: true }: the target and its facts, where an earlier apply stored the value. */
  target?: Target;
  facts?: Facts;
}

export async function secretsStep(loaded: LoadedRecipe, mode: 'placeholders' | 'resolve', options: SecretsOptions = {}): Promise<SecretValues> {
  if (mode === 'placeholders') return placeholderSecrets(loaded.recipe);
  const { target, facts } = options;
  return resolveSecrets(loaded.recipe, {
    baseDir: dirname(loaded.file),
    locate: loaded.locate,
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...(options.known ? { known: options.known } : {}),
    stored: async (slot) => {
      const where = target && facts ? storedSecretLocation(loaded.recipe, facts, slot.path) : undefined;
      for (const path of where ? [where.path, ...(where.earlierPath ? [where.earlierPath] : [])] : []) {
        const data = await target!.read(path);
        if (!data) continue;
        // auth.env is shell-quoted (buddy-init's own file); a channel .env is plain KEY=value.
        const text = data.toString('utf8');
        const value = slot.path[0] === 'auth' ? parseShellEnv(text)[where!.variable] : parseEnvFile(text)[where!.variable];
        if (typeof value === 'string' && value !== '') return value;
      }
      return undefined;
    },
  });
}

let bundles: RuntimeBundles | undefined;

/** The runtime files apply pushes to targets, built by `npm run build` into dist/runtime. */
export function runtimeBundles(): RuntimeBundles {
  if (!bundles) {
    const read = (name: string) => {
      try {
        return readFileSync(join(RUNTIME_DIR, name), 'utf8');
      } catch {
        throw new OperationError(`${join(RUNTIME_DIR, name)} is missing; run \`npm run build\``);
      }
    };
    bundles = { version: VERSION, supervisor: read('supervisor.mjs'), hook: read('hook.cjs') };
  }
  return bundles;
}

export function renderStep(loaded: LoadedRecipe, facts: Facts, secrets: SecretValues): Rendering {
  return renderBuddy(loaded.recipe, facts, { secrets, runtime: runtimeBundles(), now: Date.now() });
}

/** Where a recipe is applied from: this machine and the file (an inventory's, with the host's key). */
export const originOf = (file: string, hostKey?: string): string => `${hostname()}:${resolve(file)}${hostKey ? `#${hostKey}` : ''}`;

export async function planStep(
  target: Target,
  loaded: LoadedRecipe,
  facts: Facts,
  rendering: Rendering,
  interactive: boolean,
  rename: { origin: string; keepRenamed?: boolean },
): Promise<Plan> {
  const plan = await planChanges({
    target,
    artifacts: rendering.artifacts,
    layout: rendering.layout,
    facts,
    linger: loaded.recipe.init.linger,
    plugins: channelPlugins(loaded.recipe),
    ...(claudeNeeds(loaded.recipe).channels ? { bun: loaded.recipe.bun } : {}),
    canAskSudoPassword: interactive,
    origin: rename.origin,
    layoutOf: (name) => layoutFor({ ...loaded.recipe, name }, facts, VERSION),
    ...(rename.keepRenamed ? { keepRenamed: true } : {}),
  });
  return planRenameCleanup(plan, rendering.artifacts, target, facts);
}

export interface OpenBuddy {
  loaded: LoadedRecipe;
  target: Target;
  facts: Facts;
  layout: Layout;
}

/** recipe -> target -> facts -> where everything lives: what every day-two command starts from. */
export async function openBuddy(argv: TargetOptions & { recipe: string }, ctx: CommandContext, preloaded?: LoadedRecipe): Promise<OpenBuddy> {
  const loaded = preloaded ?? loadStep(argv.recipe, ctx.out);
  const target = await openTarget(loaded, argv, ctx);
  try {
    const facts = await factsStep(target, loaded);
    return { loaded, target, facts, layout: layoutFor(loaded.recipe, facts, VERSION) };
  } catch (err) {
    await target.close();
    throw err;
  }
}
