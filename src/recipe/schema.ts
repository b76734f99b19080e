/**
 * The recipe's schema: one zod definition gives the loader its checks, the code its types and
 * `buddy-init schema` its JSON Schema, so the three cannot drift apart.
 */
import { join, posix } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { z } from 'zod';
import { describeProblem, ruleProblem, type RuleList } from '../permissions/rules.js';
import { cronProblem, cronSurprise, cronSwitchedOff, everyToCron } from '../runtime/shared/cron.js';
import { SECRET_VARIABLE } from '../runtime/shared/secretNames.js';
import { DURATION_PATTERN, durationSeconds } from './durations.js';
import { TOOLCHAIN_NAMES, type ToolchainName } from './toolchains.js';

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const PLUGIN_ID = /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9._-]*$/;
const SSH_DESTINATION = /^(?:[A-Za-z0-9._-]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/;

const secretHelp = 'write a reference instead: { env: NAME }, { file: PATH }, { prompt: true } or { stored: true }';

export const secretRefSchema = z
  .union(
    [
      z.strictObject({ env: z.string().regex(ENV_NAME, 'must be an environment variable name') }),
      z.strictObject({ file: z.string().min(1) }),
      z.strictObject({ prompt: z.literal(true) }),
      z.strictObject({ stored: z.literal(true) }).meta({ description: 'Already stored on the target by an earlier apply (e.g. typed into the wizard): keep it' }),
    ],
    {
      error: (issue) =>
        typeof issue.input === 'string'
          ? `a literal secret is not allowed in a recipe; ${secretHelp}`
          : `a secret must be a reference: ${secretHelp}`,
    },
  )
  .meta({ description: 'Where the secret comes from when buddy-init runs; the value itself never goes in a recipe.' });
export type SecretRef = z.infer<typeof secretRefSchema>;

/** The description ends in the default, where there is one, so the recipe reference can show it apart. */
const duration = (what: string, byDefault?: string) =>
  z
    .union([z.number().positive(), z.string().regex(DURATION_PATTERN, 'must be seconds or a number with ms, s, m or h')])
    .transform(durationSeconds)
    .meta({ description: `${what} ${DURATION_WORDS}${byDefault ? `. Default: ${byDefault}` : ''}` });
/** How a duration is written; the recipe reference says it once, in its type column. */
export const DURATION_WORDS = '(seconds, or e.g. "30s", "2m")';

/**
 * Chat user and channel ids are strings of digits. Discord's exceed 2^53, so an unquoted one has already
 * lost digits by the time YAML hands it to us: refuse it rather than allowlist a stranger.
 */
/**
 * The workdir, written one way only (`~/work/`, `~/work/.` and `~/x/../work` are `~/work`), because four
 * things must name the same folder by the same string: the unit's WorkingDirectory=, the trust key in
 * ~/.claude.json, the settings path and the transcript folder Claude Code derives from its cwd. Names
 * systemd reads back differently are refused: it strips trailing blanks, and a trailing backslash
 * continues the line (the next setting becomes part of the path). Tested against a booted systemd.
 */
function normalizeWorkdir(path: string, ctx: z.RefinementCtx): string {
  const refuse = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (/[\0-\x1f\x7f]/.test(path)) return refuse('contains a control character (a tab or a newline?)');
  if (/\s$/.test(path)) return refuse('ends with a blank: systemd strips it from WorkingDirectory=, so claude would run in another folder');
  if (/\\$/.test(path)) return refuse('ends with a backslash: systemd reads it as "continued on the next line" and the unit would break');
  if (/[()]/.test(path)) return refuse("contains a parenthesis: Claude Code's permission rules (Edit(//<workdir>/**)) cannot name such a folder; rename it");
  const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  if (!path.startsWith('~')) return trim(posix.normalize(path));
  const rest = trim(posix.normalize(path.slice(1).replace(/^\/+/, '') || '.'));
  if (rest === '..' || rest.startsWith('../')) return refuse('climbs out of the home folder with ..: write the absolute path');
  return rest === '.' ? '~' : `~/${rest}`;
}

const chatId = z
  .union([z.string().regex(/^-?\d+$/, 'must be a numeric id'), z.number()])
  .transform((v, ctx) => {
    if (typeof v === 'string') return v;
    if (!Number.isSafeInteger(v)) {
      ctx.addIssue({ code: 'custom', message: `id ${v} lost digits when read as a number; write it in quotes` });
      return z.NEVER;
    }
    return String(v);
  })
  .meta({ description: 'A chat user or channel id (write it in quotes)' });

const channelSchema = (defaultPlugin: string) =>
  z.strictObject({
    plugin: z
      .string()
      .regex(PLUGIN_ID, 'must look like name@marketplace')
      .default(defaultPlugin)
      .meta({ description: 'Claude Code channel plugin, passed as --channels plugin:<id>; apply installs it' }),
    marketplace: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Where the plugin's marketplace comes from when it is not the built-in official one: a folder on the target, a git URL or owner/repo (claude plugin marketplace add)" }),
    token: secretRefSchema.meta({ description: 'The bot token (a reference)' }),
    dmPolicy: z
      .enum(['allowlist', 'pairing', 'disabled'])
      .default('allowlist')
      .meta({
        description:
          "As the plugin defines it: what happens to a DM from a sender not in allowFrom. allowlist: dropped silently; pairing: the sender gets a code to approve with `buddy-init pair CODE`; disabled: everything is dropped, allowlisted users and group channels included",
      }),
    allowFrom: z.array(chatId).default([]).meta({ description: "User ids allowed to talk to the bot in DMs, in quotes (Discord's do not fit a YAML number)" }),
    groups: z
      .record(
        z.string().regex(/^-?\d+$/, 'group channel ids are numeric'),
        z.strictObject({
          requireMention: z.boolean().default(true).meta({ description: 'Answer in the channel only when the bot is mentioned' }),
          allowFrom: z.array(chatId).default([]).meta({ description: 'Who in the channel may talk to the bot; empty: every member' }),
        }),
      )
      .default({})
      .meta({ description: 'Group channels the bot listens in, by channel id. A group dropped from the recipe is taken out of access.json, not left open' }),
    alerts: z
      .union([z.literal(false), z.strictObject({ to: z.array(chatId).min(1).meta({ description: 'The users to tell' }) })])
      .optional()
      .meta({
        description:
          "Who the supervisor tells, through the bot, when the chat goes deaf (the plugin's server died and was healed, or needs you): by default every allowFrom user; false: nobody; { to: [ids] }: these users",
      }),
    allowTools: z
      .boolean()
      .default(true)
      .meta({ description: "Allow the plugin's own tools (reply, react, ...) without asking" }),
    version: z
      .string()
      .regex(SEMVER, 'must be a version such as 0.0.4')
      .optional()
      .meta({ description: "The plugin's lowest acceptable version: an older install is updated (claude plugin marketplace update, then claude plugin update)" }),
  })
  .meta({ description: "The app's bot: the plugin that speaks for it, its token, and who may talk to it" });

const rules = (list: RuleList) =>
  z
    .array(
      z.string().superRefine((rule, ctx) => {
        const problem = ruleProblem(rule, list);
        if (problem) {
          ctx.addIssue({
            code: 'custom',
            message: `Claude Code would skip this ${list} rule: ${describeProblem(problem, rule)}`,
          });
        }
      }),
    )
    .default([])
    .meta({ description: `Claude Code's ${list} rules, checked against its grammar: a rule it would skip is an error` });

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'auto', 'dontAsk', 'bypassPermissions'] as const;

