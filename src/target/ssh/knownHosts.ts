/**
 * Host keys where and as OpenSSH keeps them: the name is the HostKeyAlias if set, else the HostName
 * (`[name]:port` for another port than 22); the files are every UserKnownHostsFile, then every
 * GlobalKnownHostsFile; lines plain or hashed (|1|salt|hash), patterns with wildcards and negations,
 * `@revoked` and `@cert-authority` markers. A host key is trusted only if a line lists it; a listed host
 * presenting another key is refused, never continued. A new key is recorded in the first
 * UserKnownHostsFile, hashed when HashKnownHosts is yes, as `ssh -o StrictHostKeyChecking=accept-new` does.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { matchPattern } from './sshConfig.js';

export interface KnownKey {
  type: string;
  /** base64 of the key blob, as in the file. */
  key: string;
  marker?: '@revoked' | '@cert-authority';
  file: string;
  line: number;
}

/** `host` for port 22, `[host]:port` otherwise: the name known_hosts uses. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** What a connection's host keys are checked against. */
export interface HostKeyPolicy {
  /** The name looked up and recorded: HostKeyAlias as it is, else knownHostsName(HostName, port). */
  name: string;
  /** UserKnownHostsFile(s): looked up, the first written to. */
  userFiles: string[];
  globalFiles: string[];
  /** Record an unknown key: --accept-new, or StrictHostKeyChecking accept-new / no in the config. */
  acceptNew: boolean;
  /** StrictHostKeyChecking no: say loudly that an unknown key was taken (a changed one is still refused). */
  unchecked: boolean;
  hash: boolean;
}

function hostMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return matchPattern(name.toLowerCase(), pattern.toLowerCase());
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return [];
    throw err;
  }
}

/** Every line of `files` whose patterns match `name`. */
export function knownKeys(files: string[], name: string): KnownKey[] {
  const out: KnownKey[] = [];
  for (const file of files) {
    readLines(file).forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
      if (marker !== undefined && marker !== '@revoked' && marker !== '@cert-authority') return;
      const [patterns, type, key] = fields;
      if (!patterns || !type || !key) return;
      let matched = false;
      for (const p of patterns.split(',')) {
        if (p.startsWith('!')) {
          if (hostMatches(p.slice(1), name)) return; // negated: this line does not apply
        } else if (hostMatches(p, name)) matched = true;
      }
      if (matched) out.push({ type, key, ...(marker ? { marker: marker as KnownKey['marker'] } : {}), file, line: i + 1 });
    });
  }
  return out;
}

/** OpenSSH's SHA256 fingerprint of a key blob. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a key blob (its first SSH string). */
export function blobType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

export type HostKeyVerdict =
  | { ok: true; recorded?: string; unchecked?: boolean }
  | { ok: false; reason: string; unknown?: { name: string; type: string; fingerprint: string } };

/** Host key algorithms ssh2 should ask for, so the server offers a key of a type known_hosts lists. */
export function algorithmsFor(keys: KnownKey[]): string[] | undefined {
  const types = new Set(keys.filter((k) => !k.marker).map((k) => k.type));
  if (!types.size) return undefined;
  return [...types].flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
}

/** A known_hosts line for `name` as ssh writes it: hashed (|1|salt|HMAC-SHA1) when HashKnownHosts is yes. */
export function knownHostsLine(name: string, type: string, key: string, hash: boolean): string {
  if (!hash) return `${name} ${type} ${key}`;
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')} ${type} ${key}`;
}

export function verifyHostKey(policy: HostKeyPolicy, blob: Buffer): HostKeyVerdict {
  const files = [...policy.userFiles, ...policy.globalFiles];
  const keys = knownKeys(files, policy.name);
  const presented = blob.toString('base64');
  const type = blobType(blob);
  const { name } = policy;
  const where = (k: KnownKey) => `${k.file} line ${k.line}`;
  const revoked = keys.find((k) => k.marker === '@revoked' && k.key === presented);
  if (revoked) return { ok: false, reason: `the host key of ${name} (${fingerprint(blob)}) is marked @revoked in ${where(revoked)}` };
  if (keys.some((k) => !k.marker && k.type === type && k.key === presented)) return { ok: true };
  const listed = keys.filter((k) => !k.marker);
  if (listed.length) {
    const expected = listed.map((k) => `${k.type} ${fingerprint(Buffer.from(k.key, 'base64'))} (${where(k)})`).join(', ');
    return {
      ok: false,
      reason:
        `the host key of ${name} has CHANGED: it presents ${type} ${fingerprint(blob)}, known_hosts expects ${expected}. ` +
        'This may be an attack; if the host was really reinstalled, remove the old line and connect again',
    };
  }
  const ca = keys.find((k) => k.marker === '@cert-authority');
  const caNote = ca
    ? ` (${where(ca)} trusts a certificate authority for it, but buddy-init's SSH library cannot check host certificates: add the host's own key, e.g. ssh-keyscan -t ${type} <host>)`
    : '';
  if (!policy.acceptNew) {
    return {
      ok: false,
      unknown: { name, type, fingerprint: fingerprint(blob) },
      reason: `${name} is not in ${files[0] ?? 'known_hosts'}${files.length > 1 ? ` or the ${files.length - 1} other known_hosts files ssh reads` : ''}${caNote} (it presents ${type} ${fingerprint(blob)}); check the fingerprint and run again with --accept-new to record it`,
    };
  }
  const file = policy.userFiles[0];
  if (!file) return { ok: false, reason: `${name} is unknown and UserKnownHostsFile is none, so its key (${type} ${fingerprint(blob)}) cannot be recorded` };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${knownHostsLine(name, type, presented, policy.hash)}\n`, { mode: 0o600 });
  return { ok: true, recorded: file, ...(policy.unchecked ? { unchecked: true } : {}) };
}
