/**
 * ssh_config(5) read the way OpenSSH 9 reads it, for machines without an `ssh` client (where one is
 * installed, `ssh -G` answers instead: see resolve.ts). The rules, after readconf.c and ssh.c:
 * - files in order (~/.ssh/config, then /etc/ssh/ssh_config; `-F` replaces both); the first value a
 *   keyword gets wins (the command line's user and port come first), IdentityFile accumulates;
 * - `Host` patterns match the host as typed (case-sensitive, `!` negates); `Match host` the HostName
 *   so far (lowercased), `Match originalhost` the host as typed, `Match user` the remote user,
 *   `Match localuser` the local one, `Match all`; `exec`, `canonical`, `final`, `localnetwork` and
 *   `tagged` need the real client and are refused with a message;
 * - `Include` (globs, relative to ~/.ssh or /etc/ssh), conditional inside an inactive block;
 * - words split as argv_split does (quotes, backslash escapes, `#` ends the line), ProxyCommand taking
 *   the rest of the line as it is; tokens (%h %p %r %u %d %n %C %k %l %L %i %%) where ssh expands them.
 * The result is what `ssh -G` prints for the keywords buddy-init uses, so the two can be compared.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../../errors.js';

/** What `ssh -G` prints, by lowercase keyword; IdentityFile one entry per line. */
export type SshSettings = Map<string, string[]>;

export interface SshQuery {
  /** The host as typed (an alias or a name). */
  host: string;
  /** From the destination (user@): comes before the config, as ssh's -l does. */
  user?: string;
  port?: number;
  /** ssh's -F: this file only (no system file). */
  configFile?: string;
  /** The local user's home from the password database (ssh does not read $HOME). */
  home: string;
  localUser: string;
  uid: number;
}

/** The keywords buddy-init reads; first value wins for each. */
const SINGLE = new Set([
  'hostname', 'user', 'port', 'identitiesonly', 'identityagent', 'proxyjump', 'proxycommand', 'hostkeyalias',
  'userknownhostsfile', 'globalknownhostsfile', 'stricthostkeychecking', 'checkhostip', 'hashknownhosts',
  'connecttimeout', 'serveraliveinterval', 'canonicalizehostname',
]);
/** Takes the rest of the line as it is, quotes and all. */
const REST_OF_LINE = new Set(['localcommand', 'remotecommand', 'knownhostscommand']);
const UNSUPPORTED_MATCH = new Set(['exec', 'canonical', 'final', 'localnetwork', 'tagged']);
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((f) => `~/.ssh/${f}`);
const MAX_INCLUDE_DEPTH = 16;

interface Where {
  file: string;
  line: number;
}
const at = (w: Where) => `${w.file}:${w.line}`;

/** Splits a line's arguments as OpenSSH's argv_split does (quotes, \-escapes, # ends the line). */
export function splitWords(s: string, where: Where): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') {
      i++;
      continue;
    }
    if (s[i] === '#') break;
    let word = '';
    let quote = '';
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\\') {
        const next = s[i + 1];
        if (next === "'" || next === '"' || next === '\\' || (!quote && next === ' ')) word += s[++i];
        else word += c;
      } else if (!quote && (c === ' ' || c === '\t')) break;
      else if (!quote && (c === '"' || c === "'")) quote = c;
      else if (quote && c === quote) quote = '';
      else word += c;
    }
    if (quote) throw new InputError(`${at(where)}: unterminated quote`);
    out.push(word);
  }
  return out;
}