const permissionsSchema = z.strictObject({
  defaultMode: z.enum(PERMISSION_MODES).default('default').meta({ description: "Claude Code's permission mode" }),
  allow: rules('allow'),
  deny: rules('deny'),
  ask: rules('ask'),
  additionalDirectories: z.array(z.string()).default([]).meta({ description: 'More directories Claude may work in' }),
  guardRails: z
    .boolean()
    .default(true)
    .meta({ description: "Add buddy-init's deny/ask rules that keep Claude from editing its own settings, hook, tokens, git config and shell startup files" }),
  drop: z
    .array(z.string())
    .default([])
    .meta({ description: 'Rules to remove from what `extends` brought in' }),
});

const hookSchema = z.strictObject({
  enabled: z.boolean().default(true).meta({ description: 'Install the PreToolUse classifier hook (the security model)' }),
  safeVerbs: z
    .array(z.string().regex(/^[A-Za-z0-9._+-]+$/, 'must be a single command name'))
    .default([])
    .meta({ description: 'Commands you consider read-only, added to the built-in tables (a command that has a table of its own keeps its checks: jq stays jq)' }),
  subcommandSafe: z
    .record(z.string(), z.array(z.string()))
    .default({})
    .meta({ description: 'Commands that are read-only only with these subcommands, e.g. { kubectl: [get, describe] }' }),
  hardDeny: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: 'Commands (shred) or command and subcommand (terraform destroy) the hook denies outright' }),
  audit: z.boolean().default(true).meta({ description: 'Log every decision (JSON lines) to ~/.local/state/buddy-init/<name>/hook-audit.jsonl' }),
  timeout: z.number().int().min(1).max(60).default(10).meta({ description: 'Seconds Claude Code waits for the hook (it answers in about 0.1 s)' }),
});

