/**
 * An inventory: many hosts, each provisioned from a recipe (its own or the default) with per-host
 * overrides. The overrides are a recipe layer of their own, so an error in them points into the
 * inventory file.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError, unreadable } from '../errors.js';
import { loadRecipe, parseYamlSource, type LoadedRecipe, type YamlSource } from '../recipe/index.js';

const hostSchema = z.strictObject({
  host: z.string().min(1).meta({ description: 'SSH destination (user@host[:port] or a ~/.ssh/config alias), or "local"' }),
  recipe: z.string().optional().meta({ description: 'recipe for this host (default: defaults.recipe)' }),
  overrides: z.record(z.string(), z.unknown()).default({}).meta({ description: 'recipe fields to change for this host' }),
});

export const inventorySchema = z.strictObject({
  defaults: z.strictObject({ recipe: z.string().optional(), overrides: z.record(z.string(), z.unknown()).default({}) }).default({ overrides: {} }),
  hosts: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'host keys are plain names'), hostSchema),
});

export interface InventoryHost {
  key: string;
  /** SSH destination, or undefined for this machine. */
  destination?: string;
  load(): LoadedRecipe;
}

/** A sub-tree of the inventory file as a YAML source of its own (for error locations). */
function subSource(source: YamlSource, at: string[], value: unknown): YamlSource {
  return { file: source.file, value, locate: (path, key) => source.locate([...at, ...path], key) };
}

export function loadInventory(file: string): InventoryHost[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${file}: ${unreadable(err)} (the inventory${(err as NodeJS.ErrnoException).code === 'ENOENT' ? '; give --inventory its path' : ''})`);
  }
  const source = parseYamlSource(file, text);
  const parsed = inventorySchema.safeParse(source.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    throw new InputError(`${path.join('.') || 'inventory'}: ${issue.message}`, source.locate(path, issue.code === 'unrecognized_keys'));
  }
  const inv = parsed.data;
  const base = dirname(resolve(file));
  return Object.entries(inv.hosts).map(([key, h]) => {
    const recipe = h.recipe ?? inv.defaults.recipe;
    if (!recipe) throw new InputError(`hosts.${key}: no recipe (give hosts.${key}.recipe or defaults.recipe)`, source.locate(['hosts', key]));
    // A recipe the inventory names is reported where the inventory names it.
    const at = h.recipe ? ['hosts', key, 'recipe'] : ['defaults', 'recipe'];
    try {
      if (!statSync(resolve(base, recipe)).isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
    } catch (err) {
      throw new InputError(`${at.join('.')}: ${recipe}: ${unreadable(err)}`, source.locate(at));
    }
    return {
      key,
      ...(h.host === 'local' ? {} : { destination: h.host }),
      load: () =>
        loadRecipe(resolve(base, recipe), [
          subSource(source, ['defaults', 'overrides'], inv.defaults.overrides),
          subSource(source, ['hosts', key, 'overrides'], h.overrides),
        ]),
    };
  });
}
