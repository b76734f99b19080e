// Issue 17: buddy-init's own ssh_config reader (used where no ssh client is installed) against OpenSSH's
// `ssh -G`, the oracle. Generated config trees (Host and Match blocks, negations, comma lists, Include
// of further generated files with globs, tokens, quoting, `=` syntax, comments, case) and queries (host
// as typed, -l user, -p port): every keyword buddy-init uses must read the same. Seeded, so a failure
// names a case that can be replayed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSshConfig, type SshQuery, type SshSettings } from '../../src/target/ssh/sshConfig.js';
import { sshG } from '../../src/target/ssh/sshG.js';
import { tempDir } from '../helpers.js';

const CASES = Number(process.env.SSH_PARITY_CASES ?? 240);
const KEYS = [
  'hostname', 'user', 'port', 'identityfile', 'identitiesonly', 'identityagent', 'proxyjump', 'proxycommand', 'hostkeyalias',
  'userknownhostsfile', 'globalknownhostsfile', 'stricthostkeychecking', 'checkhostip', 'hashknownhosts', 'connecttimeout', 'serveraliveinterval',
];

/** mulberry32: a small seeded generator. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

const HOSTS = ['box', 'Box', 'web1', 'web2', 'db.internal', 'jump', 'x.example.com', '10.0.0.5', 'MiXed'];
const HOST_PATTERNS = [...HOSTS, 'web*', '*.internal', 'w?b1', '*', 'b*', '10.0.0.*', '!web2', '!db.internal', '!*.example.com'];
const USERS = ['ada', 'bob', 'root', 'Ada'];

function hostLine(r: Rng): string {
  const n = 1 + r.int(3);
  const patterns = Array.from({ length: n }, () => r.pick(HOST_PATTERNS));
  if (patterns.every((p) => p.startsWith('!'))) patterns.push(r.pick(HOSTS));
  return `${r.pick(['Host', 'host', 'HOST'])}${r.pick([' ', '  ', ' = ', '='])}${patterns.join(' ')}`;
}

function matchLine(r: Rng): string {
  if (r.chance(0.15)) return 'Match all';
  const parts: string[] = [];
  for (let i = 0, n = 1 + r.int(2); i < n; i++) {
    const criterion = r.pick(['host', 'originalhost', 'user', 'localuser']);
    const pool = criterion === 'user' ? USERS : criterion === 'localuser' ? ['root', 'nobody', 'r*'] : HOST_PATTERNS.filter((p) => !p.startsWith('!'));
    const list = Array.from({ length: 1 + r.int(2) }, () => (r.chance(0.2) ? '!' : '') + r.pick(pool));
    if (list.every((p) => p.startsWith('!'))) list.push(r.pick(pool));
    parts.push(`${r.chance(0.15) ? '!' : ''}${criterion} ${list.join(',')}`);
  }
  return `Match ${parts.join(' ')}`;
}

function setting(r: Rng, includes: string[]): string {
  const kw = (name: string) => (r.chance(0.2) ? name.toLowerCase() : r.chance(0.1) ? name.toUpperCase() : name);
  const sep = r.pick([' ', ' ', '  ', '=', ' = ', '\t']);
  const line = (name: string, value: string) => `${r.chance(0.5) ? '  ' : ''}${kw(name)}${sep}${value}${r.chance(0.1) ? ' # a comment' : ''}`;
  switch (r.int(17)) {
    case 0: return line('HostName', r.pick(['10.231.0.2', '%h.lan', 'Real.Example.COM', 'h-%h-%%', '192.168.1.%h']));
    case 1: return line('Port', String(r.pick([22, 2200, 2222, 443])));
    case 2: return line('User', r.pick(USERS));
    case 3: return line('IdentityFile', r.pick(['~/.ssh/id_work', '~/.ssh/id_%h_%r', '/keys/%u/%p', '"~/my keys/id"', '%d/.ssh/id_%n']));
    case 4: return line('IdentitiesOnly', r.pick(['yes', 'no', 'true']));
    case 5: return line('IdentityAgent', r.pick(['~/.agent.sock', '/run/agent-%u', 'none']));
    case 6: return line('ProxyJump', r.pick(['jump', 'ada@jump:2200', 'jump,web1', 'none']));
    case 7: return line('ProxyCommand', r.pick(['nc %h %p', 'ssh -W %h:%p jump', '/usr/bin/socat - TCP:%h:%p', 'none']));
    case 8: return line('HostKeyAlias', r.pick(['alias1', 'box-key', 'Shared']));
    case 9: return line('UserKnownHostsFile', r.pick(['~/.ssh/kh_%h', '~/.ssh/a ~/.ssh/b', '/etc/kh/%k', '"~/kh dir/%r@%h:%p"', 'none', '%d/kh_%C']));
    case 10: return line('GlobalKnownHostsFile', r.pick(['/etc/ssh/other_known_hosts', '/a /b']));
    case 11: return line('StrictHostKeyChecking', r.pick(['yes', 'no', 'ask', 'accept-new', 'off', 'true']));
    case 12: return line('CheckHostIP', r.pick(['yes', 'no']));
    case 13: return line('HashKnownHosts', r.pick(['yes', 'no']));
    case 14: return line('ConnectTimeout', r.pick(['5', '30', '1m', '2m30s']));
    case 15: return line('ServerAliveInterval', r.pick(['0', '15', '1m']));
    default: return includes.length ? line('Include', r.pick(includes)) : '# nothing';
  }
}

/** A main config and up to three included files (one pulled in by a glob). */
function generate(r: Rng, dir: string): string {
  const incDir = join(dir, 'config.d');
  mkdirSync(incDir, { recursive: true });
  const names = ['10-a.conf', '20-b.conf', 'c.conf'].slice(0, r.int(4));
  const includes = names.length ? [join(incDir, names[0]!), `${incDir}/*.conf`, `"${incDir}/${names[names.length - 1]}"`] : [];
  const body = (withIncludes: boolean) => {
    const lines: string[] = [];
    if (r.chance(0.3)) lines.push(setting(r, []));
    for (let b = 0, n = 1 + r.int(4); b < n; b++) {
      lines.push(r.chance(0.65) ? hostLine(r) : matchLine(r));
      for (let i = 0, m = 1 + r.int(4); i < m; i++) lines.push(setting(r, withIncludes ? includes : []));
      if (r.chance(0.1)) lines.push('', '# a comment line');
    }
    return `${lines.join('\n')}\n`;
  };
  for (const n of names) writeFileSync(join(incDir, n), body(false));
  const main = join(dir, 'config');
  writeFileSync(main, body(true));
  return main;
}

