/**
 * What a buddy needs of a target, checked against its facts: the tools and versions, Claude Code's
 * features the recipe asks for, the sandbox, Bun for the chat plugins and an init system.
 */
import semver from 'semver';
import { BUN_INSTALLER, bunWork, type BunWanted } from './bun.js';
import type { Facts } from './facts.js';
import type { Requirement } from './types.js';
import { sandboxRequirement } from './sandbox.js';

export const MIN_VERSIONS = { tmux: '3.3.0', node: '18.0.0' } as const;

/**
 * Claude Code versions that matter to a buddy (its changelog; FACTS.md). The oldest supported is the
 * oldest the real-client tests prove (test/client/claude.ts says why that one).
 */
export const CLAUDE_VERSIONS = {
  oldestSupported: '2.1.197',
  /** From here the npm package declares engines.node >= 22 (the native installer needs no Node). */
  npmNeedsNode22: '2.1.198',
  /** CLAUDE_CODE_SUBPROCESS_ENV_SCRUB, and Bash in its own PID namespace on Linux. */
  envScrub: '2.1.98',
  /** --channels with API-key auth. */
  channelsWithApiKey: '2.1.128',
  /** A transient 401 no longer swaps a long-lived CLAUDE_CODE_OAUTH_TOKEN for a short-lived login. */
  longLivedOauthFix: '2.1.225',
  /**
   * `claude plugin install <name> --marketplace <source>` adds the marketplace in the same run (one start
   * of Claude Code instead of two). The oldest version known here to have it: 2.1.332 has it, 2.1.197 not.
   */
  installWithMarketplace: '2.1.332',
  /**
   * sandbox.network.strictAllowlist: a host outside the list is refused. Before it (measured on 2.1.197),
   * Claude Code asks a person ("Network request outside of sandbox"), and a yes lets the command out.
   */
  strictHostList: '2.1.219',
  /** `claude sandbox status`: the effective sandbox as Claude Code reads it. The oldest version known here to have it (2.1.197 would take the words as a prompt). */
  sandboxStatus: '2.1.332',
} as const;

/** The install command people are pointed to: the native installer (no Node.js needed). */
export const CLAUDE_INSTALL = 'curl -fsSL https://claude.ai/install.sh | bash';

/**
 * Whether claude can keep credentials out of its subprocesses here: on Linux its sandbox needs bubblewrap
 * (without it claude refuses to start) and socat (without it every Bash call fails).
 */
export const canScrubSubprocessEnv = (facts: Facts): boolean => facts.os === 'macos' || Boolean(facts.tools.bwrap && facts.tools.socat);
const SANDBOX_TOOLS = [['bwrap', 'bubblewrap'], ['socat', 'socat']] as const;

/** What a buddy needs of the Claude Code found on the target, beyond being there. */
export interface ClaudeNeeds {
  channels: boolean;
  auth: 'oauthToken' | 'apiKey' | 'none';
  /** Bun for the channels, and whether apply may install it. */
  bun: BunWanted;
  /** Claude Code's OS sandbox around the agent's commands. */
  sandbox: boolean;
}

/**
 * Checks the facts against what a buddy needs; `claude` adds what the recipe's auth and channels ask of
 * Claude Code, and Bun for channels; `startsService` (false under --root, where nothing is started) adds
 * the init system.
 */
