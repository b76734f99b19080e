/**
 * Bun, which the chat plugins run on (their MCP server is `bun run ... start`). buddy-init installs it
 * only when the recipe says so (`bun.install: true`, the person's consent), for the target user with
 * the npm registry's `bun` package: `npm install -g --prefix ~/.bun` puts it at ~/.bun/bin/bun, where
 * the official installer puts it too and where the unit's PATH looks. npm honours the user's own
 * registry, proxy and cache settings, so a box behind a mirror installs it the same way.
 */
/** What this module reads of the target's facts: a part of Facts by shape, so facts.ts uses it without an import cycle. */
interface BunFacts {
  home: string;
  tools: { bun?: { path: string; version?: string }; npm?: { path: string; version?: string } };
}

export interface BunWanted {
  install: boolean;
  version?: string;
}

/** What apply does about Bun: nothing, install (with the command), or cannot (and why). */
export type BunWork = { kind: 'none' } | { kind: 'install'; argv: string[]; why: string } | { kind: 'cannot'; why: string };

export const BUN_INSTALLER = 'curl -fsSL https://bun.sh/install | bash';
export const bunHome = (facts: BunFacts): string => `${facts.home}/.bun`;

export function bunWork(facts: BunFacts, wanted: BunWanted): BunWork {
  const found = facts.tools.bun;
  const ours = found?.path === `${bunHome(facts)}/bin/bun`;
  const why = !found
    ? 'Bun is missing; the chat plugins run on it'
    : !found.version
      ? `${found.path} does not run`
      : wanted.version && found.version !== wanted.version
        ? `Bun ${found.version} is not the recipe's ${wanted.version}`
        : undefined;
  if (!why || !wanted.install) return { kind: 'none' };
  // A Bun elsewhere on PATH (Homebrew, /usr/local) comes first; buddy-init replaces only ~/.bun.
  if (found && !ours) return { kind: 'cannot', why: `${why}, and it is at ${found.path}: buddy-init replaces only ${bunHome(facts)}; update that one yourself` };
  if (!facts.tools.npm) return { kind: 'cannot', why: `${why}, and npm is not on the target to install it` };
  return {
    kind: 'install',
    argv: [facts.tools.npm.path, 'install', '--global', '--prefix', bunHome(facts), '--no-audit', '--no-fund', `bun@${wanted.version ?? 'latest'}`],
    why,
  };
}
