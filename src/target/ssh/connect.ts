/**
 * One authenticated SSH connection (hopping through ProxyJump hosts), with host keys checked against
 * known_hosts and the usual ways in: the agent, then each identity file (asking for the passphrase of
 * an encrypted one). Every failure is one sentence that says which step failed and why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, ClientChannel, ConnectConfig } from 'ssh2';
import { InputError, OperationError } from '../../errors.js';
import type { SshEndpoint } from './config.js';
import { algorithmsFor, knownHostsName, knownKeys, verifyHostKey } from './knownHosts.js';

const { Client, utils } = ssh2;
export type SshClient = InstanceType<typeof Client>;

/** The host is not in known_hosts: a person may check the fingerprint and accept it. */
export class UnknownHostKey extends InputError {
  constructor(
    message: string,
    readonly host: { name: string; type: string; fingerprint: string },
  ) {
    super(message);
    this.name = 'UnknownHostKey';
  }
}

export interface ConnectOptions {
  home: string;
  /** Record an unknown host key (like StrictHostKeyChecking=accept-new) instead of refusing. */
  acceptNew: boolean;
  /** Asks for a key's passphrase; absent without a terminal. */
  passphrase?: (keyFile: string) => Promise<string>;
  /** Told when a new host key was recorded. */
  onRecorded?: (name: string) => void;
  agent?: string;
  readyTimeoutMs?: number;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function describe(e: SshEndpoint): string {
  return `${e.user}@${knownHostsName(e.alias, e.port)}`;
}

/** Builds the list of auth attempts lazily: a key is read (and its passphrase asked) only when its turn comes. */
function authSequence(endpoint: SshEndpoint, options: ConnectOptions, tried: string[]) {
  const files = endpoint.identityFiles.length ? endpoint.identityFiles : DEFAULT_KEYS.map((k) => join(options.home, '.ssh', k));
  const steps: Array<() => Promise<AnyAuthMethod | undefined>> = [];
  if (options.agent) {
    steps.push(async () => {
      tried.push('agent');
      return { type: 'agent', username: endpoint.user, agent: options.agent! };
    });
  }
  for (const file of files) {
    steps.push(async () => {
      if (!existsSync(file)) return undefined;
      const data = readFileSync(file);
      let parsed = utils.parseKey(data);
      if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
        if (!options.passphrase) {
          tried.push(`publickey ${file} (encrypted; no terminal to ask for its passphrase)`);
          return undefined;
        }
        parsed = utils.parseKey(data, await options.passphrase(file));
        if (parsed instanceof Error) throw new InputError(`${file}: wrong passphrase (${parsed.message})`);
      }
      if (parsed instanceof Error) {
        tried.push(`publickey ${file} (unreadable: ${parsed.message})`);
        return undefined;
      }
      tried.push(`publickey ${file}`);
      return { type: 'publickey', username: endpoint.user, key: Array.isArray(parsed) ? parsed[0]! : parsed };
    });
  }
  return steps;
}

function connectOne(endpoint: SshEndpoint, options: ConnectOptions, sock?: Readable): Promise<SshClient> {
  const knownHostsFile = join(options.home, '.ssh', 'known_hosts');
  const tried: string[] = [];
  const steps = authSequence(endpoint, options, tried);
  let hostKeyProblem: string | undefined;
  let unknownHost: { name: string; type: string; fingerprint: string } | undefined;
  let authProblem: Error | undefined;
  const client = new Client();
  const algorithms = algorithmsFor(knownKeys(knownHostsFile, endpoint.alias, endpoint.port));

  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: endpoint.connectTimeout ? endpoint.connectTimeout * 1000 : (options.readyTimeoutMs ?? 20_000),
    keepaliveInterval: 15_000,
    ...(sock ? { sock } : {}),
    ...(algorithms ? { algorithms: { serverHostKey: algorithms as never } } : {}),
    hostVerifier: (key: Buffer) => {
      // known_hosts lists the name the person used (the alias), as OpenSSH records it.
      const verdict = verifyHostKey(knownHostsFile, endpoint.alias, endpoint.port, key, options.acceptNew);
      if (!verdict.ok) {
        hostKeyProblem = verdict.reason;
        unknownHost = verdict.unknown;
      }
      else if (verdict.recorded) options.onRecorded?.(knownHostsName(endpoint.alias, endpoint.port));
      return verdict.ok;
    },
    authHandler: (_left, _partial, next) => {
      // ssh2 takes `false` for "no more methods", which its typings leave out.
      const giveUp = () => (next as unknown as (m: false) => void)(false);
      const attempt = async (): Promise<void> => {
        const step = steps.shift();
        if (!step) return giveUp();
        const method = await step();
        return method ? next(method) : attempt();
      };
      attempt().catch((err: Error) => {
        authProblem = err;
        giveUp();
      });
    },
  };

  return new Promise((resolve, reject) => {
    // SSH (the handshake, then SFTP and exec) is request/response: with Nagle's algorithm on, a small
    // packet sent right after another waits for the peer's delayed ACK, about 40 ms each time.
    client.once('connect', () => client.setNoDelay(true));
    client.once('ready', () => resolve(client));
    client.once('error', (err: Error & { code?: string; level?: string }) => {
      const where = describe(endpoint);
      if (hostKeyProblem) {
        const message = `host key check failed: ${hostKeyProblem}`;
        return reject(unknownHost ? new UnknownHostKey(message, unknownHost) : new InputError(message));
      }
      if (authProblem) return reject(authProblem);
      if (err.level === 'client-authentication') {
        return reject(new InputError(`authentication failed for ${where} (tried: ${tried.join(', ') || 'nothing: no agent and no key file'})`));
      }
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return reject(new InputError(`cannot resolve ${endpoint.host} (DNS) for ${where}`));
      if (err.code === 'ECONNREFUSED') return reject(new OperationError(`connection refused by ${endpoint.host}:${endpoint.port} (is sshd running there?)`));
      if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') {
        return reject(new OperationError(`timed out connecting to ${endpoint.host}:${endpoint.port} for ${where}`));
      }
      if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return reject(new OperationError(`${endpoint.host} is unreachable (${err.code})`));
      reject(new OperationError(`SSH to ${where} failed: ${err.message}`));
    });
    client.connect(config);
  });
}

function forward(via: SshClient, to: SshEndpoint): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, to.host, to.port, (err, channel) =>
      err ? reject(new OperationError(`the jump host cannot reach ${to.host}:${to.port}: ${err.message}`)) : resolve(channel),
    );
  });
}

/** Connects to `endpoint`, through its ProxyJump hosts in order. Returns every client opened (last = target). */
export async function connect(endpoint: SshEndpoint, options: ConnectOptions): Promise<SshClient[]> {
  const chain = [...endpoint.jump, { ...endpoint, jump: [] }];
  const clients: SshClient[] = [];
  try {
    for (const hop of chain) {
      const sock = clients.length ? await forward(clients[clients.length - 1]!, hop) : undefined;
      clients.push(await connectOne(hop, options, sock));
    }
    return clients;
  } catch (err) {
    clients.reverse().forEach((c) => c.end());
    throw err;
  }
}
