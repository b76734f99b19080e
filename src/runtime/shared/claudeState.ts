/**
 * The flags in ~/.claude.json that let claude start with nobody at the keyboard. Rendered into the file
 * by apply, and re-asserted by the supervisor before every start, because Claude Code rebuilds the file
 * now and then and a missing flag blocks an unattended start at a dialog nobody sees.
 */
import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomicSync } from './atomic.js';
import { getIn, isRecord, jsonEqual, setIn, type Json, type JsonRecord, type ManagedJson } from './json.js';

/** Onboarding done, the project trusted, and (with an API key) the key approved by its last 20 characters. */
export function unattendedFlags(trustKey: string, apiKey?: string): ManagedJson {
  return {
    values: [
      { path: ['hasCompletedOnboarding'], value: true },
      { path: ['projects', trustKey, 'hasTrustDialogAccepted'], value: true },
    ],
    members: apiKey ? [{ path: ['customApiKeyResponses', 'approved'], items: [apiKey.slice(-20)] }] : [],
  };
}

/**
 * Sets the flags that are missing, keeping every other key; writes only when something changed.
 * Returns the dotted paths it fixed.
 */
export function assertUnattendedFlags(claudeJson: string, flags: ManagedJson): string[] {
  let text: string | undefined;
  let mode = 0o600;
  try {
    text = readFileSync(claudeJson, 'utf8');
    mode = statSync(claudeJson).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parsed: unknown = text === undefined || text.trim() === '' ? {} : JSON.parse(text);
  if (!isRecord(parsed)) throw new Error(`${claudeJson} does not hold a JSON object`);
  const doc: JsonRecord = parsed;
  const fixed: string[] = [];
  for (const { path, value } of flags.values) {
    if (!jsonEqual(getIn(doc, path), value)) {
      setIn(doc, path, value);
      fixed.push(path.join('.'));
    }
  }
  for (const { path, items } of flags.members) {
    const current = getIn(doc, path);
    const list: Json[] = Array.isArray(current) ? [...current] : [];
    const missing = items.filter((item) => !list.some((x) => jsonEqual(x, item)));
    if (missing.length) {
      setIn(doc, path, [...list, ...missing]);
      fixed.push(path.join('.'));
    }
  }
  if (fixed.length) writeFileAtomicSync(claudeJson, `${JSON.stringify(doc, null, 2)}\n`, mode);
  return fixed;
}