export function checkRequirements(facts: Facts, needs: ClaudeNeeds, startsService = true): Requirement[] {
  const apt = facts.os === 'linux' ? 'sudo apt-get install -y' : 'brew install';
  const versioned = (name: keyof Facts['tools'], label: string, min: string, fix: string): Requirement => {
    const t = facts.tools[name];
    if (!t) return { what: label, ok: false, detail: 'not found', fix };
    if (!t.version) return { what: label, ok: false, detail: `${t.path}: version unknown`, fix };
    const ok = semver.gte(t.version, min);
    return { what: label, ok, detail: `${t.version} at ${t.path}${ok ? '' : ` (needs >= ${min})`}`, ...(ok ? {} : { fix }) };
  };
  const reqs: Requirement[] = [
    versioned('node', 'node', MIN_VERSIONS.node, `${apt} nodejs (or install Node.js ${MIN_VERSIONS.node.split('.')[0]}+)`),
    versioned('tmux', 'tmux', MIN_VERSIONS.tmux, `${apt} tmux`),
    versioned('claude', 'claude', CLAUDE_VERSIONS.oldestSupported, CLAUDE_INSTALL),
    ...claudeFeatureChecks(facts, needs),
  ];
  if (needs.sandbox) {
    reqs.push(sandboxRequirement(facts));
    const version = facts.tools.claude?.version;
    if (version && semver.lt(version, CLAUDE_VERSIONS.strictHostList)) {
      reqs.push({
        what: 'sandbox host list',
        ok: false,
        warning: true,
        detail: `Claude Code ${version} asks a person before a sandboxed command reaches a host outside the list (refused without asking from ${CLAUDE_VERSIONS.strictHostList}): a yes lets it out`,
        fix: CLAUDE_INSTALL,
      });
    }
  }
  else if (facts.os === 'linux') {
    for (const [key, pkg] of SANDBOX_TOOLS) {
      const t = facts.tools[key];
      reqs.push(
        t
          ? { what: pkg, ok: true, detail: `${t.version ?? '?'} at ${t.path}` }
          : {
              what: pkg,
              ok: false,
              detail: "not found: Claude Code's sandbox needs it to keep the auth token out of the agent's Bash tool, so that protection stays off",
              fix: `${apt} ${pkg}`,
            },
      );
    }
  }
  if (needs.channels) reqs.push(bunRequirement(facts, needs.bun));
  if (facts.init === 'none' && startsService) {
    reqs.push({
      what: 'init system',
      ok: false,
      detail: 'neither systemd nor launchd is running',
      fix: 'run the supervisor yourself: buddy-init supervise --config <path shown by plan>',
    });
  }
  return reqs;
}

/** Bun as the chat plugins need it; `byApply` when apply installs it (the recipe's consent). */
function bunRequirement(facts: Facts, wanted: BunWanted): Requirement {
  const bun = facts.tools.bun;
  const work = bunWork(facts, wanted);
  if (work.kind === 'install') return { what: 'bun', ok: false, byApply: true, detail: `${work.why}: apply installs it (npm ${work.argv.slice(1).join(' ')})` };
  const fix = wanted.install
    ? `${facts.os === 'linux' ? 'sudo apt-get install -y npm' : 'brew install node'} (then apply installs Bun), or: ${BUN_INSTALLER}`
    : `set bun.install: true in the recipe (apply installs it with npm), or: ${BUN_INSTALLER}`;
  if (work.kind === 'cannot') return { what: 'bun', ok: false, detail: work.why, fix };
  if (!bun) return { what: 'bun', ok: false, detail: 'not found (the chat plugins run on Bun)', fix };
  if (!bun.version) return { what: 'bun', ok: false, detail: `${bun.path} does not run (bun --version failed), so the chat plugins cannot start`, fix };
  if (wanted.version && bun.version !== wanted.version) {
    return { what: 'bun', ok: false, warning: true, detail: `${bun.version} at ${bun.path}, not the recipe's ${wanted.version}`, fix: 'set bun.install: true in the recipe to let apply install it' };
  }
  return { what: 'bun', ok: true, detail: `${bun.version} at ${bun.path}` };
}

/**
 * What the recipe asks of the Claude Code version found, beyond the oldest supported (checked apart, and
 * already past the channel, API-key and env-scrub minimums).
 */
function claudeFeatureChecks(facts: Facts, needs: ClaudeNeeds): Requirement[] {
  const version = facts.tools.claude?.version;
  if (!version) return [];
  const checks: Requirement[] = [];
  if (needs.auth === 'oauthToken' && semver.lt(version, CLAUDE_VERSIONS.longLivedOauthFix)) {
    checks.push({
      what: 'claude OAuth token',
      ok: false,
      warning: true,
      detail: `Claude Code ${version} may swap the long-lived token for a short-lived login after a transient 401 and stop answering until restarted (fixed in ${CLAUDE_VERSIONS.longLivedOauthFix})`,
      fix: CLAUDE_INSTALL,
    });
  }
  return checks;
}
