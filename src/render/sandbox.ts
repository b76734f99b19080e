/**
 * The recipe's `sandbox:` as Claude Code's own settings, in a file of buddy-init's that the supervisor hands
 * claude with `--settings`. That source, unlike the project's settings files, is one Claude Code honours
 * for everything that weakens or hardens the sandbox (auto-allow, the strict host list, unsandboxed
 * escapes), and one the agent cannot edit (Claude Code write-protects it; so does the list below).
 *
 * Measured with 2.1.197 and 2.1.332 (test/client/sandbox.test.ts): what is listed here is what the kernel
 * enforces on every Bash command; a `sandbox.enabled: false` or a wider host list in the workdir's
 * settings.local.json changes nothing.
 */
import { posix } from 'node:path';
import type { Channel, ChannelName, Recipe } from '../recipe/index.js';
import { TOOLCHAINS } from '../recipe/toolchains.js';
import { HOME_PROTECTED } from '../runtime/shared/protectedFiles.js';
import { HOME_SECRETS } from '../runtime/shared/secretFiles.js';
import { OperationError } from '../errors.js';
import { remoteHosts, sandboxRequirement } from '../target/sandbox.js';
import type { Facts } from '../target/index.js';
import { expandHome, type Layout } from './layout.js';

/**
 * What Claude Code's sandbox puts in the command's folder where these are missing: a read-only /dev/null
 * (measured, 2.1.197 and 2.1.332: `find . -type c`), so no command can create them. git sees character
 * devices it cannot add, and `git add -A` fails on them; the agent's git is told to ignore them (an
 * ignore changes nothing for what a project already tracks).
 */
export const SANDBOX_PLACEHOLDERS = [
  '.bash_profile', '.bashrc', '.gitconfig', '.gitmodules', '.idea', '.mcp.json', '.profile', '.ripgreprc', '.vscode', '.zprofile', '.zshrc',
  '.claude/.cc-writes', '.claude/agents', '.claude/commands', '.claude/hooks', '.claude/launch.json', '.claude/loop.md', '.claude/output-styles',
  '.claude/routines', '.claude/scheduled_tasks.json', '.claude/settings.json', '.claude/settings.local.json', '.claude/skills', '.claude/workflows',
];

/** The ignore file for the agent's git (core.excludesFile): the sandbox's placeholders, wherever the command runs. */
export const placeholderIgnores = (): string =>
  `# Managed by buddy-init: what Claude Code's sandbox puts in a command's folder (read-only /dev/null), which git cannot add.\n${SANDBOX_PLACEHOLDERS.map((p) => `**/${p}\n`).join('')}`;

/** The variables that may hold a buddy's secrets: unset for every sandboxed command. */
const SECRET_VARIABLES = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'DISCORD_BOT_TOKEN', 'TELEGRAM_BOT_TOKEN'];

export interface SandboxSettings {
  enabled: true;
  failIfUnavailable: true;
  autoAllowBashIfSandboxed: boolean;
  allowUnsandboxedCommands: false;
  filesystem: { allowWrite: string[]; denyWrite: string[]; denyRead: string[] };
  credentials: { envVars: Array<{ name: string; mode: 'deny' }> };
  network: { allowedDomains: string[]; strictAllowlist: true };
}

const uniqueSorted = (list: string[]) => [...new Set(list)].sort();

/**
 * The sandbox's settings for this recipe on this target; none with `sandbox: false`. A target where the
 * sandbox cannot run is refused, with the fix (claude would refuse to start: failIfUnavailable).
 */
export function sandboxSettings(recipe: Recipe, layout: Layout, facts: Facts, channels: ReadonlyArray<[ChannelName, Channel]>): SandboxSettings | undefined {
  const { sandbox } = recipe;
  if (sandbox === false) return undefined;
  const support = sandboxRequirement(facts);
  if (!support.ok) throw new OperationError(`the sandbox cannot run on the target: ${support.detail}; fix: ${support.fix} (or set sandbox: false in the recipe)`);
  const home = (rel: string) => posix.join(layout.home, rel);
  const place = (path: string) => posix.resolve(layout.workdir, expandHome(path, layout.home));
  // Claude Code reads `//path` as absolute in sandbox settings (and `~/` as the home folder).
  const abs = (path: string) => `/${path}`;
  const toolchains = sandbox.toolchains.map((t) => TOOLCHAINS[t]);
  const localMarketplaces = channels.flatMap(([, c]) => (c.marketplace && /^[~/]/.test(c.marketplace) ? [place(c.marketplace)] : []));
  const allowWrite = [
    layout.workdir,
    ...(facts.workdirGitRoot ? [facts.workdirGitRoot] : []),
    ...recipe.permissions.additionalDirectories.map(place),
    ...toolchains.flatMap((t) => t.caches.map(home)),
    ...sandbox.write.map(place),
  ];
  // The hook's table of secrets (buddy-init's token files and state among them); its exceptions (public
  // keys) cannot be said to the sandbox, which hides the whole match.
  const denyRead = [...HOME_SECRETS.filter((p) => !p.startsWith('!')).map(home), ...sandbox.denyRead.map(place)];
  const domains = [
    ...toolchains.flatMap((t) => t.domains),
    ...(sandbox.gitRemotes ? remoteHosts(facts.workdirRemotes ?? []) : []),
    ...sandbox.domains,
  ];
  return {
    enabled: true,
    failIfUnavailable: true,
    autoAllowBashIfSandboxed: sandbox.autoAllow,
    allowUnsandboxedCommands: false,
    filesystem: {
      allowWrite: uniqueSorted(allowWrite).map(abs),
      denyWrite: uniqueSorted([...HOME_PROTECTED.flatMap((g) => g.paths).map(home), ...localMarketplaces]).map(abs),
      denyRead: uniqueSorted(denyRead).map(abs),
    },
    credentials: { envVars: SECRET_VARIABLES.map((name) => ({ name, mode: 'deny' })) },
    network: { allowedDomains: uniqueSorted(domains), strictAllowlist: true },
  };
}