const fail = (message: string): never => {
  throw new Error(message);
};
const comparable = (s: SshSettings) => Object.fromEntries(KEYS.map((k) => [k, s.get(k)?.join(' ')]));

describe('ssh_config: buddy-init reads what ssh -G prints', () => {
  it(`over ${CASES} generated configs, three queries each`, () => {
    const me = userInfo();
    const seed = Number(process.env.SSH_PARITY_SEED ?? 17);
    const r = rng(seed);
    let queries = 0;
    const features = new Set<string>();
    for (let c = 0; c < CASES; c++) {
      const dir = tempDir('buddy-sshcfg-');
      const file = generate(r, dir);
      const text = readFileSync(file, 'utf8');
      for (const f of ['Match', 'Include', '!', '%', '"', '=']) if (text.includes(f)) features.add(f);
      for (let k = 0; k < 3; k++) {
        const q: SshQuery = { host: r.pick(HOSTS), configFile: file, home: me.homedir, localUser: me.username, uid: me.uid };
        if (r.chance(0.3)) q.user = r.pick(USERS);
        if (r.chance(0.2)) q.port = r.pick([22, 2022]);
        // A config ssh refuses (a ProxyJump loop) must be refused by the reader too.
        const answer = (read: () => SshSettings) => {
          try {
            return comparable(read());
          } catch (err) {
            return { refused: /jumphost loop/.test((err as Error).message) ? 'jumphost loop' : (err as Error).message };
          }
        };
        expect(answer(() => readSshConfig(q)), `case ${c} (seed ${seed}), ${JSON.stringify(q)}:\n${text}`).toEqual(answer(() => sshG(q) ?? fail('the parity test needs the OpenSSH client (ssh) on PATH')));
        queries++;
      }
    }
    expect(queries).toBe(CASES * 3);
    expect([...features].sort()).toEqual(['!', '"', '%', '=', 'Include', 'Match'].sort());
  }, 300_000);
});
