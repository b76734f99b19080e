/**
 * OpenSSH's own answer: `ssh -G` prints the configuration ssh would use for a host (Include, Match,
 * canonicalisation, tokens in the file paths it expands), one `keyword value` per line.
 */
import { spawnSync } from 'node:child_process';
import { InputError } from '../../errors.js';
import type { SshQuery, SshSettings } from './sshConfig.js';

/** Keywords whose value is a list of words on one line (ssh prints them space-separated). */
const LISTS = new Set(['userknownhostsfile', 'globalknownhostsfile']);

/** ssh's answer, or undefined when no ssh client is installed (then the built-in reader answers). */
export function sshG(q: SshQuery): SshSettings | undefined {
  const args = ['-G', ...(q.configFile ? ['-F', q.configFile] : []), ...(q.user ? ['-l', q.user] : []), ...(q.port ? ['-p', String(q.port)] : []), '--', q.host];
  const r = spawnSync('ssh', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (r.status !== 0) {
    const why = (r.stderr || '').trim().split('\n').filter((l) => !/^Pseudo-terminal/.test(l)).join('; ');
    throw new InputError(`ssh -G ${q.host}: ${why || `exit ${r.status}`}`);
  }
  const out: SshSettings = new Map();
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf(' ');
    if (i <= 0) continue;
    const key = line.slice(0, i).toLowerCase();
    const value = line.slice(i + 1);
    // `none` is no proxy at all (ssh -G prints `proxyjump none` after some Match lines, nothing after others).
    if ((key === 'proxyjump' || key === 'proxycommand') && value.toLowerCase() === 'none') continue;
    if (key === 'identityfile' || key === 'certificatefile') out.set(key, [...(out.get(key) ?? []), value]);
    else if (!out.has(key)) out.set(key, LISTS.has(key) ? value.split(' ') : [value]);
  }
  return out;
}
