/** Opening an SSH target: resolve the destination through ~/.ssh/config, connect, verify, authenticate. */
import { userInfo } from 'node:os';
import { knownHostsName } from './knownHosts.js';
import { resolveEndpoint } from './config.js';
import { connect, type ConnectOptions } from './connect.js';
import { SshTarget } from './target.js';

export { SshTarget } from './target.js';
export { resolveEndpoint, type SshEndpoint } from './config.js';
export { hostKeyRecorded, UnknownHostKey } from './connect.js';

export type OpenSshOptions = Omit<ConnectOptions, 'agent'>;

export async function openSshTarget(destination: string, options: OpenSshOptions): Promise<SshTarget> {
  // ~/.ssh is where ssh looks: the home in the password database ($HOME is not read by ssh).
  const me = userInfo();
  const endpoint = resolveEndpoint(destination, { home: me.homedir, localUser: me.username, uid: me.uid });
  const clients = await connect(endpoint, { ...options, ...(process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}) });
  return new SshTarget(`ssh ${endpoint.user}@${knownHostsName(endpoint.alias, endpoint.port)}`, clients);
}
