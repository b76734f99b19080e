/** Opening an SSH target: resolve the destination through ~/.ssh/config, connect, verify, authenticate. */
import { homedir, userInfo } from 'node:os';
import { knownHostsName } from './knownHosts.js';
import { resolveEndpoint } from './config.js';
import { connect, type ConnectOptions } from './connect.js';
import { SshTarget } from './target.js';

export { SshTarget } from './target.js';
export { resolveEndpoint, type SshEndpoint } from './config.js';
export { UnknownHostKey } from './connect.js';

export interface OpenSshOptions extends Omit<ConnectOptions, 'home' | 'agent'> {
  home?: string;
}

export async function openSshTarget(destination: string, options: OpenSshOptions): Promise<SshTarget> {
  const home = options.home ?? homedir();
  const endpoint = resolveEndpoint(destination, { home, localUser: userInfo().username });
  const clients = await connect(endpoint, {
    ...options,
    home,
    ...(process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}),
  });
  return new SshTarget(`ssh ${endpoint.user}@${knownHostsName(endpoint.alias, endpoint.port)}`, clients);
}
