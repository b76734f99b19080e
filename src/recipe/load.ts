/**
 * Recipe file -> checked Recipe. Every problem becomes an InputError at `file:line:col`, and all of
 * them are reported at once.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { InputError, InputErrors, formatLocation, unreadable } from '../errors.js';
import { RECIPES_DIR } from '../paths.js';
import { ruleWarning, type RuleList } from '../permissions/rules.js';
import { mergeLayers, type Layered } from './layers.js';
import { recipeJsonSchema, recipeSchema, type Recipe } from './schema.js';
import { findLiteralSecrets } from './secrets.js';
import { parseYamlSource, type PathKey, type YamlSource } from './source.js';
import { nearest } from './suggest.js';

export const PRESETS = ['strict', 'balanced', 'open'] as const;

export interface LoadedRecipe {
  recipe: Recipe;
  file: string;
  /** Where a value of the recipe was written (in the recipe or in a preset it extends). */
  locate: Layered['locate'];
  /** Things that are allowed but probably not meant; printed, never fatal. */
  warnings: string[];
}

/** Paths as people gave them, relative to where they are, so messages stay short and clickable. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}


/** `from`: the `extends` value that named this file, where a failure to read it is reported. */
function readSource(file: string, display: string, from?: { at: ReturnType<YamlSource['locate']>; name: string }): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (from) throw new InputError(`extends: ${from.name}: ${unreadable(err)}`, from.at);
    throw new InputError(`${display}: ${unreadable(err)}${(err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (give --recipe the path of a recipe; `buddy-init` with no command writes one)' : ''}`);
  }
  const source = parseYamlSource(display, text);
  if (typeof source.value !== 'object' || source.value === null || Array.isArray(source.value)) {
    throw new InputError('a recipe must be a YAML mapping (key: value lines)', source.locate([]));
  }
  return source;
}

/** Resolves `extends` (a preset name or a path relative to the file) into the files below this one. */
function loadChain(file: string, seen: string[] = [], from?: { at: ReturnType<YamlSource['locate']>; name: string }): YamlSource[] {
  if (seen.includes(file)) {
    throw new InputError(`extends loops back to ${displayPath(file)} (${[...seen, file].map(displayPath).join(' -> ')})`);
  }
  const source = readSource(file, displayPath(file), from);
  const ext = (source.value as Record<string, unknown>).extends;
  if (ext === undefined) return [source];
  const parents = Array.isArray(ext) ? ext : [ext];
  const below: YamlSource[] = [];
  parents.forEach((parent, i) => {
    const at = source.locate(Array.isArray(ext) ? ['extends', i] : ['extends']);
    if (typeof parent !== 'string') throw new InputError('extends: must be a preset name or a file path', at);
    below.push(...loadChain(resolveExtends(parent, dirname(file), at), [...seen, file], { at, name: parent }));
  });
  return [...below, source];
}

function resolveExtends(name: string, baseDir: string, at: ReturnType<YamlSource['locate']>): string {
  if ((PRESETS as readonly string[]).includes(name)) return join(RECIPES_DIR, `${name}.yaml`);
  if (/^[a-z-]+$/.test(name)) {
    throw new InputError(`extends: unknown preset "${name}" (presets: ${PRESETS.join(', ')}; or give a file path)`, at);
  }
  return resolve(baseDir, name);
}

/**
 * Removes the rules listed in permissions.drop (after the checks, so positions of the other rules stay
 * where the layers put them); a drop that matches nothing is a typo worth reporting.
 */
function applyDrops(recipe: Recipe, layered: Layered): InputError[] {
  const { permissions } = recipe;
  return permissions.drop.flatMap((rule, i) => {
    const lists = (['allow', 'deny', 'ask'] as const).filter((list) => permissions[list].includes(rule));
    for (const list of lists) permissions[list] = permissions[list].filter((r) => r !== rule);
    return lists.length
      ? []
      : [new InputError(`permissions.drop: "${rule}" is in none of allow, deny, ask`, layered.locate(['permissions', 'drop', i]))];
  });
}

type JsonSchemaNode = { properties?: Record<string, JsonSchemaNode>; items?: JsonSchemaNode; additionalProperties?: JsonSchemaNode; anyOf?: JsonSchemaNode[]; oneOf?: JsonSchemaNode[] };
let schemaRoot: JsonSchemaNode | undefined;

