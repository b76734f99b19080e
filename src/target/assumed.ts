/**
 * Facts for a box that is not asked: `render` of a recipe for a Mac that is asleep, or for a macOS box
 * from a Linux laptop. Everything comes from the recipe and flags, the rest is the usual layout of a
 * fresh install, and each guess is said, so nobody mistakes the result for what the box would get.
 */
import { posix } from 'node:path';
import type { Facts, Tool } from './facts.js';

export interface Known {
  os?: Facts['os'];
  user?: string;
  home?: string;
  /** Where each known value came from, for the list of assumptions ("the recipe", "--user"). */
  from: Partial<Record<'os' | 'user' | 'home', string>>;
}

export interface Assumed {
  facts: Facts;
  /** One line per value that was not read from the box. */
  assumptions: string[];
}

export function assumedFacts(known: Known, fallbackUser: string): Assumed {
  const os = known.os ?? 'linux';
  const user = known.user ?? fallbackUser;
  const home = known.home ?? (os === 'macos' ? `/Users/${user}` : user === 'root' ? '/root' : `/home/${user}`);
  const at = (path: string): Tool => ({ path });
  const tools: Facts['tools'] =
    os === 'macos'
      ? { node: at('/opt/homebrew/bin/node'), tmux: at('/opt/homebrew/bin/tmux'), claude: at(posix.join(home, '.local/bin/claude')), launchctl: at('/bin/launchctl') }
      : { node: at('/usr/bin/node'), tmux: at('/usr/bin/tmux'), claude: at(posix.join(home, '.local/bin/claude')), bwrap: at('/usr/bin/bwrap'), socat: at('/usr/bin/socat'), loginctl: at('/usr/bin/loginctl'), systemdRun: at('/usr/bin/systemd-run') };
  const facts: Facts = {
    os,
    arch: os === 'macos' ? 'arm64' : 'x86_64',
    user,
    uid: user === 'root' ? 0 : os === 'macos' ? 501 : 1000,
    home,
    shell: os === 'macos' ? '/bin/zsh' : '/bin/bash',
    init: os === 'macos' ? 'launchd' : 'systemd',
    linger: true,
    sudo: user === 'root' ? 'root' : 'password',
    tools,
    service: { enabled: false, active: false },
    workdirExists: false,
  };
  const said = (what: string, value: string, key: keyof Known['from']) => `${what} ${value} (${known.from[key] ?? `assumed; --${key} to change`})`;
  return {
    facts,
    assumptions: [
      said('os', os, 'os'),
      said('user', user, 'user'),
      said('home', home, 'home'),
      `tools where a fresh install puts them: ${Object.values(tools)
        .map((t) => t!.path)
        .join(', ')} (version unknown: rules checked against every supported Claude Code)`,
    ],
  };
}