/** A host name the sandbox's proxy matches (a leading `*.` for every subdomain), never a URL. */
const DOMAIN = /^(\*\.)?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** A place on the target: absolute, or under the home folder. */
const targetPath = z
  .string()
  .regex(/^(~|~\/.+|\/.+)$/, 'must be an absolute path or start with ~/')
  .refine((p) => !/[\0-\x1f\x7f]/.test(p), 'contains a control character');

/**
 * Claude Code's OS sandbox around the agent's Bash commands (bubblewrap on Linux, Seatbelt on macOS): what
 * they may write, read and reach, enforced by the kernel whatever the command is. buddy-init's secrets,
 * the usual credential files and everything that runs outside the sandbox are always out of reach.
 */
export const SANDBOX_DEFAULTS = { autoAllow: false, toolchains: [] as ToolchainName[], write: [] as string[], denyRead: [] as string[], domains: [] as string[], gitRemotes: true };
const sandboxSchema = z
  .union([
    z.literal(false).meta({ description: 'No sandbox: only the hook stands between the agent and the box (doctor warns on every run)' }),
    z.strictObject({
      autoAllow: z
        .boolean()
        .default(false)
        .meta({ description: 'Run a sandboxed command without asking, unless the hook or a permission rule denies it or asks (sandbox.autoAllowBashIfSandboxed). The balanced and open postures set it' }),
      toolchains: z
        .array(z.enum(TOOLCHAIN_NAMES))
        .default([])
        .meta({ description: `The toolchains the buddy builds with: their caches become writable and their package registries reachable (${TOOLCHAIN_NAMES.join(', ')})` }),
      write: z.array(targetPath).default([]).meta({ description: 'More places the agent\'s commands may write, besides the workdir (and its git root) and the temp folder' }),
      denyRead: z.array(targetPath).default([]).meta({ description: "More places they may not read, besides buddy-init's secrets and the usual credential files" }),
      domains: z
        .array(z.string().regex(DOMAIN, 'must be a host name such as registry.npmjs.org or *.example.com (no scheme, port or path)'))
        .default([])
        .meta({ description: 'More hosts they may reach; every other host is refused, never prompted' }),
      gitRemotes: z.boolean().default(true).meta({ description: "Let them reach the hosts the workdir's git remotes name" }),
    }),
  ], { error: () => 'must be false (no sandbox) or the sandbox\'s settings: autoAllow, toolchains, write, denyRead, domains, gitRemotes' })
  .meta({ description: "Claude Code's OS sandbox around every Bash command, on by default (security.md); false switches it off, and doctor warns" });

const supervisorSchema = z.strictObject({
  tick: duration('How often the supervisor checks claude', '30').default(30),
  watchdog: duration('systemd WatchdogSec, at least three ticks', 'four ticks').optional(),
  restartDelay: duration('Pause before the init system restarts the supervisor (RestartSec, ThrottleInterval)', '10').default(10),
  backoffMax: duration('Longest pause between restarts when claude keeps crashing', '300').default(300),
  session: z.string().regex(NAME_PATTERN).optional().meta({ description: "tmux session name. Default: the buddy's name" }),
});

const initSchema = z.strictObject({
  kind: z
    .enum(['auto', 'systemd-user', 'launchd-agent', 'launchd-daemon'])
    .default('auto')
    .meta({ description: 'systemd-user (Linux), launchd-daemon (macOS: starts at boot as the user, comes back after a power cut) or launchd-agent (starts after a GUI login); auto picks by the OS' }),
  linger: z.boolean().default(true).meta({ description: 'systemd: start at boot without a login (loginctl enable-linger)' }),
});

/**
 * Standing work: a prompt Claude Code runs in the buddy's conversation on a schedule. Written as `every`
 * (what /loop takes) or `cron`; either way it leaves here as the cron expression Claude Code stores.
 */
