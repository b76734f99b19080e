/**
 * KEY=value files (a chat plugin's .env), read as a flat JSON object so the same three-way merge applies,
 * and written back with every line buddy-init does not manage (comments, other keys) left in place.
 */
import { posix } from 'node:path';
import type { JsonRecord } from '../runtime/shared/json.js';

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

function unquote(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

/** Whether a shared file buddy-init recorded is a KEY=value file (the state records paths, not kinds). */
export const isEnvFile = (path: string): boolean => posix.basename(path) === '.env';

export function parseEnvFile(text: string): JsonRecord {
  const doc: JsonRecord = {};
  for (const line of text.split('\n')) {
    const m = ASSIGNMENT.exec(line);
    if (m) doc[m[1]!] = unquote(m[2]!);
  }
  return doc;
}

function assignment(key: string, value: string): string {
  return /^[^\s'"\\`$#]*$/.test(value) ? `${key}=${value}` : `${key}="${value.replace(/["\\$`]/g, '\\$&')}"`;
}

export function renderEnvFile(original: string | undefined, doc: JsonRecord): string {
  const written = new Set<string>();
  const lines: string[] = [];
  for (const line of (original ?? '').replace(/\n$/, '').split('\n')) {
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      if (original !== undefined) lines.push(line);
      continue;
    }
    const key = m[1]!;
    if (!(key in doc) || written.has(key)) continue; // removed, or a duplicate line
    lines.push(unquote(m[2]!) === doc[key] ? line : assignment(key, String(doc[key])));
    written.add(key);
  }
  for (const [key, value] of Object.entries(doc)) {
    if (!written.has(key)) lines.push(assignment(key, String(value)));
  }
  return `${lines.join('\n')}\n`;
}
