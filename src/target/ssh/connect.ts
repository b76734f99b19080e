/**
 * One authenticated SSH connection (hopping through ProxyJump hosts), with host keys checked against
 * known_hosts and the usual ways in: the agent, then each identity file (asking for the passphrase of
 * an encrypted one). Every failure is one sentence that says which step failed and why.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, ClientChannel, ConnectConfig } from 'ssh2';
import { InputError, OperationError } from '../../errors.js';
import type { SshEndpoint } from './config.js';
import { algorithmsFor, knownHostsName, knownKeys, verifyHostKey, type HostKeyPolicy } from './knownHosts.js';

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
  /** Record an unknown host key (like ssh -o StrictHostKeyChecking=accept-new) instead of refusing. */
  acceptNew: boolean;
  /** Asks for a key's passphrase; absent without a terminal. */
  passphrase?: (keyFile: string) => Promise<string>;
  /** Told when a new host key was recorded (the name and the file), or taken unchecked (StrictHostKeyChecking no). */
  onRecorded?: (name: string, file: string, unchecked: boolean) => void;
  /** SSH_AUTH_SOCK. */
  agent?: string;
  /** Told what of the config cannot be honoured (a user certificate). */
  onWarning?: (message: string) => void;
  readyTimeoutMs?: number;
}

function describe(e: SshEndpoint): string {
  return `${e.user}@${knownHostsName(e.alias, e.port)}`;
}

/** What a person is told when a new host key was recorded. */
export function hostKeyRecorded(name: string, file: string, unchecked: boolean): string {
  return unchecked
    ? `WARNING: StrictHostKeyChecking is off for ${name} in ~/.ssh/config: its key was taken WITHOUT a check and recorded in ${file}`
    : `recorded the host key of ${name} in ${file}`;
}

/** How ssh would check this host's key: where, under which name, and whether a new one is taken. */
export function hostKeyPolicy(e: SshEndpoint, acceptNewFlag: boolean): HostKeyPolicy {
  const strict = e.strictHostKeyChecking;
  return {
    name: e.hostKeyAlias ?? knownHostsName(e.host, e.port),
    userFiles: e.knownHosts.user,
    globalFiles: e.knownHosts.global,
    // --accept-new is ssh's -o StrictHostKeyChecking=accept-new: the command line wins over the config.
    acceptNew: acceptNewFlag || strict === 'accept-new' || strict === 'false',
    unchecked: !acceptNewFlag && strict === 'false',
    hash: e.hashKnownHosts,
  };
}

/** The agent ssh would ask: IdentityAgent (none: no agent), else SSH_AUTH_SOCK; none with IdentitiesOnly. */
function agentFor(e: SshEndpoint, fromEnv: string | undefined): string | undefined {
  if (e.identitiesOnly || e.identityAgent === 'none') return undefined;
  return e.identityAgent && e.identityAgent !== 'SSH_AUTH_SOCK' ? e.identityAgent : fromEnv;
}

/** A key file ssh2 cannot use, named with its type and what to do instead (undefined: usable). */
function unsupportedKey(file: string): string | undefined {
  let pub = '';
  try {
    pub = readFileSync(`${file}.pub`, 'utf8');
  } catch {
    return undefined;
  }
  const type = pub.split(/\s+/)[0] ?? '';
  if (type.startsWith('sk-')) return `${file} is a FIDO security key (${type}), which buddy-init's SSH library cannot use; give this host a plain ed25519 key (ssh-keygen -t ed25519, IdentityFile in ~/.ssh/config) or load one into your agent`;
  return undefined;
}

