/**
 * Where `user@host[:port]` or a Host alias really leads, read exactly as OpenSSH reads ~/.ssh/config:
 * by `ssh -G` where an ssh client is installed (Include, Match, canonicalisation, tokens: ssh's own
 * answer), else by the built-in reader that gives the same answers (sshConfig.ts, tested against ssh -G).
 * `~` is the home in the password database, as ssh has it ($HOME is not read by ssh either).
 */
import { InputError } from '../../errors.js';
import { expandTilde, expandTokens, readSshConfig, tokens, type SshQuery, type SshSettings } from './sshConfig.js';
import { sshG } from './sshG.js';

export type StrictHostKeyChecking = 'true' | 'false' | 'ask' | 'accept-new';

export interface SshEndpoint {
  /** What the person wrote (alias or host), for messages. */
  alias: string;
  /** Where to connect (HostName). */
  host: string;
  port: number;
  user: string;
  /** Key files to offer, tokens and ~ expanded (ssh's defaults when the config names none). */
  identityFiles: string[];
  /** CertificateFile(s): user certificates, which the SSH library cannot present (said, not used). */
  certificateFiles: string[];
  /** IdentitiesOnly: only the key files, not every key the agent holds. */
  identitiesOnly: boolean;
  /** IdentityAgent: a socket path, or 'none'; undefined: SSH_AUTH_SOCK. */
  identityAgent?: string;
  connectTimeout?: number;
  serverAliveInterval?: number;
  /** The name host keys are recorded and looked up under, when not the HostName. */
  hostKeyAlias?: string;
  /** UserKnownHostsFile(s) (the first is where a new key is recorded) and GlobalKnownHostsFile(s). */
  knownHosts: { user: string[]; global: string[] };
  strictHostKeyChecking: StrictHostKeyChecking;
  hashKnownHosts: boolean;
  checkHostIp: boolean;
  /** ProxyCommand with its tokens expanded, run by the shell; its stdin/stdout are the connection. */
  proxyCommand?: string;
  /** Hosts to hop through first (ProxyJump), in order, each resolved by the same rules. */
  jump: SshEndpoint[];
  /** Which reader answered: OpenSSH's own (`ssh -G`) or buddy-init's. */
  via: 'ssh -G' | 'built-in reader';
}

export interface ResolveOptions {
  /** The local user's home as ssh sees it (password database). */
  home: string;
  localUser: string;
  uid: number;
  depth?: number;
}

const DESTINATION = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d{1,5}))?$/;
/** ProxyJump hops: [user@]host[:port] or ssh://[user@]host[:port]. */
const HOP = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s/]+)(?::(\d{1,5}))?$/;

export function resolveEndpoint(destination: string, options: ResolveOptions): SshEndpoint {
  const m = DESTINATION.exec(destination.trim());
  if (!m) throw new InputError(`"${destination}" is not an SSH destination (user@host[:port] or a Host alias from ~/.ssh/config)`);
  return resolveHop(m[2]!.replace(/^\[|\]$/g, ''), m[1], m[3] ? Number(m[3]) : undefined, options);
}

function resolveHop(host: string, user: string | undefined, port: number | undefined, options: ResolveOptions, jumpOverride?: SshEndpoint[]): SshEndpoint {
  if (port !== undefined && !(port > 0 && port < 65536)) throw new InputError(`"${host}": port ${port} is out of range`);
  const query: SshQuery = { host, home: options.home, localUser: options.localUser, uid: options.uid, ...(user ? { user } : {}), ...(port ? { port } : {}) };
  // One spawn: ssh -G answers where a client is installed; without one, the built-in reader does.
  const fromClient = sshG(query);
  return endpointFrom(fromClient ?? readSshConfig(query), query, options, fromClient ? 'ssh -G' : 'built-in reader', jumpOverride);
}

function endpointFrom(s: SshSettings, q: SshQuery, options: ResolveOptions, via: SshEndpoint['via'], jumpOverride?: SshEndpoint[]): SshEndpoint {
  const one = (k: string) => s.get(k)?.[0];
  const values = tokens(s, q);
  const path = (p: string) => expandTokens(expandTilde(p, options.home), values);
  const seconds = (k: string) => (one(k) && one(k) !== 'none' && Number(one(k)) > 0 ? Number(one(k)) : undefined);
  const depth = options.depth ?? 0;
  const jumps = one('proxyjump');
  if (jumps && depth > 5) throw new InputError(`ProxyJump of ${q.host} nests more than five hosts deep`);
  const agent = one('identityagent');
  const timeout = seconds('connecttimeout');
  const alive = seconds('serveraliveinterval');
  const alias = one('hostkeyalias');
  const proxy = one('proxycommand');
  const userFiles = (s.get('userknownhostsfile') ?? []).filter((f) => f !== 'none');
  const globalFiles = (s.get('globalknownhostsfile') ?? []).filter((f) => f !== 'none');
  return {
    alias: q.host,
    host: one('hostname')!,
    port: Number(one('port')),
    user: one('user')!,
    identityFiles: (s.get('identityfile') ?? []).map(path),
    certificateFiles: (s.get('certificatefile') ?? []).map(path),
    identitiesOnly: one('identitiesonly') === 'yes',
    ...(agent !== undefined ? { identityAgent: agent === 'none' || agent === 'SSH_AUTH_SOCK' ? agent : path(agent) } : {}),
    ...(timeout ? { connectTimeout: timeout } : {}),
    ...(alive ? { serverAliveInterval: alive } : {}),
    ...(alias ? { hostKeyAlias: alias } : {}),
    knownHosts: { user: userFiles.map(path), global: globalFiles.map(path) },
    strictHostKeyChecking: (one('stricthostkeychecking') ?? 'ask') as StrictHostKeyChecking,
    hashKnownHosts: one('hashknownhosts') === 'yes',
    checkHostIp: one('checkhostip') === 'yes',
    // ssh expands %h %p %r %n %% in ProxyCommand (and the path tokens with them).
    ...(proxy ? { proxyCommand: expandTokens(proxy, values) } : {}),
    jump: jumpOverride ?? (jumps ? jumpChain(jumps, { ...options, depth: depth + 1 }) : []),
    via,
  };
}

/**
 * ProxyJump a,b,c as ssh runs it: the first hop resolved with its own config (its own ProxyJump
 * included), each later hop reached through the ones before it (ssh passes them with -J, which wins
 * over that hop's own ProxyJump).
 */
function jumpChain(list: string, options: ResolveOptions): SshEndpoint[] {
  const chain: SshEndpoint[] = [];
  for (const [i, hop] of list.split(',').entries()) {
    const m = HOP.exec(hop.trim());
    if (!m) throw new InputError(`ProxyJump: "${hop}" is not [user@]host[:port]`);
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const endpoint = resolveHop(host, m[1], m[3] ? Number(m[3]) : undefined, options, i === 0 ? undefined : []);
    // A later hop is reached with -J, which also sets its ProxyCommand aside.
    const { proxyCommand: _unused, ...reached } = endpoint;
    chain.push(...(i === 0 ? endpoint.jump : []), i === 0 ? { ...endpoint, jump: [] } : { ...reached, jump: [] });
  }
  return chain;
}
