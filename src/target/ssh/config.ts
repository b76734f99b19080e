/**
 * Where `user@host[:port]` or a Host alias really leads, as OpenSSH's ~/.ssh/config says: HostName,
 * User, Port, IdentityFile, ProxyJump (parsed by the ssh-config library, Match exec not evaluated).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { InputError } from '../../errors.js';

export interface SshEndpoint {
  /** What the person wrote (alias or host), for messages and known_hosts. */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** ConnectTimeout in seconds, if the config sets one. */
  connectTimeout?: number;
  /** Hosts to hop through first (ProxyJump), each resolved the same way. */
  jump: SshEndpoint[];
}

const DESTINATION = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d{1,5}))?$/;

export function expandTilde(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

function readConfig(home: string): SSHConfig {
  try {
    return SSHConfig.parse(readFileSync(join(home, '.ssh', 'config'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return SSHConfig.parse('');
    throw new InputError(`~/.ssh/config: ${(err as Error).message}`);
  }
}

export function resolveEndpoint(destination: string, options: { home: string; localUser: string; depth?: number }): SshEndpoint {
  const m = DESTINATION.exec(destination.trim());
  if (!m) throw new InputError(`"${destination}" is not an SSH destination (user@host[:port] or a Host alias from ~/.ssh/config)`);
  const [, user, rawHost, port] = m;
  const alias = rawHost!.replace(/^\[|\]$/g, '');
  const config = readConfig(options.home).compute(alias, { matchExec: false }) as Record<string, string | string[] | undefined>;
  const one = (key: string) => {
    const v = config[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const identity = config.IdentityFile;
  const resolvedPort = Number(port ?? one('Port') ?? 22);
  if (!(resolvedPort > 0 && resolvedPort < 65536)) throw new InputError(`"${destination}": port ${resolvedPort} is out of range`);
  const jumps = one('ProxyJump');
  const timeout = Number(one('ConnectTimeout'));
  const depth = options.depth ?? 0;
  if (jumps && depth > 5) throw new InputError(`ProxyJump of ${alias} nests more than five hosts deep`);
  return {
    alias,
    host: one('HostName')?.replace('%h', alias) ?? alias,
    port: resolvedPort,
    user: user ?? one('User') ?? options.localUser,
    identityFiles: (Array.isArray(identity) ? identity : identity ? [identity] : []).map((f) => expandTilde(f, options.home)),
    ...(timeout > 0 ? { connectTimeout: timeout } : {}),
    jump:
      jumps && jumps.toLowerCase() !== 'none'
        ? jumps.split(',').map((j) => resolveEndpoint(j, { ...options, depth: depth + 1 }))
        : [],
  };
}