/** OpenSSH's match_pattern: * and ? wildcards over the whole string. */
export function matchPattern(text: string, pattern: string): boolean {
  // Iterative wildcard match with backtracking to the last star: linear-ish, no regular expressions.
  let t = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** match_pattern_list: a comma list, `!` negates (a negated match wins); `lower` compares without case. */
function matchList(text: string, list: string, lower: boolean): boolean {
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = lower ? (negated ? raw.slice(1) : raw).toLowerCase() : negated ? raw.slice(1) : raw;
    if (matchPattern(lower ? text.toLowerCase() : text, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

export function expandTilde(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** Files an Include names: tilde, a base folder for relative paths, and globs in any part, sorted. */
function includeFiles(arg: string, base: string, home: string): string[] {
  const path = expandTilde(arg, home);
  const full = isAbsolute(path) ? path : join(base, path);
  if (!/[*?[]/.test(full)) return [full];
  let found = ['/'];
  for (const part of full.split('/').filter(Boolean)) {
    if (!/[*?[]/.test(part)) {
      found = found.map((d) => join(d, part));
      continue;
    }
    found = found.flatMap((d) => {
      try {
        return readdirSync(d).filter((n) => !n.startsWith('.') || part.startsWith('.')).filter((n) => matchPattern(n, part)).sort().map((n) => join(d, n));
      } catch {
        return [];
      }
    });
  }
  return found;
}

const FLAG = /^(yes|true|no|false)$/i;
const flag = (v: string) => (/^(yes|true)$/i.test(v) ? 'yes' : 'no');

/** convtime: seconds with optional s/m/h/d/w units. */
function seconds(v: string, where: Where): number {
  let total = 0;
  const parts = v.match(/\d+[smhdwSMHDW]?/g);
  if (!parts || parts.join('') !== v) throw new InputError(`${at(where)}: invalid time value "${v}"`);
  for (const p of parts) {
    const unit = /[a-z]$/i.test(p) ? p.slice(-1).toLowerCase() : 's';
    total += Number.parseInt(p, 10) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[unit as 's']!;
  }
  return total;
}

class Reader {
  readonly set: SshSettings = new Map();
  private readonly host: string;

  constructor(private readonly q: SshQuery) {
    this.host = q.host;
    if (q.user) this.set.set('user', [q.user]);
    if (q.port) this.set.set('port', [String(q.port)]);
  }

  /** The hostname as Match host sees it: HostName so far, else the host typed. */
  private hostnameNow(): string {
    return finalHostname(this.set.get('hostname')?.[0], this.host);
  }

  read(file: string, system: boolean, depth = 0, neverMatch = false, active = true): boolean {
    let text: string;
    try {
      if (!statSync(file).isFile()) return active;
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return active;
      throw new InputError(`${file}: ${(err as Error).message}`);
    }
    let activep = active;
    text.split('\n').forEach((raw, i) => {
      const where = { file, line: i + 1 };
      const line = raw.replace(/[ \t\r\f]+$/, '');
      const m = /^[ \t]*([^ \t=]+)[ \t]*=?[ \t]*(.*)$/.exec(line);
      if (!m || m[1]!.startsWith('#')) return;
      const keyword = m[1]!.toLowerCase();
      const rest = m[2]!;
      if (keyword === 'host') {
        const patterns = splitWords(rest, where);
        if (!patterns.length) throw new InputError(`${at(where)}: Host without a pattern`);
        activep = !neverMatch && this.hostMatches(patterns);
        return;
      }
      if (keyword === 'match') {
        activep = !neverMatch && this.matchLine(splitWords(rest, where), where);
        return;
      }
      if (keyword === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) throw new InputError(`${at(where)}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
        const base = system ? '/etc/ssh' : join(this.q.home, '.ssh');
        for (const arg of splitWords(rest, where)) {
          for (const f of includeFiles(arg, base, this.q.home)) this.read(f, system, depth + 1, neverMatch || !activep, activep);
        }
        return;
      }
      if (!activep) return;
      if (keyword === 'identityfile' || keyword === 'certificatefile') {
        const [v] = splitWords(rest, where);
        const list = this.set.get(keyword) ?? [];
        if (v && !list.includes(v)) this.set.set(keyword, [...list, v]); // ssh drops repeats
        return;
      }
      if (keyword === 'proxycommand' || keyword === 'proxyjump') return this.proxy(keyword, rest);
      if (!SINGLE.has(keyword) || this.set.has(keyword)) return;
      if (REST_OF_LINE.has(keyword)) {
        this.set.set(keyword, [rest]);
        return;
      }
      const args = splitWords(rest, where);
      if (!args.length) throw new InputError(`${at(where)}: ${m[1]} needs a value`);
      if (keyword === 'canonicalizehostname' && /^(yes|always)$/i.test(args[0]!)) {
        throw new InputError(`${at(where)}: CanonicalizeHostname needs OpenSSH's own client to evaluate; install it (ssh), which buddy-init then asks`);
      }
      this.set.set(keyword, keyword === 'userknownhostsfile' || keyword === 'globalknownhostsfile' ? args : [args[0]!]);
    });
    return activep;
  }

  /**
   * ProxyCommand and ProxyJump as readconf.c 9.2 has them: a ProxyJump (unless `none`) also sets
   * ProxyCommand to none, so whichever comes first wins; ProxyCommand takes the rest of the line as it
   * is; ProxyJump's `none` must be the whole rest of the line (with a trailing comment it is read as a
   * host called "none", which ssh -G then prints, and shuts ProxyCommand out).
   */
  private proxy(keyword: 'proxycommand' | 'proxyjump', rest: string): void {
    if (keyword === 'proxycommand') {
      // A plain `ProxyJump none` before it does not shut it out (measured on ssh -G 9.2).
      const jump = this.set.get('proxyjump')?.[0];
      if (!this.set.has('proxycommand') && (jump === undefined || jump === 'none')) this.set.set('proxycommand', [rest]);
      return;
    }
    if (this.set.has('proxycommand') || this.set.has('proxyjump')) return;
    if (rest.toLowerCase() === 'none') {
      this.set.set('proxyjump', ['none']);
      return;
    }
    const list = rest.replace(/#.*/, '').trimEnd();
    this.set.set('proxyjump', [list]);
    this.set.set('proxycommand', ['none']);
  }

  private hostMatches(patterns: string[]): boolean {
    let matched = false;
    for (const p of patterns) {
      if (p.startsWith('!')) {
        if (matchPattern(this.host, p.slice(1))) return false;
      } else if (matchPattern(this.host, p)) matched = true;
    }
    return matched;
  }

  private matchLine(words: string[], where: Where): boolean {
    if (!words.length) throw new InputError(`${at(where)}: Match without criteria`);
    let result = true;
    for (let i = 0; i < words.length; i++) {
      let criterion = words[i]!.toLowerCase();
      const negate = criterion.startsWith('!');
      if (negate) criterion = criterion.slice(1);
      if (UNSUPPORTED_MATCH.has(criterion)) {
        throw new InputError(`${at(where)}: "Match ${criterion}" needs OpenSSH's own client to evaluate; install it (ssh), which buddy-init then asks, or rewrite the block with Host`);
      }
      if (criterion === 'all') {
        if (negate) result = false;
        continue;
      }
      const arg = words[++i];
      if (arg === undefined) throw new InputError(`${at(where)}: Match ${criterion} needs a pattern`);
      const subject =
        criterion === 'host' ? this.hostnameNow()
        : criterion === 'originalhost' ? this.host
        : criterion === 'user' ? (this.set.get('user')?.[0] ?? this.q.localUser)
        : criterion === 'localuser' ? this.q.localUser
        : undefined;
      if (subject === undefined) throw new InputError(`${at(where)}: unknown Match criterion "${criterion}"`);
      const hit = matchList(subject, arg, criterion === 'host' || criterion === 'originalhost');
      if (hit === negate) result = false;
    }
    return result;
  }
}

/**
 * HostName with %h (the host as typed) and %% expanded, lowercased as ssh does, except (as measured
 * against ssh -G 9.2) a name that still holds a % after expansion; no HostName: the host typed.
 */
function finalHostname(hostName: string | undefined, typed: string): string {
  const name = hostName === undefined ? typed : hostName.replace(/%(.)/g, (m, c: string) => (c === 'h' ? typed : c === '%' ? '%' : m));
  return name.includes('%') ? name : name.toLowerCase();
}

/**
 * ssh refuses a ProxyJump whose last hop is the host itself (ssh.c: the same name as the final HostName,
 * port and user, the hop's defaulting to 22 and the connection's user).
 */
function refuseJumpLoop(s: SshSettings): void {
  const last = s.get('proxyjump')?.[0]?.split(',').pop();
  const m = last && /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(last);
  if (!m) return;
  const user = s.get('user')![0]!;
  if (m[2] === s.get('hostname')![0] && (m[3] ?? '22') === s.get('port')![0] && (m[1] ?? user) === user) throw new InputError(`ssh_config: jumphost loop via ${m[2]}`);
}

/** The tokens ssh expands in paths (UserKnownHostsFile, IdentityFile, IdentityAgent). */
export function tokens(s: SshSettings, q: SshQuery): Record<string, string> {
  const local = hostname();
  const h = s.get('hostname')![0]!;
  const p = s.get('port')![0]!;
  const r = s.get('user')![0]!;
  return {
    '%': '%',
    h,
    p,
    r,
    n: q.host,
    d: q.home,
    u: q.localUser,
    i: String(q.uid),
    l: local,
    L: local.split('.')[0]!,
    k: s.get('hostkeyalias')?.[0] ?? q.host,
    C: createHash('sha1').update(`${local}${h}${p}${r}`).digest('hex'),
  };
}

export function expandTokens(text: string, values: Record<string, string>): string {
  return text.replace(/%(.)/g, (m, c: string) => values[c] ?? m);
}

/** The settings `ssh -G` would print for the query, from the config files alone. */
export function readSshConfig(q: SshQuery, files = q.configFile ? [q.configFile] : [join(q.home, '.ssh', 'config'), '/etc/ssh/ssh_config']): SshSettings {
  const reader = new Reader(q);
  files.forEach((f, i) => reader.read(f, !q.configFile && i > 0));
  const s = reader.set;
  s.set('hostname', [finalHostname(s.get('hostname')?.[0], q.host)]);
  if (!s.has('user')) s.set('user', [q.localUser]);
  if (!s.has('port')) s.set('port', ['22']);
  const port = Number(s.get('port')![0]);
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new InputError(`Port ${s.get('port')![0]} for ${q.host} is not a port number`);
  for (const key of ['identitiesonly', 'checkhostip', 'hashknownhosts']) {
    const v = s.get(key)?.[0];
    if (v !== undefined && !FLAG.test(v)) throw new InputError(`${key}: "${v}" is not yes or no`);
    s.set(key, [v === undefined ? 'no' : flag(v)]);
  }
  const strict = (s.get('stricthostkeychecking')?.[0] ?? 'ask').toLowerCase();
  s.set('stricthostkeychecking', [/^(yes|true)$/.test(strict) ? 'true' : /^(no|false|off)$/.test(strict) ? 'false' : strict]);
  const where = { file: 'ssh_config', line: 0 };
  const timeout = s.get('connecttimeout')?.[0];
  s.set('connecttimeout', [timeout === undefined || timeout === 'none' ? 'none' : String(seconds(timeout, where))]);
  s.set('serveraliveinterval', [String(seconds(s.get('serveraliveinterval')?.[0] ?? '0', where))]);
  if (!s.has('identityfile')) s.set('identityfile', DEFAULT_IDENTITIES);
  const alias = s.get('hostkeyalias')?.[0];
  if (alias !== undefined) s.set('hostkeyalias', [alias.toLowerCase()]); // ssh lowercases it
  for (const key of ['proxyjump', 'proxycommand']) if (s.get(key)?.[0]?.toLowerCase() === 'none') s.delete(key);
  refuseJumpLoop(s);
  const values = tokens(s, q);
  const files2 = s.get('userknownhostsfile') ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
  s.set('userknownhostsfile', files2[0] === 'none' ? ['none'] : files2.map((f) => expandTokens(expandTilde(f, q.home), values)));
  if (!s.has('globalknownhostsfile')) s.set('globalknownhostsfile', ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
  const agent = s.get('identityagent')?.[0];
  if (agent !== undefined) s.set('identityagent', [expandTokens(expandTilde(agent, q.home), values)]);
  return s;
}
