/**
 * KEY=value files (a chat plugin's .env), read as a flat JSON object so the same three-way merge applies,
 * and written back with every line buddy-init does not manage (comments, other keys) left in place.
 *
 * Read exactly as the official plugins read them (server.ts): split on `\n`, each line matched against
 * `^(\w+)=(.*)$`, the first line of a key wins. So a CRLF line, an `export KEY=` line or a quoted value is
 * not what the plugin sees; buddy-init writes its keys as bare `KEY=value` lines, in LF.
 */
import { posix } from 'node:path';
import type { JsonRecord } from '../../runtime/shared/json.js';

/** The plugin's own line pattern (JavaScript's `.` stops at `\r`, so a CRLF line does not match). */
const PLUGIN_LINE = /^(\w+)=(.*)$/;
/** Any way a person may have written a key (`export KEY = "v"`): a line that is about that key. */
const ANY_ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/** Whether a shared file buddy-init recorded is a KEY=value file (the state records paths, not kinds). */
export const isEnvFile = (path: string): boolean => posix.basename(path) === '.env';

/** The keys and values the plugin would load from this text. */
export function parseEnvFile(text: string): JsonRecord {
  const doc: JsonRecord = {};
  for (const line of text.split('\n')) {
    const m = PLUGIN_LINE.exec(line);
    if (m && !(m[1]! in doc)) doc[m[1]!] = m[2]!;
  }
  return doc;
}

/**
 * The file with buddy-init's keys (`ours`: those it manages now or managed before) as the merged
 * document says: each written once, as a bare `KEY=value` line where its first line was (an `export`
 * or quoted spelling replaced), further lines of it dropped, a key no longer in the document gone.
 * Every other line stays as it was; line endings become LF.
 */
export function renderEnvFile(original: string | undefined, doc: JsonRecord, ours: ReadonlySet<string>): string {
  const written = new Set<string>();
  const lines: string[] = [];
  const text = (original ?? '').replace(/\r\n?/g, '\n').replace(/\n$/, '');
  for (const line of text === '' ? [] : text.split('\n')) {
    const key = ANY_ASSIGNMENT.exec(line)?.[1];
    if (key === undefined || !ours.has(key)) {
      lines.push(line);
      continue;
    }
    if (!(key in doc) || written.has(key)) continue;
    lines.push(`${key}=${String(doc[key])}`);
    written.add(key);
  }
  for (const [key, value] of Object.entries(doc)) {
    if (ours.has(key) && !written.has(key)) lines.push(`${key}=${String(value)}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The keys a managed part of a .env file names. */
export const envKeys = (...parts: Array<{ values: Array<{ path: string[] }> } | undefined>): Set<string> =>
  new Set(parts.flatMap((p) => (p?.values ?? []).map((v) => v.path[0]!)));
