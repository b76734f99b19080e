/**
 * Secrets stay references in a recipe. This module finds them, refuses literal tokens pasted anywhere,
 * and resolves references into values at run time (only `plan` and `apply` need the values).
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, type SourceLocation } from '../errors.js';
import type { Recipe, SecretRef } from './schema.js';
import type { PathKey } from './source.js';

/**
 * Shapes of real tokens, so one pasted into any field of a recipe is caught. Discord: the bot's id in
 * base64, a timestamp, an HMAC, dot-separated; Telegram: the bot's numeric id, a colon, 35 characters.
 */
const CHAT_TOKEN_SHAPES = {
  discord: { what: 'a Discord bot token', pattern: /[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/ },
  telegram: { what: 'a Telegram bot token', pattern: /\d{8,10}:[A-Za-z0-9_-]{35}/ },
};
const TOKEN_SHAPES: Array<{ what: string; pattern: RegExp }> = [
  { what: 'an Anthropic key or token', pattern: /sk-ant-[A-Za-z0-9_-]{16,}/ },
  ...Object.values(CHAT_TOKEN_SHAPES).map(({ what, pattern }) => ({ what, pattern: new RegExp(`\\b${pattern.source}\\b`) })),
];

/** Why `value` cannot be the platform's bot token (a typo, half a paste, the wrong secret), if it cannot. */
export function chatTokenProblem(platform: keyof typeof CHAT_TOKEN_SHAPES, value: string): string | undefined {
  const { what, pattern } = CHAT_TOKEN_SHAPES[platform];
  if (new RegExp(`^${pattern.source}$`).test(value)) return undefined;
  const example = platform === 'discord' ? 'three dot-separated parts, e.g. MTA...Nw.Gx1a2B.abc...' : 'digits, a colon, 35 characters, e.g. 123456789:AAH...';
  return `does not look like ${what} (${example}; got ${value.length} characters)`;
}

/** Enough of a secret to recognise it in a message, never enough to use it. */
export function secretHint(value: string): string {
  return `${value.slice(0, 6)}…`;
}

export function findLiteralSecrets(value: unknown, path: PathKey[] = []): Array<{ path: PathKey[]; message: string }> {
  if (typeof value === 'string') {
    const shape = TOKEN_SHAPES.find((s) => s.pattern.test(value));
    return shape
      ? [
          {
            path,
            message:
              `"${secretHint(value)}" looks like ${shape.what}; a secret must not be written in a recipe. ` +
              'Use a reference: { env: NAME }, { file: PATH } or { prompt: true }',
          },
        ]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findLiteralSecrets(v, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => findLiteralSecrets(v, [...path, k]));
  }
  return [];
}

export interface SecretSlot {
  path: PathKey[];
  ref: SecretRef;
  /** What the secret is, for prompts and messages. */
  label: string;
}

/** Every secret reference in a recipe, with the path it sits at. */
export function secretSlots(recipe: Recipe): SecretSlot[] {
  const slots: SecretSlot[] = [];
  for (const [name, channel] of Object.entries(recipe.channels)) {
    if (channel) slots.push({ path: ['channels', name, 'token'], ref: channel.token, label: `${name} bot token` });
  }
  if (recipe.auth && 'oauthToken' in recipe.auth) {
    slots.push({ path: ['auth', 'oauthToken'], ref: recipe.auth.oauthToken, label: 'Claude OAuth token' });
  }
  if (recipe.auth && 'apiKey' in recipe.auth) {
    slots.push({ path: ['auth', 'apiKey'], ref: recipe.auth.apiKey, label: 'Anthropic API key' });
  }
  return slots;
}

export const slotKey = (path: readonly PathKey[]) => path.join('.');

/**
 * Why a value given for `slot` cannot be that secret, by its shape (a chat token's), saying where it came
 * from; one check for every way a token comes in: the environment, a file, a prompt, the wizard.
 */
export function secretShapeProblem(slot: SecretSlot, value: string, from = describeRef(slot.ref)): string | undefined {
  const platform = slot.path[0] === 'channels' ? (slot.path[1] as keyof typeof CHAT_TOKEN_SHAPES) : undefined;
  const problem = platform && platform in CHAT_TOKEN_SHAPES ? chatTokenProblem(platform, value) : undefined;
  return problem && `the ${slot.label} from ${from} ${problem}`;
}

/** Resolved secret values by slot key. */
export type SecretValues = ReadonlyMap<string, string>;

export function describeRef(ref: SecretRef): string {
  if ('env' in ref) return `env ${ref.env}`;
  if ('file' in ref) return `file ${ref.file}`;
  if ('stored' in ref) return 'the target';
  return 'prompt';
}

/** Stand-ins for `render`, which shows files without needing any secret. */
export function placeholderSecrets(recipe: Recipe): SecretValues {
  return new Map(secretSlots(recipe).map((s) => [slotKey(s.path), `<secret from ${describeRef(s.ref)}>`]));
}

export interface ResolveOptions {
  /** Directory that relative `file:` references are relative to (the recipe's). */
  baseDir: string;
  locate(path: readonly PathKey[]): SourceLocation;
  env?: NodeJS.ProcessEnv;
  /** Asks a person; absent when there is no terminal. */
  prompt?: (label: string) => Promise<string>;
  /** Reads a secret an earlier apply stored on the target ({ stored: true }). */
  stored?: (slot: SecretSlot) => Promise<string | undefined>;
  /** Values already known (typed into the wizard), by slot key; they win over the references. */
  known?: ReadonlyMap<string, string>;
}

export async function resolveSecrets(recipe: Recipe, options: ResolveOptions): Promise<SecretValues> {
  const env = options.env ?? process.env;
  const values = new Map<string, string>();
  for (const slot of secretSlots(recipe)) {
    const at = options.locate(slot.path);
    const fail = (message: string) => new InputError(`${slotKey(slot.path)}: ${message}`, at);
    let value: string;
    const known = options.known?.get(slotKey(slot.path));
    if (known !== undefined) {
      value = known;
    } else if ('stored' in slot.ref) {
      const stored = await options.stored?.(slot);
      if (stored === undefined) throw fail(`nothing is stored on the target yet for the ${slot.label}; give it once with { env: NAME }, { prompt: true } or the wizard`);
      value = stored;
    } else if ('env' in slot.ref) {
      const v = env[slot.ref.env];
      if (v === undefined || v === '') throw fail(`environment variable ${slot.ref.env} is not set (the ${slot.label})`);
      value = v;
    } else if ('file' in slot.ref) {
      const file = expandLocalPath(slot.ref.file, options.baseDir);
      try {
        const mode = statSync(file).mode;
        if (mode & 0o077) throw fail(`${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
        value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        if (err instanceof InputError) throw err;
        throw fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    } else {
      if (!options.prompt) throw fail(`the ${slot.label} is asked for at a prompt, and there is no terminal; use { env: NAME }`);
      value = await options.prompt(slot.label);
    }
    if (value.trim() === '') throw fail(`the ${slot.label} is empty`);
    if (/[\r\n\0]/.test(value)) throw fail(`the ${slot.label} contains a line break`);
    // The chat plugins read their .env as `KEY=value` lines, taking the value as it is: quotes would be
    // part of the token, and there is no way to write a blank into it.
    if (slot.path[0] === 'channels' && /[\s"'\\`]/.test(value)) throw fail(`the ${slot.label} has a blank, a quote or a backslash in it; the chat plugin reads its .env line as it is, so it could not use this token`);
    const shape = secretShapeProblem(slot, value, known !== undefined ? 'the wizard' : describeRef(slot.ref));
    if (shape) throw fail(shape);
    values.set(slotKey(slot.path), value);
  }
  return values;
}

function expandLocalPath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
