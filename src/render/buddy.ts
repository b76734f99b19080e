/**
 * recipe + facts -> the files that make a buddy. Pure: no I/O besides reading this package's templates;
 * secrets and the runtime bundles come in as arguments.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { OperationError } from '../errors.js';
import { describeProblem, ruleProblem } from '../permissions/rules.js';
import { channelEntries, slotKey, type Channel, type ChannelName, type PathKey, type Recipe, type SecretValues } from '../recipe/index.js';
import type { HookConfig } from '../runtime/hook/config.js';
import { unattendedFlags } from '../runtime/shared/claudeState.js';
import { configLockPath } from '../runtime/shared/configLock.js';
import type { SupervisorConfig } from '../runtime/supervisor/config.js';
import { canScrubSubprocessEnv, type Facts } from '../target/index.js';
import type { Artifact, JsonValue, ManagedJson } from './artifact.js';
import { shellWord } from './escape.js';
import { expandHome, layoutFor, type Layout } from './layout.js';
import { placeholderIgnores, sandboxSettings } from './sandbox.js';
import { renderTemplate } from './templates.js';

export interface RuntimeBundles {
  /** Version directory on the target (the package version). */
  version: string;
  supervisor: string;
  hook: string;
}

export interface RenderInputs {
  secrets: SecretValues;
  runtime: RuntimeBundles;
  /** The time (epoch ms) a scheduled task the recipe adds is created at: its first fire is the next match after it. */
  now: number;
}

export interface Rendering {
  layout: Layout;
  artifacts: Artifact[];
  /** Channel plugin ids, in recipe order. */
  plugins: string[];
}

/** Seconds claude gets to flush its transcript after /exit. */
const EXIT_GRACE_SECONDS = 15;

const AUTH_VARIABLES = { oauthToken: 'CLAUDE_CODE_OAUTH_TOKEN', apiKey: 'ANTHROPIC_API_KEY' } as const;
/** The variable each plugin reads its state folder from (server.ts). */
const CHANNEL_STATE_VARIABLES: Record<ChannelName, string> = { discord: 'DISCORD_STATE_DIR', telegram: 'TELEGRAM_STATE_DIR' };

const CHANNEL_TOKEN_VARIABLES: Record<ChannelName, string> = {
  discord: 'DISCORD_BOT_TOKEN',
  telegram: 'TELEGRAM_BOT_TOKEN',
};

/**
 * Where an apply stores the secret of a recipe slot on the target, and under which variable: what
 * `{ stored: true }` reads back.
 */
export function storedSecretLocation(recipe: Recipe, facts: Facts, slot: readonly PathKey[]): { path: string; variable: string; earlierPath?: string } | undefined {
  const layout = layoutFor(recipe, facts, '');
  if (slot[0] === 'auth' && (slot[1] === 'oauthToken' || slot[1] === 'apiKey')) return { path: layout.authEnv, variable: AUTH_VARIABLES[slot[1]] };
  if (slot[0] === 'channels' && (slot[1] === 'discord' || slot[1] === 'telegram')) {
    // Before each buddy had a folder of its own, the token was in the plugin's default folder.
    return { path: posix.join(layout.channelDir(slot[1]), '.env'), variable: CHANNEL_TOKEN_VARIABLES[slot[1]], earlierPath: posix.join(layout.sharedChannelDir(slot[1]), '.env') };
  }
  return undefined;
}

/** PATH for the service: where node, claude and bun were found, then the usual places. */
function servicePath(facts: Facts): string {
  const dirs = [
    ...[facts.tools.node, facts.tools.claude, facts.tools.bun].flatMap((t) => (t ? [posix.dirname(t.path)] : [])),
    posix.join(facts.home, '.local', 'bin'),
    posix.join(facts.home, '.bun', 'bin'),
    ...(facts.os === 'macos' ? ['/opt/homebrew/bin', '/opt/homebrew/sbin'] : []),
    '/usr/local/bin',
    '/usr/bin',
    '/bin',
    '/usr/sbin',
    '/sbin',
  ];
  return [...new Set(dirs)].join(':');
}

function claudeBin(recipe: Recipe, facts: Facts): string {
  const bin = recipe.claude.bin;
  if (bin === 'claude' && facts.tools.claude) return facts.tools.claude.path;
  return expandHome(bin, facts.home);
}

