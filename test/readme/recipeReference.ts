/**
 * The recipe reference's field table, written from the recipe's JSON Schema (what `buddy-init schema`
 * prints and the loader enforces), so the page cannot say a field, a type or a default the loader does
 * not have. docs/recipe-reference.md holds it between capture markers (readme.test.ts).
 */

import { DURATION_WORDS } from '../../src/recipe/schema.js';

type Node = {
  type?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Node[];
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  propertyNames?: { pattern?: string };
  items?: Node;
  required?: string[];
};

const SECRET_SOURCES = ['env', 'file', 'prompt', 'stored'];

const code = (value: unknown): string => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
/** A table cell: no pipes or line breaks of its own, and `<name>` outside code shown, not taken for HTML. */
const cell = (text: string): string =>
  text
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ')
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replaceAll('<', '&lt;')))
    .join('`');

const isSecretReference = (n: Node): boolean =>
  Boolean(n.anyOf && n.anyOf.length === SECRET_SOURCES.length && n.anyOf.every((alt) => Object.keys(alt.properties ?? {}).length === 1 && SECRET_SOURCES.includes(Object.keys(alt.properties!)[0]!)));

const isDuration = (n: Node): boolean => Boolean(n.anyOf?.some((alt) => alt.type === 'number') && n.anyOf.some((alt) => alt.type === 'string' && /ms\|s\|m\|h/.test(JSON.stringify(alt))));

/** The field's type in words. */
function typeOf(n: Node): string {
  if (isSecretReference(n)) return '[secret reference](#secrets)';
  if (isDuration(n)) return 'seconds, or `"30s"`, `"2m"`';
  if (n.const !== undefined) return code(n.const);
  if (n.enum) return n.enum.map(code).join(', ');
  if (n.anyOf) return n.anyOf.filter((alt) => alt.type !== 'null').map(typeOf).join(' or ');
  if (n.type === 'array') return `list of ${n.items ? typeOf(n.items).replace(/^list of /, 'lists of ') : 'values'}`;
  if (n.type === 'object' && n.properties) return `{ ${Object.keys(n.properties).join(', ')} }`;
  if (n.type === 'object' && typeof n.additionalProperties === 'object') return `map of ${n.propertyNames?.pattern?.includes('\\d') ? 'id' : 'name'} to ${typeOf(n.additionalProperties)}`;
  if (n.type === 'number' || n.type === 'integer') return 'number';
  return n.type ?? 'any';
}

/** A description's closing "Default: X" (or "; default X") goes to the default column. */
function splitDefault(description: string): { meaning: string; stated?: string } {
  const m = /^(.*?)(?:[.;]\s*|\s+)[Dd]efault:?\s+([^.;]+)\.?$/.exec(description);
  return m ? { meaning: m[1]!, stated: m[2]! } : { meaning: description };
}

interface Row {
  field: string;
  type: string;
  default: string;
  meaning: string;
}

interface Field {
  name: string;
  node: Node;
  /** Where the field must be given: always, when its parent is (`in`), or as one of several shapes (`oneOf`). */
  required?: { in?: string; oneOf?: string[] };
}

/** The object's own fields (those of each shape when it is one of several). */
function fieldsOf(n: Node, path: string, parentRequired: boolean): Field[] {
  const shapes = [n, ...(n.anyOf ?? [])].filter((s) => s.properties);
  const oneOf = shapes.length > 1 ? shapes.flatMap((s) => s.required ?? []) : undefined;
  return shapes.flatMap((s) =>
    Object.entries(s.properties!).map(([name, node]): Field => {
      if (!s.required?.includes(name)) return { name, node };
      return { name, node, required: oneOf ? { oneOf } : parentRequired ? {} : { in: path } };
    }),
  );
}

function defaultOf(n: Node, stated: string | undefined, required: Field['required']): string {
  if (required?.oneOf) return `(one of ${required.oneOf.map(code).join(', ')})`;
  if (required) return required.in ? `(required in \`${required.in}\`)` : '(required)';
  if (stated) return stated;
  if (n.default === undefined) return n.properties && !n.required?.length ? 'see its fields' : 'none';
  if (typeof n.default === 'object' && n.default !== null && !Array.isArray(n.default) && Object.keys(n.default).length) return 'see its fields';
  return code(n.default);
}

function rowOf(n: Node, path: string, required: Field['required']): Row {
  const { meaning, stated } = splitDefault((n.description ?? '').replace(` ${DURATION_WORDS}`, ''));
  return { field: path, type: typeOf(n), default: defaultOf(n, stated, required), meaning };
}

function rows(n: Node, path: string, required: Field['required'], out: Row[]): void {
  out.push(rowOf(n, path, required));
  const inner = (m: Node, at: string) => {
    for (const f of fieldsOf(m, at, Boolean(required) && !required?.in && !required?.oneOf)) rows(f.node, `${at}.${f.name}`, f.required, out);
  };
  if (isSecretReference(n)) return;
  inner(n, path);
  if (n.type === 'array' && n.items?.properties) inner(n.items, `${path}[]`);
  if (typeof n.additionalProperties === 'object' && n.additionalProperties.properties) inner(n.additionalProperties, `${path}.<id>`);
}

/**
 * The field table. The chat apps' fields are one set, shown once as `channels.<app>` (the schema's
 * Discord and Telegram entries must be the same but for the app's name: the test checks it).
 */
export function recipeReference(schema: Node): string {
  const out: Row[] = [];
  const top = schema.properties!;
  for (const [k, v] of Object.entries(top)) {
    if (k === '$schema') continue;
    if (k === 'channels') {
      out.push(rowOf(v, k, undefined));
      rows(v.properties!.discord!, 'channels.<app>', undefined, out);
      continue;
    }
    rows(v, k, schema.required?.includes(k) ? {} : undefined, out);
  }
  const lines = out.map((r) => `| \`${r.field}\` | ${cell(r.type)} | ${cell(r.default.replaceAll('discord', '<app>'))} | ${cell(r.meaning)} |`);
  return ['| field | type | default | meaning |', '| --- | --- | --- | --- |', ...lines, ''].join('\n');
}

/** The Discord and Telegram subtrees, with each app's name made the same (they must then be equal). */
export function chatAppsAlike(schema: Node): [string, string] {
  const channels = schema.properties!.channels!.properties!;
  return [JSON.stringify(channels.discord).replaceAll('discord', '<app>'), JSON.stringify(channels.telegram).replaceAll('telegram', '<app>')];
}