/** Builds the list of auth attempts lazily: a key is read (and its passphrase asked) only when its turn comes. */
function authSequence(endpoint: SshEndpoint, options: ConnectOptions, tried: string[]) {
  const steps: Array<() => Promise<AnyAuthMethod | undefined>> = [];
  const agent = agentFor(endpoint, options.agent);
  if (agent) {
    steps.push(async () => {
      tried.push(`agent ${agent}`);
      return { type: 'agent', username: endpoint.user, agent };
    });
  }
  for (const file of endpoint.identityFiles) {
    steps.push(async () => {
      if (!existsSync(file)) return undefined;
      const unusable = unsupportedKey(file);
      if (unusable) {
        tried.push(`publickey ${file} (${unusable})`);
        return undefined;
      }
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

/** A connection's own stream (a ProxyCommand's) and why it ended, if it failed. */
interface Carrier {
  sock: Duplex;
  /** Why the stream failed (the command's exit), waited for briefly; undefined if it did not. */
  failure(): Promise<string | undefined>;
}

function connectOne(endpoint: SshEndpoint, options: ConnectOptions, carrier?: Carrier): Promise<SshClient> {
  const sock = carrier?.sock;
  const policy = hostKeyPolicy(endpoint, options.acceptNew);
  if (endpoint.checkHostIp && !/^[\d.:]+$/.test(endpoint.host)) {
    options.onWarning?.(`${endpoint.alias}: CheckHostIP yes is not followed: buddy-init checks the host key under ${policy.name} only (OpenSSH's own default is no)`);
  }
  for (const cert of endpoint.certificateFiles) {
    options.onWarning?.(`${endpoint.alias}: the user certificate ${cert} is not presented: buddy-init's SSH library cannot use certificates; the key itself is offered`);
  }
  const tried: string[] = [];
  const steps = authSequence(endpoint, options, tried);
  let hostKeyProblem: string | undefined;
  let unknownHost: { name: string; type: string; fingerprint: string } | undefined;
  let authProblem: Error | undefined;
  const client = new Client();
  const algorithms = algorithmsFor(knownKeys([...policy.userFiles, ...policy.globalFiles], policy.name));

  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: endpoint.connectTimeout ? endpoint.connectTimeout * 1000 : (options.readyTimeoutMs ?? 20_000),
    keepaliveInterval: (endpoint.serverAliveInterval ?? 15) * 1000,
    ...(sock ? { sock } : {}),
    ...(algorithms ? { algorithms: { serverHostKey: algorithms as never } } : {}),
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(policy, key);
      if (!verdict.ok) {
        hostKeyProblem = verdict.reason;
        unknownHost = verdict.unknown;
      } else if (verdict.recorded) options.onRecorded?.(policy.name, verdict.recorded, Boolean(verdict.unchecked));
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
    // `on`, not `once`: a dropped stream can make ssh2 report more than one error; the first one counts.
    client.on('error', (err: Error & { code?: string; level?: string }) => {
      void explain(err);
    });
    const explain = async (err: Error & { code?: string; level?: string }) => {
      const where = describe(endpoint);
      const carried = await carrier?.failure();
      if (carried) return reject(new OperationError(carried));
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
    };
    client.connect(config);
  });
}

/**
 * ProxyCommand as ssh runs it: `exec <command>` by the shell, its stdin and stdout the connection. A
 * command that fails before the handshake is reported with its exit code and what it printed.
 */
function proxyCommand(endpoint: SshEndpoint): Promise<Carrier> {
  const command = endpoint.proxyCommand!;
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.SHELL || '/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', (err) => reject(new OperationError(`ProxyCommand for ${endpoint.alias} (${command}) cannot run: ${err.message}`)));
    child.once('spawn', () => {
      const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
      sock.on('error', () => {}); // the connection reports it (with the reason below)
      const exited = new Promise<string | undefined>((done) =>
        child.once('exit', (code) => done(code ? `ProxyCommand for ${endpoint.alias} (${command}) exited with ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}` : undefined)),
      );
      // A command still running when the connection failed did not cause it.
      resolve({ sock, failure: () => Promise.race([exited, new Promise<undefined>((done) => setTimeout(() => done(undefined), 500))]) });
    });
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
      const carrier = clients.length ? { sock: await forward(clients[clients.length - 1]!, hop), failure: async () => undefined } : hop.proxyCommand ? await proxyCommand(hop) : undefined;
      clients.push(await connectOne(hop, options, carrier));
    }
    return clients;
  } catch (err) {
    clients.reverse().forEach((c) => c.end());
    throw err;
  }
}
