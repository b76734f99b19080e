/**
 * Chat access from the owner's side: what the plugin's `/<app>:access` skill does to `access.json`
 * (pair a pending code, allow, revoke), done by buddy-init over the same connection as everything else,
 * so the agent never needs write access to its own allowlist. The file is the plugin's (it writes pending
 * codes into it while this runs): every change is a read-modify-write that starts over if the file
 * changed under it, then one atomic replace.
 */
import { count } from '../words.js';
import { posix } from 'node:path';
import { InputError, OperationError } from '../errors.js';
import type { Channel, ChannelName } from '../recipe/index.js';
import type { Layout } from '../render/index.js';
import { isRecord, type Json, type JsonRecord } from '../runtime/shared/json.js';
import type { Target } from '../target/index.js';
import { decodeText } from '../plan/index.js';

/** A pairing the plugin is waiting on (the skill's state shape). */
export interface Pending {
  code: string;
  senderId: string;
  chatId: string;
  createdAt: number;
  expiresAt: number;
}

export interface ChannelAccess {
  channel: ChannelName;
  path: string;
  dmPolicy: string;
  allowFrom: Array<{ id: string; inRecipe: boolean }>;
  pending: Pending[];
  groups: string[];
}

const accessPath = (layout: Layout, channel: ChannelName) => posix.join(layout.channelDir(channel), 'access.json');

/** The plugin's reading: a missing file is pairing with empty lists. */
function parseAccess(path: string, raw: Buffer | undefined): JsonRecord {
  if (!raw) return { dmPolicy: 'pairing', allowFrom: [], groups: {}, pending: {} };
  let doc: unknown;
  try {
    doc = JSON.parse(decodeText(path, raw));
  } catch (err) {
    throw new OperationError(`${path} is not valid JSON (${(err as Error).message}); the plugin would move it aside and start over, so buddy-init leaves it alone`);
  }
  if (!isRecord(doc)) throw new OperationError(`${path} does not hold a JSON object`);
  return doc;
}

const list = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function pendingOf(doc: JsonRecord): Pending[] {
  const pending = isRecord(doc.pending) ? doc.pending : {};
  return Object.entries(pending).flatMap(([code, p]) =>
    isRecord(p) && typeof p.senderId === 'string'
      ? [{ code, senderId: p.senderId, chatId: String(p.chatId ?? ''), createdAt: Number(p.createdAt ?? 0), expiresAt: Number(p.expiresAt ?? 0) }]
      : [],
  );
}

export async function readAccess(target: Target, layout: Layout, channels: ReadonlyArray<[ChannelName, Channel]>): Promise<ChannelAccess[]> {
  return Promise.all(
    channels.map(async ([channel, config]) => {
      const path = accessPath(layout, channel);
      const doc = parseAccess(path, await target.read(path));
      return {
        channel,
        path,
        dmPolicy: typeof doc.dmPolicy === 'string' ? doc.dmPolicy : 'pairing',
        allowFrom: list(doc.allowFrom).map((id) => ({ id, inRecipe: config.allowFrom.includes(id) })),
        pending: pendingOf(doc),
        groups: Object.keys(isRecord(doc.groups) ? doc.groups : {}),
      };
    }),
  );
}

/** Applies `change` to the file as it is, retrying when the plugin wrote it in between. */
async function updateAccess(target: Target, path: string, change: (doc: JsonRecord) => void): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const raw = await target.read(path);
    const doc = parseAccess(path, raw);
    change(doc);
    const again = await target.read(path);
    if ((raw?.toString('utf8') ?? '') !== (again?.toString('utf8') ?? '')) continue;
    await target.writeAtomic(path, `${JSON.stringify(doc, null, 2)}\n`, 0o600);
    return;
  }
  throw new OperationError(`${path} kept changing while buddy-init wrote it (the plugin is busy); try again`);
}

const addTo = (doc: JsonRecord, id: string) => {
  const ids = list(doc.allowFrom);
  doc.allowFrom = ids.includes(id) ? ids : [...ids, id];
};

/**
 * Approves a pending code as the skill's `pair` does: the sender into allowFrom, the code out of
 * pending, and `approved/<senderId>` holding the chat id, which the plugin picks up to say "you're in".
 */
export async function pair(target: Target, layout: Layout, channels: ReadonlyArray<[ChannelName, Channel]>, code: string, now = Date.now()): Promise<{ channel: ChannelName; senderId: string }> {
  if (!/^[A-Za-z0-9]{4,16}$/.test(code)) throw new InputError(`pairing code ${JSON.stringify(code)}: a code is the letters and digits the bot sent (like a4f91c)`);
  const all = await readAccess(target, layout, channels);
  const found = all.flatMap((a) => a.pending.filter((p) => p.code.toLowerCase() === code.toLowerCase()).map((p) => ({ a, p })))[0];
  if (!found) {
    const where = all.map((a) => a.channel).join(' or ') || 'no chat channel in this recipe';
    throw new InputError(`pairing code ${code}: no such code pending in ${where} on ${target.label} (it may have been used or denied); ask the sender to message the bot again for a new one`);
  }
  const { a, p } = found;
  if (p.expiresAt < now) throw new InputError(`pairing code ${code} expired ${count(Math.round((now - p.expiresAt) / 60000), 'minute')} ago; ask the sender to message the bot again for a new one`);
  await updateAccess(target, a.path, (doc) => {
    const pending = isRecord(doc.pending) ? doc.pending : {};
    if (!(p.code in pending)) throw new InputError(`pairing code ${code} was taken off the list just now (used, denied or expired)`);
    delete pending[p.code];
    doc.pending = pending;
    addTo(doc, p.senderId);
  });
  if (p.chatId) await target.writeAtomic(posix.join(layout.channelDir(a.channel), 'approved', p.senderId), p.chatId, 0o600);
  return { channel: a.channel, senderId: p.senderId };
}

/** Puts a user id on a channel's allowlist, or takes it off. */
export async function setAllowed(target: Target, layout: Layout, channel: ChannelName, id: string, allowed: boolean): Promise<boolean> {
  if (!/^-?\d{1,32}$/.test(id)) throw new InputError(`user id ${JSON.stringify(id)}: chat user ids are numbers`);
  const path = accessPath(layout, channel);
  let changed = false;
  await updateAccess(target, path, (doc) => {
    const ids = list(doc.allowFrom);
    changed = ids.includes(id) !== allowed;
    if (allowed) addTo(doc, id);
    else doc.allowFrom = ids.filter((x) => x !== id);
  });
  return changed;
}
