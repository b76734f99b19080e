/**
 * A buddy rendered into a home on this machine, every file written as apply writes it (no service is
 * started): for the benchmarks that run the real Claude Code with buddy-init's settings, hook and sandbox.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { computeChange } from '../src/plan/index.js';
import { loadRecipe, type SecretValues } from '../src/recipe/index.js';
import { renderBuddy } from '../src/render/index.js';
import type { SupervisorConfig } from '../src/runtime/supervisor/config.js';
import { gatherFacts, LocalTarget } from '../src/target/index.js';
import { ROOT, writeFile } from './helpers.js';

export interface BuddyHere {
  home: string;
  /** The workdir, where claude runs. */
  work: string;
  /** claude's arguments and environment, as the supervisor gives them. */
  args: string[];
  env: Record<string, string>;
}

export async function buddyHere(home: string, recipeText: string, secrets: SecretValues = new Map()): Promise<BuddyHere> {
  const recipe = loadRecipe(writeFile(join(home, 'buddy.yaml'), recipeText)).recipe;
  // The facts of this machine as the buddy's user sees it, with this home.
  const saved = process.env.HOME;
  process.env.HOME = home;
  const facts = await gatherFacts(new LocalTarget(), recipe.name, recipe.workdir);
  process.env.HOME = saved;
  const bundle = (name: string) => readFileSync(join(ROOT, 'dist', 'runtime', name), 'utf8');
  const { artifacts, layout } = renderBuddy(recipe, facts, { secrets, runtime: { version: 'bench', supervisor: bundle('supervisor.mjs'), hook: bundle('hook.cjs') }, now: Date.now() });
  for (const a of artifacts) {
    mkdirSync(dirname(a.path), { recursive: true });
    writeFileSync(a.path, a.kind === 'file' ? a.content : computeChange(a, undefined, undefined).after);
    chmodSync(a.path, a.mode);
  }
  const config = JSON.parse(readFileSync(layout.supervisorConfig, 'utf8')) as SupervisorConfig;
  // What the supervisor does before it starts claude.
  for (const dir of config.sandboxDirs ?? []) mkdirSync(dir, { recursive: true });
  return { home, work: layout.workdir, args: config.claude.args, env: config.env };
}