const scheduleEntrySchema = z
  .strictObject({
    every: z.string().optional().meta({ description: 'An interval: 5m, 2h, 1d (as /loop takes it). Minutes restart each hour: 45m fires at :00 and :45' }),
    cron: z.string().optional().meta({ description: 'A 5-field cron expression in the buddy\'s timezone, e.g. "0 8 * * 1-5" (weekdays at 8:00)' }),
    prompt: z.string().trim().min(1, 'must say what to do').meta({ description: 'What the buddy is asked, as if you had typed it' }),
  })
  .transform((entry, ctx) => {
    if ((entry.every === undefined) === (entry.cron === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of every (e.g. 30m) or cron (e.g. "0 8 * * *")' });
      return z.NEVER;
    }
    if (entry.every !== undefined) {
      const r = everyToCron(entry.every);
      if ('error' in r) {
        ctx.addIssue({ code: 'custom', path: ['every'], message: r.error });
        return z.NEVER;
      }
      return { cron: r.cron, prompt: entry.prompt, every: entry.every };
    }
    const problem = cronProblem(entry.cron!);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: `Claude Code would refuse this cron expression: ${problem}` });
      return z.NEVER;
    }
    const surprise = cronSurprise(entry.cron!);
    if (surprise) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: surprise });
      return z.NEVER;
    }
    return { cron: entry.cron!.trim().split(/\s+/).join(' '), prompt: entry.prompt };
  });

const validTimezone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
};

const authSchema = z
  .union([
    z.strictObject({ oauthToken: secretRefSchema.meta({ description: 'CLAUDE_CODE_OAUTH_TOKEN, from `claude setup-token` (a subscription)' }) }),
    z.strictObject({ apiKey: secretRefSchema.meta({ description: 'ANTHROPIC_API_KEY' }) }),
  ])
  .meta({ description: "How claude signs in: one of the two. Without it, claude uses a login already on the box (macOS: the Keychain's, which a service cannot always read)" });

