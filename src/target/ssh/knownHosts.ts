/**
 * ~/.ssh/known_hosts, read the way OpenSSH reads it: plain and hashed (|1|salt|hash) host names,
 * [host]:port for other ports, wildcard patterns and negations, @revoked markers. A host key is
 * trusted only if it is listed; a listed host presenting another key is refused, never continued.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { glob } from 'ssh-config';

export interface KnownKey {
  type: string;
  /** base64 of the key blob, as in the file. */
  key: string;
  revoked: boolean;
  line: number;
}

/** `host` for port 22, `[host]:port` otherwise: the name known_hosts uses. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return glob(pattern.toLowerCase(), name.toLowerCase());
}

export function knownKeys(file: string, host: string, port: number): KnownKey[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const name = knownHostsName(host, port);
  const out: KnownKey[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
    if (marker === '@cert-authority') return; // certificates are not supported; such a host counts as unknown
    const [patterns, type, key] = fields;
    if (!patterns || !type || !key) return;
    let matched = false;
    for (const p of patterns.split(',')) {
      if (p.startsWith('!') ? hostMatches(p.slice(1), name) : false) return; // negated: this line does not apply
      if (!p.startsWith('!') && hostMatches(p, name)) matched = true;
    }
    if (matched) out.push({ type, key, revoked: marker === '@revoked', line: i + 1 });
  });
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

export type HostKeyVerdict = { ok: true; recorded?: boolean } | { ok: false; reason: string; unknown?: { name: string; type: string; fingerprint: string } };

/** Host key algorithms ssh2 should ask for, so the server offers a key of a type we know. */
export function algorithmsFor(keys: KnownKey[]): string[] | undefined {
  const types = new Set(keys.filter((k) => !k.revoked).map((k) => k.type));
  if (!types.size) return undefined;
  return [...types].flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
}

export function verifyHostKey(
  file: string,
  host: string,
  port: number,
  blob: Buffer,
  acceptNew: boolean,
): HostKeyVerdict {
  const keys = knownKeys(file, host, port);
  const presented = blob.toString('base64');
  const type = blobType(blob);
  const name = knownHostsName(host, port);
  if (keys.some((k) => k.revoked && k.key === presented)) {
    return { ok: false, reason: `the host key of ${name} (${fingerprint(blob)}) is marked @revoked in ${file}` };
  }
  if (keys.some((k) => !k.revoked && k.type === type && k.key === presented)) return { ok: true };
  const listed = keys.filter((k) => !k.revoked);
  if (listed.length) {
    const expected = listed.map((k) => `${k.type} ${fingerprint(Buffer.from(k.key, 'base64'))} (line ${k.line})`).join(', ');
    return {
      ok: false,
      reason:
        `the host key of ${name} has CHANGED: it presents ${type} ${fingerprint(blob)}, ${file} expects ${expected}. ` +
        'This may be an attack; if the host was really reinstalled, remove the old line and connect again',
    };
  }
  if (!acceptNew) {
    return {
      ok: false,
      unknown: { name, type, fingerprint: fingerprint(blob) },
      reason: `${name} is not in ${file} (it presents ${type} ${fingerprint(blob)}); check the fingerprint and run again with --accept-new to record it`,
    };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${name} ${type} ${presented}\n`, { mode: 0o600 });
  return { ok: true, recorded: true };
}