function secret(inputs: RenderInputs, path: string[]): string {
  const value = inputs.secrets.get(slotKey(path));
  if (value === undefined) throw new OperationError(`internal: secret ${slotKey(path)} was not resolved`);
  return value;
}

export function renderBuddy(recipe: Recipe, facts: Facts, inputs: RenderInputs): Rendering {
  const node = facts.tools.node?.path;
  if (!node) {
    throw new OperationError('node is not installed on the target; install Node.js 18 or newer (Debian: apt-get install nodejs)');
  }
  const layout = layoutFor(recipe, facts, inputs.runtime.version);
  const channels = channelEntries(recipe);
  const plugins = channels.map(([, c]) => c.plugin);
  const path = servicePath(facts);
  const watchdog = recipe.supervisor.watchdog ?? 4 * recipe.supervisor.tick;
  const restartSec = recipe.supervisor.restartDelay;
  const timeoutStopSec = EXIT_GRACE_SECONDS + 10;
  const authEntry = recipe.auth ? (Object.entries(recipe.auth)[0] as [keyof typeof AUTH_VARIABLES, unknown]) : undefined;

  const sandbox = sandboxSettings(recipe, layout, facts, channels);
  const artifacts: Artifact[] = [];
  const serviceContext = {
    version: inputs.runtime.version,
    name: recipe.name,
    node,
    supervisor: layout.supervisorBundle,
    config: layout.supervisorConfig,
    workdir: layout.workdir,
    path,
    pathAssignment: `PATH=${path}`,
    home: layout.home,
    restartSec,
    watchdogSec: watchdog,
    timeoutStopSec,
    label: layout.serviceName,
    userName: layout.init === 'launchd-daemon' ? facts.user : undefined,
    logFile: layout.logFile,
  };
  artifacts.push({
    kind: 'file',
    path: layout.servicePath,
    mode: 0o644,
    description: layout.init === 'systemd-user' ? 'systemd user unit' : `launchd ${layout.init.slice('launchd-'.length)} plist`,
    content: renderTemplate(layout.init === 'systemd-user' ? 'systemd.service' : 'launchd.plist', serviceContext),
    effects: ['reload-init', 'restart-buddy'],
    display: 'diff',
    ...(layout.init === 'launchd-daemon' ? { privileged: true } : {}),
  });

  const supervisorConfig: SupervisorConfig = {
    name: recipe.name,
    session: layout.session,
    tmuxSocket: layout.tmuxSocket,
    workdir: layout.workdir,
    claude: {
      bin: claudeBin(recipe, facts),
      args: [...recipe.claude.args, ...(sandbox ? ['--settings', layout.claudeSettings] : [])],
      channels: plugins,
    },
    ...(authEntry ? { envFile: layout.authEnv } : {}),
    // The Bash tool runs the user's login shell unless told otherwise (zsh on a Mac); the hook reads
    // every command as bash does, so claude is told to use bash.
    env: {
      CLAUDE_CODE_SHELL: '/bin/bash',
      // claude holds the auth token in its environment. Without the sandbox, this makes Claude Code strip
      // Anthropic and cloud credentials from what its Bash tool, hooks and MCP servers inherit, and run Bash
      // in its own PID namespace so /proc/<claude>/environ is out of reach; it needs bubblewrap (claude
      // refuses to start without it) and socat (every Bash call fails without it) on Linux, so it is set
      // only where both were found. With the sandbox, the sandbox does both (its credentials list unsets
      // the variables, its own PID namespace hides claude), and the scrub would be in its way: measured,
      // under the scrub Claude Code asks before every sandboxed command, auto-allow or not.
      ...(scrubsSubprocessEnv(recipe, facts) ? { CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: '1' } : {}),
      // git in the agent's commands (only there: these are claude's) ignores what the sandbox plants. It
      // takes the place of a core.excludesFile of the person's own for those commands.
      ...(sandbox ? { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.excludesFile', GIT_CONFIG_VALUE_0: layout.sandboxGitIgnore } : {}),
      ...recipe.claude.env,
      // What the schedule's times mean: Claude Code reads cron in its process's local time.
      ...(recipe.timezone ? { TZ: recipe.timezone } : {}),
      ...(recipe.claude.autoUpdate ? {} : { DISABLE_AUTOUPDATER: '1' }),
      // Each buddy's chat plugin keeps its token, allowlist and inbox in a folder of its own.
      ...Object.fromEntries(channels.map(([name]) => [CHANNEL_STATE_VARIABLES[name], layout.channelDir(name)])),
    },
    path,
    tickSeconds: recipe.supervisor.tick,
    ...(layout.init === 'systemd-user' ? { watchdogSeconds: watchdog } : {}),
    backoffMaxSeconds: recipe.supervisor.backoffMax,
    exitGraceSeconds: EXIT_GRACE_SECONDS,
    stateDir: layout.stateDir,
    claudeJson: layout.claudeJson,
    trustKey: layout.trustKey,
    scope: layout.init === 'systemd-user',
    ...(sandbox ? { sandboxDirs: sandbox.filesystem.allowWrite.map((p) => p.slice(1)) } : {}),
    // The chat's health is watched only where there is a chat (other buddies' configs stay as they were).
    ...(channels.length
      ? {
          channelWatch: channels.map(([name, c]) => ({
            plugin: c.plugin,
            app: name,
            tokenFile: posix.join(layout.channelDir(name), '.env'),
            tokenVariable: CHANNEL_TOKEN_VARIABLES[name],
            alertTo: c.alerts === false ? [] : (c.alerts?.to ?? c.allowFrom),
          })),
        }
      : {}),
  };
  artifacts.push(jsonFile(layout.supervisorConfig, 'supervisor config', supervisorConfig, ['restart-buddy']));

  if (authEntry) {
    const [kind] = authEntry;
    artifacts.push({
      kind: 'file',
      path: layout.authEnv,
      mode: 0o600,
      description: 'Claude auth for the supervisor (secret)',
      content: renderTemplate('shell.env', {
        name: recipe.name,
        vars: [{ key: AUTH_VARIABLES[kind], value: secret(inputs, ['auth', kind]) }],
      }),
      effects: ['restart-buddy'],
      display: 'secret',
    });
  }

  const hookCommand = [node, layout.hookBundle, '--config', layout.hookConfig].map(shellWord).join(' ');
  if (recipe.hook.enabled) {
    const hookConfig: HookConfig = {
      safeVerbs: recipe.hook.safeVerbs,
      subcommandSafe: recipe.hook.subcommandSafe,
      hardDeny: recipe.hook.hardDeny,
      protectedPaths: [
        layout.authEnv,
        posix.join(layout.home, '.claude', '.credentials.json'),
        ...channels.map(([name]) => posix.join(layout.channelDir(name), '.env')),
      ],
      // Where the hook stays silent, these rules would approve a line nobody proved read-only: without a
      // sandbox to contain it, the hook asks instead (with one, every command runs inside it anyway).
      allowRules: recipe.permissions.allow.filter((r) => /^Bash(\(|$)/.test(r)),
      sandboxed: sandbox !== undefined,
      ...(recipe.hook.audit ? { auditLog: layout.auditLog } : {}),
    };
    artifacts.push(jsonFile(layout.hookConfig, 'hook policy', hookConfig, []));
  }

  if (sandbox) {
    artifacts.push(
      jsonFile(layout.claudeSettings, "Claude Code's sandbox: what the agent's commands may write, read and reach", { sandbox }, ['restart-buddy']),
      { kind: 'file', path: layout.sandboxGitIgnore, mode: 0o644, description: "what the agent's git ignores: the sandbox's placeholders", content: placeholderIgnores(), effects: [], display: 'diff' },
    );
  }

  artifacts.push({
    kind: 'json-merge',
    path: layout.settingsLocal,
    mode: 0o644,
    description: 'Claude Code project settings: permissions and hook (merged)',
    managed: settingsManaged(recipe, layout, channels, hookCommand, scrubsSubprocessEnv(recipe, facts)),
    effects: [], // Claude Code watches its settings files
    display: 'diff',
  });

  if (recipe.schedule.length) {
    artifacts.push({
      kind: 'json-merge',
      path: layout.scheduledTasks,
      mode: 0o644,
      description: "Claude Code's scheduled tasks: the recipe's schedule (merged; Claude Code watches it)",
      managed: scheduleManaged(recipe, inputs.now),
      effects: [],
      display: 'diff',
    });
  }

  artifacts.push({
    kind: 'json-merge',
    path: layout.claudeJson,
    mode: 0o600,
    description: 'Claude Code state: trust and first-run flags (merged)',
    managed: unattendedFlags(layout.trustKey, authEntry?.[0] === 'apiKey' ? secret(inputs, ['auth', 'apiKey']) : undefined),
    lock: configLockPath(layout.claudeJson),
    effects: [],
    display: 'secret',
  });

  for (const [name, channel] of channels) {
    const dir = layout.channelDir(name);
    artifacts.push({
      kind: 'env-merge',
      path: posix.join(dir, '.env'),
      mode: 0o600,
      description: `${name} bot token (secret)`,
      managed: { values: [{ path: [CHANNEL_TOKEN_VARIABLES[name]], value: secret(inputs, ['channels', name, 'token']) }], members: [] },
      effects: ['restart-buddy'], // the plugin reads its token when it starts
      display: 'secret',
    });
    artifacts.push({
      kind: 'json-merge',
      path: posix.join(dir, 'access.json'),
      mode: 0o600,
      description: `${name} access policy (merged; the plugin re-reads it on every message)`,
      managed: accessManaged(channel),
      effects: [],
      display: 'diff',
    });
  }

  artifacts.push(
    { kind: 'file', path: layout.supervisorBundle, mode: 0o644, description: 'supervisor runtime', content: inputs.runtime.supervisor, effects: ['restart-buddy'], display: 'summary' },
    { kind: 'file', path: layout.hookBundle, mode: 0o644, description: 'PreToolUse hook runtime', content: inputs.runtime.hook, effects: [], display: 'summary' },
  );
  return { layout, artifacts, plugins };
}

/** What identifies a task buddy-init wrote: Claude Code adds lastFiredAt (and may rewrite the rest of the file). */
const SCHEDULE_MATCH = ['id', 'cron', 'prompt', 'recurring', 'permanent'];

/**
 * The recipe's schedule as Claude Code stores a durable task (CronCreate with durable: true does the same):
 * recurring, and `permanent` so it never ages out (Claude Code deletes other recurring tasks after 7 days).
 * The id is Claude Code's shape (8 hex digits, which also set the task's jitter), from the buddy, the time and
 * the prompt, so the same entry keeps its id and a changed one is a new task.
 */
export const scheduleTaskId = (buddy: string, cron: string, prompt: string) => createHash('sha256').update(`${buddy}\n${cron}\n${prompt}`).digest('hex').slice(0, 8);

function scheduleManaged(recipe: Recipe, now: number): ManagedJson {
  const items = recipe.schedule.map(({ cron, prompt }) => ({
    id: scheduleTaskId(recipe.name, cron, prompt),
    cron,
    prompt,
    createdAt: now,
    recurring: true,
    permanent: true,
  }));
  return { values: [], members: [{ path: ['tasks'], items, ensure: true, keep: true, match: SCHEDULE_MATCH }] };
}

function jsonFile(path: string, description: string, value: object, effects: Artifact['effects']): Artifact {
  return { kind: 'file', path, mode: 0o644, description, content: `${JSON.stringify(value, null, 2)}\n`, effects, display: 'diff' };
}

/** The MCP server of a channel plugin `discord@...` is named plugin_discord_discord. */
function pluginToolsRule(plugin: string): string {
  const name = plugin.split('@')[0]!.replace(/[^A-Za-z0-9]/g, '_');
  return `mcp__plugin_${name}_${name}__*`;
}

/**
 * Rules added to every posture. With acceptEdits, file edits in the workdir need no approval, so
 * without these a prompt-injected buddy could grant itself permissions, rewrite its own hook or chat
 * allowlist, read its tokens, or plant a git config (core.fsmonitor, diff drivers) or shell startup
 * file that turns the next auto-approved `git status` into code execution.
 */
export function guardRules(layout: Layout, channels: ReadonlyArray<[ChannelName, Channel]>): { deny: string[]; ask: string[] } {
  const abs = (path: string) => `/${path}`; // Claude Code writes absolute paths as //path
  const deny = [
    `Edit(${abs(posix.join(layout.workdir, '.claude', 'settings.local.json'))})`,
    `Edit(${abs(posix.join(layout.workdir, '.claude', 'settings.json'))})`,
    'Edit(~/.claude/settings.json)',
    'Edit(~/.claude/settings.local.json)',
    'Edit(~/.claude.json)',
    'Edit(~/.config/buddy-init/**)',
    'Edit(~/.local/share/buddy-init/**)',
    'Read(~/.config/buddy-init/**/auth.env)',
    // buddy-init's record, backups and sealing key: nothing there is the agent's business.
    'Read(~/.local/state/buddy-init/**)',
    'Edit(~/.local/state/buddy-init/**)',
    layout.init === 'systemd-user' ? 'Edit(~/.config/systemd/user/**)' : 'Edit(~/Library/LaunchAgents/**)',
    // Every buddy's token of that app (each has a folder of its own under the plugin's default one).
    ...channels.flatMap(([name]) => [`Edit(~/.claude/channels/${name}/**)`, `Read(~/.claude/channels/${name}/**/.env)`]),
  ];
  const ask = [
    `Edit(${abs(posix.join(layout.workdir, '.git', 'config'))})`,
    `Edit(${abs(posix.join(layout.workdir, '.git', 'hooks', '**'))})`,
    'Edit(~/.gitconfig)',
    'Edit(~/.config/git/**)',
    ...['.bashrc', '.bash_profile', '.profile', '.zshrc', '.zprofile', '.zshenv'].map((f) => `Edit(~/${f})`),
  ];
  for (const [list, rules] of [['deny', deny], ['ask', ask]] as const) {
    for (const rule of rules) {
      const problem = ruleProblem(rule, list);
      if (problem) {
        throw new OperationError(`the guard rule ${rule} would be skipped by Claude Code (${describeProblem(problem)}); is there a parenthesis in the workdir path?`);
      }
    }
  }
  return { deny, ask };
}

/**
 * Whether claude runs with CLAUDE_CODE_SUBPROCESS_ENV_SCRUB on: set by the supervisor where the sandbox is
 * off and the scrub can run (unless the recipe says 0), or by the recipe itself.
 */
export const scrubsSubprocessEnv = (recipe: Recipe, facts: Facts): boolean => {
  const own = recipe.claude.env.CLAUDE_CODE_SUBPROCESS_ENV_SCRUB;
  return own !== undefined ? own !== '0' : recipe.sandbox === false && canScrubSubprocessEnv(facts);
};

function settingsManaged(recipe: Recipe, layout: Layout, channels: Array<[ChannelName, Channel]>, hookCommand: string, scrubbed: boolean): ManagedJson {
  const p = recipe.permissions;
  const guards = p.guardRails ? guardRules(layout, channels) : { deny: [], ask: [] };
  // With the env scrub on, Claude Code forces the permission mode to default ("declare allowedTools
  // explicitly"): acceptEdits is then said as what it means, edits in the workdir and the additional
  // directories allowed (the guard rails' deny and ask rules still win over these).
  const acceptEdits =
    scrubbed && p.defaultMode === 'acceptEdits'
      ? [layout.workdir, ...p.additionalDirectories.map((d) => posix.resolve(layout.workdir, expandHome(d, layout.home)))].map((dir) => `Edit(/${posix.join(dir, '**')})`)
      : [];
  const allow = [...p.allow, ...acceptEdits, ...channels.filter(([, c]) => c.allowTools).map(([, c]) => pluginToolsRule(c.plugin))];
  const hookEntry: JsonValue = {
    matcher: 'Bash',
    hooks: [{ type: 'command', command: hookCommand, timeout: recipe.hook.timeout }],
  };
  return {
    values: [
      { path: ['permissions', 'defaultMode'], value: p.defaultMode },
      ...channels.map(([, c]) => ({ path: ['enabledPlugins', c.plugin], value: true })),
    ],
    members: [
      { path: ['permissions', 'allow'], items: [...new Set(allow)] },
      { path: ['permissions', 'deny'], items: [...new Set([...p.deny, ...guards.deny])] },
      { path: ['permissions', 'ask'], items: [...new Set([...p.ask, ...guards.ask])] },
      { path: ['permissions', 'additionalDirectories'], items: p.additionalDirectories },
      { path: ['hooks', 'PreToolUse'], items: recipe.hook.enabled ? [hookEntry] : [] },
    ],
  };
}

function accessManaged(channel: Channel): ManagedJson {
  const groups = Object.entries(channel.groups);
  return {
    values: [
      { path: ['dmPolicy'], value: channel.dmPolicy },
      ...groups.map(([id, g]) => ({ path: ['groups', id, 'requireMention'], value: g.requireMention })),
    ],
    members: [
      // The plugin reads these lists on every message; an empty one must be there, not missing.
      { path: ['allowFrom'], items: channel.allowFrom, ensure: true },
      ...groups.map(([id, g]) => ({ path: ['groups', id, 'allowFrom'], items: g.allowFrom, ensure: true })),
    ],
  };
}