/** The field names the recipe's schema knows at `path` (for "did you mean"). */
function fieldsAt(path: PathKey[]): string[] {
  let node: JsonSchemaNode | undefined = (schemaRoot ??= recipeJsonSchema() as JsonSchemaNode);
  const objectOf = (n: JsonSchemaNode | undefined): JsonSchemaNode | undefined => (n?.properties ? n : [...(n?.anyOf ?? []), ...(n?.oneOf ?? [])].find((x) => x.properties) ?? n);
  for (const key of path) {
    node = objectOf(node);
    node = typeof key === 'number' ? node?.items : (node?.properties?.[key] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined));
  }
  return Object.keys(objectOf(node)?.properties ?? {});
}

function issueErrors(issues: z.core.$ZodIssue[], layered: Layered): InputError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = fieldsAt(path);
      return issue.keys.map((key) => {
        const guess = nearest(key, known);
        return new InputError(`${[...path, key].join('.')}: unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`, layered.locate([...path, key], true));
      });
    }
    if (issue.code === 'invalid_union') {
      // Of a union (`false` or a map), report what was wrong inside the option whose shape was given.
      const shaped = issue.errors.find((errs) => errs.length && !errs.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')));
      if (shaped) return issueErrors(shaped.map((e) => ({ ...e, path: [...issue.path, ...e.path] })), layered);
    }
    const label = path.length ? path.join('.') : 'recipe';
    // A bad key (of a record like claude.env) is reported at the key, not at its value.
    const at = layered.locate(path, issue.code === 'invalid_key');
    const value = valueAt(layered.value, path);
    const shown = typeof value === 'string' || typeof value === 'number' ? ` (got ${JSON.stringify(value)})` : '';
    // zod wraps a bad record key's own message in "Invalid key in record".
    const message = issue.code === 'invalid_key' ? issue.issues.map((i) => i.message).join('; ') : issue.message;
    const hidesSecret = message.startsWith('a literal secret');
    return [new InputError(`${label}: ${message}${hidesSecret || issue.code === 'invalid_key' ? '' : shown}`, at)];
  });
}

function valueAt(value: unknown, path: readonly PathKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<PathKey, unknown> | undefined)?.[k], value);
}

function ruleWarnings(recipe: Recipe, layered: Layered): string[] {
  return (['allow', 'deny', 'ask'] as RuleList[]).flatMap((list) =>
    recipe.permissions[list].flatMap((rule, i) => {
      const warning = ruleWarning(rule, list);
      return warning ? [`${formatLocation(layered.locate(['permissions', list, i]))}: permissions.${list}: "${rule}": ${warning}`] : [];
    }),
  );
}

/**
 * Loads a recipe; `overlays` are further layers on top (an inventory's per-host overrides), each a YAML
 * source of its own so an error in one points into the file it was written in.
 */
export function loadRecipe(file: string, overlays: YamlSource[] = []): LoadedRecipe {
  const absolute = resolve(file);
  const own = loadChain(absolute);
  const mine = own[own.length - 1]!.value as Record<string, unknown>;
  // An inventory given where a recipe goes would fail on `name`; say what it is instead.
  if ('hosts' in mine && !('name' in mine)) {
    throw new InputError(`${displayPath(absolute)} is an inventory (it lists hosts), not a recipe: give it as --inventory ${file} (validate --inventory, or --all with plan, apply, status)`, own[own.length - 1]!.locate(['hosts'], true));
  }
  const chain = [...own, ...overlays];
  const layered = mergeLayers(chain);
  const value = { ...(layered.value as Record<string, unknown>) };
  delete value.extends;

  const errors: InputError[] = chain.flatMap((source) =>
    findLiteralSecrets(source.value).map((s) => new InputError(`${s.path.join('.')}: ${s.message}`, source.locate(s.path))),
  );
  const parsed = recipeSchema.safeParse(value);
  // Warnings first: they locate rules by index, which drops would shift.
  const warnings = parsed.success ? ruleWarnings(parsed.data, layered) : [];
  if (parsed.success) errors.push(...applyDrops(parsed.data, layered));
  else errors.push(...issueErrors(parsed.error.issues, layered));
  if (errors.length) {
    errors.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
    throw errors.length === 1 ? errors[0]! : new InputErrors(errors);
  }
  return { recipe: parsed.data!, file: absolute, locate: layered.locate, warnings };
}