export const recipeSchema = z
  .strictObject({
    $schema: z.string().optional(),
    extends: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .meta({ description: "A posture preset (strict, balanced, open) or a recipe's path to start from, or a list of them applied in order: lists add up, scalars override" }),
    name: z
      .string()
      .regex(NAME_PATTERN, 'must be 2-40 lowercase letters, digits or dashes, starting with a letter')
      .meta({ description: 'Lowercase; names the unit (<name>.service), the tmux session and the state folder' }),
    target: z
      .union([
        z.literal('local'),
        z.strictObject({ ssh: z.string().regex(SSH_DESTINATION, 'must be user@host[:port]').meta({ description: 'user@host[:port], or a host alias from ~/.ssh/config' }) }),
      ])
      .default('local')
      .meta({ description: 'Where the buddy lives: this machine, or one reached over SSH; --host overrides it' }),
    os: z.enum(['auto', 'linux', 'macos']).default('auto').meta({ description: "The target's OS; auto reads it from the target, and a mismatch is an error" }),
    workdir: z
      // A bare ~ in YAML is null; people who write `workdir: ~` mean their home.
      .union([z.null(), z.string().regex(/^(~|~\/.*|\/.*)$/, 'must be an absolute path or start with ~')])
      .transform((v, ctx) => normalizeWorkdir(v ?? '~', ctx))
      .default('~')
      .meta({
        description:
          "Where claude runs; its project settings are <workdir>/.claude/settings.local.json. Written one way before use (~/work/ and ~/x/../work are ~/work), so the unit, the trust key, the settings path and the transcript folder agree; a path ending in a blank or a backslash (systemd reads those differently) or climbing above ~ is refused. Default: the user's home",
      }),
    claude: z
      .strictObject({
        bin: z.string().min(1).default('claude').meta({ description: 'claude binary: a name looked up in PATH or a path' }),
        args: z.array(z.string()).default([]).meta({ description: 'Extra arguments for claude' }),
        autoUpdate: z.boolean().default(false).meta({ description: 'Let Claude Code update itself; off, DISABLE_AUTOUPDATER=1 keeps the box from changing under you' }),
        env: z
          .record(
            z.string().regex(ENV_NAME, 'must be an environment variable name').refine((k) => !SECRET_VARIABLE.test(k), {
              message: 'looks like a secret; secrets go in auth (as a reference), never in claude.env',
            }),
            z.string(),
          )
          .default({})
          .meta({ description: 'Plain (non-secret) environment for claude, e.g. ANTHROPIC_BASE_URL for a proxy' }),
      })
      .default({ bin: 'claude', args: [], autoUpdate: false, env: {} })
      .meta({ description: 'The claude the supervisor starts' }),
    channels: z
      .strictObject({
        discord: channelSchema('discord@claude-plugins-official').optional(),
        telegram: channelSchema('telegram@claude-plugins-official').optional(),
      })
      .default({})
      .meta({ description: 'The chat apps the buddy answers in: one bot per app' }),
    bun: z
      .strictObject({
        install: z
          .boolean()
          .default(false)
          .meta({
            description:
              'Your consent for apply to install Bun, which the chat plugins run on, when the target lacks it (or has another ~/.bun version than `version`): npm install -g --prefix ~/.bun bun, as the target user (needs npm there). Off: apply only reports a missing Bun',
          }),
        version: z.string().regex(SEMVER, 'must be a version such as 1.2.3').optional().meta({ description: 'The Bun version apply installs. Default: the newest' }),
      })
      .default({ install: false })
      .meta({ description: 'Bun for the chat plugins; only used when the recipe has a channel' }),
    auth: authSchema.optional(),
    schedule: z
      .array(scheduleEntrySchema)
      .default([])
      .meta({
        description:
          "Standing work: prompts Claude Code runs in the buddy's conversation on a schedule (durable, never-expiring tasks in <workdir>/.claude/scheduled_tasks.json, where Claude Code keeps its own)",
      }),
    timezone: z
      .string()
      .refine(validTimezone, { message: 'must be an IANA timezone such as Europe/Paris or UTC' })
      .optional()
      .meta({ description: "The buddy's timezone (TZ for claude): what the schedule's times mean. Default: the target's" }),
    supervisor: supervisorSchema.default({ tick: 30, restartDelay: 10, backoffMax: 300 }).meta({ description: 'How the supervisor keeps claude alive' }),
    init: initSchema.default({ kind: 'auto', linger: true }).meta({ description: 'How the box starts the supervisor and keeps it running' }),
    permissions: permissionsSchema
      .default({
        defaultMode: 'default',
        allow: [],
        deny: [],
        ask: [],
        additionalDirectories: [],
        guardRails: true,
        drop: [],
      })
      .meta({ description: "Claude Code's permissions, written to <workdir>/.claude/settings.local.json beside the rules you or Claude Code add there (kept)" }),
    hook: hookSchema.default({ enabled: true, safeVerbs: [], subcommandSafe: {}, hardDeny: [], audit: true, timeout: 10 }).meta({ description: "buddy-init's PreToolUse hook: allows what it proves read-only, denies the catastrophic and secret reads, asks for the rest" }),
    sandbox: sandboxSchema.default(SANDBOX_DEFAULTS),
  })
  .superRefine((recipe, ctx) => {
    const { tick, watchdog } = recipe.supervisor;
    if (watchdog !== undefined && watchdog < 3 * tick) {
      ctx.addIssue({
        code: 'custom',
        path: ['supervisor', 'watchdog'],
        message: `watchdog ${watchdog}s is less than three ticks (${3 * tick}s); systemd would kill a healthy supervisor`,
      });
    }
    const env = recipe.claude.env;
    if (recipe.timezone && env.TZ !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['claude', 'env', 'TZ'], message: 'set the timezone once: timezone, or claude.env.TZ' });
    }
    if (recipe.schedule.length && cronSwitchedOff(env)) {
      ctx.addIssue({ code: 'custom', path: ['claude', 'env', 'CLAUDE_CODE_DISABLE_CRON'], message: 'switches off the scheduled tasks the recipe asks for (schedule)' });
    }
    const settingsAt = recipe.claude.args.findIndex((a) => a === '--settings' || a.startsWith('--settings='));
    if (settingsAt >= 0) {
      ctx.addIssue({ code: 'custom', path: ['claude', 'args', settingsAt], message: "buddy-init gives claude its own --settings (the sandbox's); say what you need in the recipe instead" });
    }
    const init = recipe.init.kind;
    if (recipe.os === 'linux' && init.startsWith('launchd')) {
      ctx.addIssue({ code: 'custom', path: ['init', 'kind'], message: `${init} needs os: macos` });
    }
    if (recipe.os === 'macos' && init === 'systemd-user') {
      ctx.addIssue({ code: 'custom', path: ['init', 'kind'], message: 'systemd-user needs os: linux' });
    }
  });

/** A recipe as written (what editors and the wizard see). */
export type RecipeInput = z.input<typeof recipeSchema>;
/** A recipe after defaults and checks (what the rest of buddy-init works with). */
export type Recipe = z.output<typeof recipeSchema>;
export type ChannelName = keyof Recipe['channels'];
export type Channel = NonNullable<Recipe['channels'][ChannelName]>;

export function recipeJsonSchema(): object {
  return {
    ...z.toJSONSchema(recipeSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://github.com/buddy-init/buddy-init/schema/recipe.schema.json',
    title: 'buddy-init recipe',
  };
}

/**
 * Where editors read the recipe schema: the copy shipped in this package (`schema/`), on this machine,
 * so it works offline. The name buddy-init is not published on npm yet: a URL into the registry would
 * fetch whatever someone published under it.
 */
export const schemaLocation = (): string => join(PACKAGE_ROOT, 'schema', 'recipe.schema.json');
