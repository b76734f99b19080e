/**
 * `buddy-init` with no command: a person who has never read the docs answers a few questions and gets
 * a running buddy. The wizard only builds a recipe; plan and apply are the same code as the commands.
 *
 * Nothing is written until the last confirmation. Every secret source is checked the moment it is
 * chosen. The answers are planned from a draft beside the recipe (`buddy.yaml.draft`, 0600, without
 * the secrets typed in): Ctrl-C, a hang-up or a "no" removes it; a failure after the questions (the plan
 * or apply stopped) keeps it, and the next run offers to resume from it. The recipe itself is written
 * right before apply.
 */
import { count } from '../words.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parse as loadYaml } from 'yaml';
import { InputError } from '../errors.js';
import { applyPlan, describeEntry, planIsEmpty } from '../plan/index.js';
import { describeProblem, ruleProblem, type RuleList } from '../permissions/rules.js';
import { chatTokenProblem, loadRecipe, type Recipe, type SecretRef } from '../recipe/index.js';
import { NAME_PATTERN } from '../recipe/schema.js';
import { writeFileAtomicSync } from '../runtime/shared/atomic.js';
import { checkRequirements, gatherFacts, hostKeyRecorded, LocalTarget, openSshTarget, sandboxRequirement, UnknownHostKey, type Facts, type Target } from '../target/index.js';
import { VERSION } from '../version.js';
import { buildPlan, showPlan, type TargetArgs } from '../cli/hostPlan.js';
import { runUninstall } from '../cli/commands/uninstall.js';
import type { CommandContext } from '../cli/context.js';
import { originOf } from '../cli/pipeline.js';
import { printStillMissing } from '../cli/planText.js';
import { Cancelled, promptSudoPassword } from '../cli/prompts.js';
import { Asker, type Answers } from './asker.js';
import { editRecipeText, newRecipeText, type ChatChoice, type Platform, type Posture, type WizardChoices } from './recipeDoc.js';

export interface WizardArgs extends TargetArgs {
  diff?: boolean;
  where?: string;
  name?: string;
  workdir?: string;
  chat?: string;
  tokenEnv?: string;
  allowFrom?: string[];
  dmPolicy?: 'allowlist' | 'pairing';
  installBun?: boolean;
  auth?: string;
  authEnv?: string;
  posture?: string;
  allow?: string[];
  deny?: string[];
  safeVerb?: string[];
  editRules?: boolean;
  withoutSandbox?: boolean;
  initKind?: string;
  linger?: boolean;
  action?: string;
  resume?: boolean;
}

const TOKEN_VARIABLES: Record<Platform, string> = { discord: 'DISCORD_BOT_TOKEN', telegram: 'TELEGRAM_BOT_TOKEN' };
const HOW_TO_FIND_IDS: Record<Platform, string> = {
  discord: 'Discord: Settings > Advanced > Developer Mode on, then right-click your name > Copy User ID',
  telegram: 'Telegram: message @userinfobot, it answers with your numeric id',
};
/** What the platform needs before its bot can write to a person at all. */
const BEFORE_IT_CAN_DM: Record<Platform, string> = {
  discord: 'A Discord bot can only DM people it shares a server with: invite it to a server you are in (Developer Portal > OAuth2 > URL Generator, scope "bot")',
  telegram: 'A Telegram bot cannot write to anyone who has not started it: open a chat with your bot and press Start',
};
const ID = (v: string) => (/^-?\d+$/.test(v) ? true : 'ids are numbers');
const COMMAND_NAME = (v: string) => (/^[A-Za-z0-9._+-]+$/.test(v) ? true : 'one command name');

function answersFrom(argv: WizardArgs, yes: boolean): Answers {
  return {
    yes: yes ? true : undefined,
    where: argv.where ?? (argv.host ? 'ssh' : argv.root !== undefined ? 'local' : undefined),
    host: argv.host,
    name: argv.name,
    workdir: argv.workdir,
    chat: argv.chat,
    'allow-from': argv.allowFrom,
    'dm-policy': argv.dmPolicy,
    'install-bun': argv.installBun,
    auth: argv.auth,
    posture: argv.posture,
    allow: argv.allow,
    deny: argv.deny,
    'safe-verb': argv.safeVerb,
    'edit-rules': argv.editRules,
    'without-sandbox': argv.withoutSandbox,
    'init-kind': argv.initKind,
    linger: argv.linger,
    action: argv.action,
    resume: argv.resume,
    'accept-new': argv.acceptNew ? true : undefined,
  };
}

class Wizard {
  private readonly asker: Asker;
  private readonly known = new Map<string, string>();

  constructor(
    private readonly argv: WizardArgs,
    private readonly ctx: CommandContext,
  ) {
    this.asker = new Asker(answersFrom(argv, ctx.flags.yes), ctx.interactive, ctx.flags.yes);
  }

  private say(text = ''): void {
    this.ctx.out.print(text);
  }

  async run(): Promise<void> {
    const file = resolve(this.argv.recipe);
    if (existsSync(draftOf(file)) && (await this.resume(file))) return;
    if (existsSync(file)) return this.rerun(file);
    return this.fresh(file);
  }

  /** Offers the answers an earlier run kept; false when the person starts over (or, without a terminal, did not pass --resume). */
  private async resume(file: string): Promise<boolean> {
    const draft = readDraft(draftOf(file));
    if (!this.ctx.interactive && this.argv.resume === undefined) {
      this.say(`${basename(draftOf(file))} holds the answers of a run that did not finish; pass --resume to use them.`);
      return false;
    }
    this.say(`${basename(draftOf(file))} holds your answers from a run that did not finish (${draft.saved}).`);
    const go = await this.asker.confirm({ flag: 'resume', message: 'Resume from them?', default: true });
    if (!go) {
      rmSync(draftOf(file), { force: true });
      return false;
    }
    for (const slot of draft.typed) {
      const platform = slot.startsWith('channels.') ? (slot.split('.')[1] as Platform) : undefined;
      const value = await this.asker.secret(`${secretLabel(slot)} (typed last time, never kept; input hidden):`, (v) => (platform ? chatTokenProblem(platform, v) : undefined) ?? true);
      if (value === undefined) throw new InputError(`${basename(draftOf(file))}: the ${secretLabel(slot)} was typed, and there is no terminal to type it again`);
      this.known.set(slot, value);
    }
    this.asker.finish();
    const { recipe } = loadRecipe(draftOf(file));
    const target = await this.connect(this.argv.host ?? (recipe.target === 'local' ? undefined : recipe.target.ssh));
    try {
      await this.planAndApply(file, draft.text, target, {}, draft.typed);
    } finally {
      await target.close();
    }
    return true;
  }

  // ---- where the buddy runs -----------------------------------------------------------------------------
  private async connect(destination: string | undefined): Promise<Target> {
    if (destination === undefined) return new LocalTarget(this.argv.root);
    if (this.argv.root !== undefined) throw new InputError('--root rebases files on this machine; it cannot be used with an SSH target');
    const open = (acceptNew: boolean) =>
      openSshTarget(destination, {
        acceptNew,
        ...(this.ctx.interactive ? { passphrase: (f: string) => this.asker.secret(`Passphrase for ${f}:`).then((p) => p ?? '') } : {}),
        onRecorded: (name, file, unchecked) => this.say(hostKeyRecorded(name, file, unchecked)),
        onWarning: (message) => this.say(message),
      });
    try {
      return await open(Boolean(this.argv.acceptNew));
    } catch (err) {
      if (!(err instanceof UnknownHostKey)) throw err;
      this.say(`${err.host.name} is new to this machine. Its ${err.host.type} host key fingerprint is:\n  ${err.host.fingerprint}`);
      this.say('Compare it with the host\'s own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it) before you accept.');
      const accept = await this.asker.confirm({ flag: 'accept-new', message: 'Is this the right fingerprint? Record it and connect', default: false });
      this.asker.finish();
      if (!accept) throw new InputError(`host key of ${err.host.name} not accepted; nothing was written`);
      return open(true);
    }
  }

  private showFacts(facts: Facts, target: Target): void {
    const { c } = this.ctx.out;
    this.say(`\n${c.bold('Found')} on ${target.label}: ${facts.os} ${facts.arch}, user ${facts.user}, init ${facts.init}${facts.os === 'linux' ? `, linger ${facts.linger ? 'on' : 'off'}` : ''}`);
    for (const r of checkRequirements(facts, { channels: true, auth: 'none', bun: { install: false }, sandbox: true }, !target.rebasedUnder)) {
      this.say(`  ${r.ok ? c.green('ok ') : c.yellow('fix')} ${r.what}: ${r.detail}${r.fix ? c.dim(`   -> ${r.fix}`) : ''}`);
    }
    this.say();
  }

  // ---- questions ----------------------------------------------------------------------------------------
  /**
   * How a secret reaches the target: typed now (kept only on the target: { stored: true }), an
   * environment variable read at each apply, or the value an earlier apply stored. `envFlag` is the
   * --token-env / --auth-env answer; without a terminal that is the only way. A variable is checked the
   * moment it is named (set, and shaped like the secret): an unset one is asked again, or typed instead.
   */
  private async secretRef(what: string, variable: string, flag: 'token-env' | 'auth-env', envFlag: string | undefined, slot: string, current?: SecretRef, shape?: (value: string) => string | undefined): Promise<SecretRef> {
    const envProblem = (name: string): string | undefined => {
      const value = process.env[name]?.trim();
      if (!value) return `${name} is not set in this shell`;
      const wrong = shape?.(value);
      return wrong && `${name} ${wrong}`;
    };
    const checked = (name: string): SecretRef => {
      const problem = envProblem(name);
      if (problem) throw new InputError(`--${flag} ${name}: ${problem} (the ${what}${this.ctx.interactive ? '' : '; set it, or run buddy-init in a terminal to type it'})`);
      return { env: name };
    };
    if (envFlag !== undefined) return checked(envFlag);
    const envName = () => this.asker.input({ flag, message: 'Environment variable name:', default: variable, validate: (v) => (/^[A-Za-z_]\w*$/.test(v) ? true : 'not a variable name') });
    if (!this.ctx.interactive) {
      if (current && 'stored' in current) return current;
      const name = await envName();
      return this.asker.lacks(flag) ? { env: name } : checked(name);
    }
    const keep = current && 'stored' in current;
    let how = await this.asker.select({
      flag: `${flag}-how`,
      message: `How does buddy-init get the ${what}?`,
      choices: [
        ...(keep ? [{ value: 'keep' as const, name: 'Keep the one stored on the target' }] : []),
        { value: 'type' as const, name: 'I type it now (hidden; it goes only to a 0600 file on the target)' },
        { value: 'env' as const, name: `From an environment variable when I run buddy-init (${variable})` },
      ],
      default: keep ? 'keep' : 'type',
    });
    for (;;) {
      if (how === 'keep') return { stored: true };
      if (how === 'type') {
        const value = await this.asker.secret(`${what} (input hidden):`, (v) => shape?.(v) ?? true);
        this.known.set(slot, value ?? '');
        return { stored: true };
      }
      const name = await envName();
      const problem = envProblem(name);
      if (!problem) return { env: name };
      this.say(`  ${problem}.`);
      how = await this.asker.select({
        flag: `${flag}-how`,
        message: 'Then:',
        choices: [
          { value: 'type' as const, name: 'I type it now instead (hidden; it goes only to a 0600 file on the target)' },
          { value: 'env' as const, name: 'Another variable (or set it in another shell first, then name it here)' },
        ],
        default: 'type',
      });
    }
  }

  /** `facts`: the box as found (the first run); Bun is asked about only when it lacks it. */
  private async chat(current?: Recipe['channels'], facts?: Facts): Promise<ChatChoice | undefined> {
    const existing = current?.discord ? 'discord' : current?.telegram ? 'telegram' : undefined;
    const platform = await this.asker.select({
      flag: 'chat',
      message: 'Which chat app should your buddy answer in?',
      choices: [
        { value: 'discord', name: 'Discord', description: 'a bot from the Discord Developer Portal (enable Message Content Intent)' },
        { value: 'telegram', name: 'Telegram', description: 'a bot from @BotFather' },
        { value: 'none', name: 'None for now', description: 'reach it with tmux attach; add a chat later by running buddy-init again' },
      ],
      default: existing ?? 'discord',
    });
    if (platform === 'none') return undefined;
    const was = current?.[platform];
    const token = await this.secretRef(`${platform} bot token`, TOKEN_VARIABLES[platform], 'token-env', this.argv.tokenEnv, `channels.${platform}.token`, was?.token, (v) => chatTokenProblem(platform, v));
    this.say(`  ${BEFORE_IT_CAN_DM[platform]}.`);
    this.say(`  ${HOW_TO_FIND_IDS[platform]}.`);
    const ids = () => this.asker.list({ flag: 'allow-from', message: 'User ids allowed to talk to it (comma-separated):', default: was?.allowFrom ?? [], validateItem: ID });
    let allowFrom = await ids();
    let dmPolicy = this.argv.dmPolicy ?? (was?.dmPolicy === 'pairing' ? 'pairing' : undefined);
    // A bot nobody may talk to is a broken install, unless strangers may ask to pair (the plugin's own default).
    while (!allowFrom.length && dmPolicy !== 'pairing' && !this.asker.lacks('allow-from')) {
      if (!this.ctx.interactive) {
        throw new InputError('--allow-from: nobody is allowlisted, so the bot would answer nobody; give the ids that may talk to it, or pass --dm-policy pairing (whoever DMs the bot gets a code; approve it with buddy-init pair CODE)');
      }
      this.say('  Nobody is allowlisted: the bot would answer nobody.');
      dmPolicy = await this.asker.select<'pairing' | 'allowlist'>({
        flag: 'dm-policy',
        message: 'Then:',
        choices: [
          { value: 'pairing' as const, name: 'Pairing', description: 'whoever DMs the bot gets a code; you approve it with buddy-init pair CODE' },
          { value: 'allowlist' as const, name: 'Enter ids after all' },
        ],
        default: 'pairing',
      });
      if (dmPolicy === 'allowlist') allowFrom = await ids();
    }
    const installBun =
      facts && !facts.tools.bun?.version
        ? await this.asker.confirm({ flag: 'install-bun', message: `The chat plugin runs on Bun, which the box lacks. Let apply install it for ${facts.user} with npm (into ~/.bun)?`, default: true })
        : undefined;
    return { platform, token, allowFrom, ...(dmPolicy === 'pairing' ? { dmPolicy } : {}), ...(installBun ? { installBun } : {}) };
  }

  private async auth(current?: Recipe['auth']): Promise<WizardChoices['auth']> {
    const kind = await this.asker.select({
      flag: 'auth',
      message: 'How does Claude authenticate on the box?',
      choices: [
        { value: 'oauth', name: 'OAuth token', description: 'from `claude setup-token` on any machine where you are logged in; valid a year' },
        { value: 'api-key', name: 'Anthropic API key', description: 'billed per use' },
        { value: 'none', name: 'Claude is already logged in there', description: 'not on macOS: launchd cannot read the login Keychain' },
      ],
      default: current && 'apiKey' in current ? 'api-key' : current && 'oauthToken' in current ? 'oauth' : 'oauth',
    });
    if (kind === 'none') return undefined;
    const key = kind === 'oauth' ? 'oauthToken' : 'apiKey';
    const was = current && key in current ? (current as Record<string, SecretRef>)[key] : undefined;
    const ref = await this.secretRef(secretLabel(`auth.${key}`), kind === 'oauth' ? 'CLAUDE_CODE_OAUTH_TOKEN' : 'ANTHROPIC_API_KEY', 'auth-env', this.argv.authEnv, `auth.${key}`, was);
    return { kind: key, ref };
  }

  private async posture(current?: { posture?: Posture; allow: string[]; deny: string[]; safeVerbs: string[] }): Promise<Pick<WizardChoices, 'posture' | 'allow' | 'deny' | 'safeVerbs'>> {
    const posture = await this.asker.select<Posture>({
      flag: 'posture',
      message: 'Permission posture',
      choices: [
        { value: 'strict', name: 'strict', description: 'reads freely; asks (in chat) before every edit and every command not proven read-only' },
        { value: 'balanced', name: 'balanced', description: "accepts file edits; commands run in Claude Code's sandbox without asking; catastrophic ones and secret reads denied" },
        { value: 'open', name: 'open', description: 'for a throwaway box: shell allowed; catastrophic commands still denied' },
      ],
      default: current?.posture ?? 'balanced',
    });
    const rule = (list: RuleList) => (r: string) => {
      const p = ruleProblem(r, list);
      return p ? `Claude Code would skip it: ${describeProblem(p, r)}` : true;
    };
    // Rules given as flags (and, without a terminal, always) come from --allow / --deny / --safe-verb.
    const given = [this.argv.allow, this.argv.deny, this.argv.safeVerb].some((list) => list !== undefined);
    const edit = !given && this.ctx.interactive && (await this.asker.confirm({ flag: 'edit-rules', message: 'Add your own allow/deny rules or read-only commands?', default: false }));
    const keep = { allow: current?.allow ?? [], deny: current?.deny ?? [], safeVerbs: current?.safeVerbs ?? [] };
    if (!edit) {
      const checked = (flag: string, items: string[] | undefined, check: (v: string) => string | true, fallback: string[]) => {
        for (const item of items ?? []) {
          const verdict = check(item);
          if (verdict !== true) throw new InputError(`--${flag} ${item}: ${verdict}`);
        }
        return items ?? fallback;
      };
      return {
        posture,
        allow: checked('allow', this.argv.allow, rule('allow'), keep.allow),
        deny: checked('deny', this.argv.deny, rule('deny'), keep.deny),
        safeVerbs: checked('safe-verb', this.argv.safeVerb, COMMAND_NAME, keep.safeVerbs),
      };
    }
    return {
      posture,
      allow: await this.asker.list({ flag: 'allow', message: 'Allow rules, e.g. Bash(npm test) (comma-separated):', default: keep.allow, validateItem: rule('allow') }),
      deny: await this.asker.list({ flag: 'deny', message: 'Deny rules, e.g. Bash(terraform destroy *):', default: keep.deny, validateItem: rule('deny') }),
      safeVerbs: await this.asker.list({ flag: 'safe-verb', message: 'Commands you consider read-only (the hook allows them), e.g. duf:', default: keep.safeVerbs, validateItem: COMMAND_NAME }),
    };
  }

  /** Where Claude Code's sandbox cannot run, the person decides whether to go on without it (apply would refuse). */
  private async sandbox(facts: Facts, target: Target): Promise<Pick<WizardChoices, 'sandbox'>> {
    const support = sandboxRequirement(facts);
    if (support.ok) return {};
    const without = await this.asker.confirm({
      flag: 'without-sandbox',
      message: `Claude Code's sandbox cannot run on ${target.label} (${support.detail}). Go on without it, with only the hook as a guard?`,
      default: false,
    });
    if (!without) throw new InputError(`the sandbox cannot run on ${target.label}: ${support.detail}; fix: ${support.fix}, then run buddy-init again (nothing was written)`);
    return { sandbox: false };
  }

  private async init(facts: Facts): Promise<WizardChoices['init']> {
    if (facts.os === 'macos') {
      const kind = await this.asker.select({
        flag: 'init-kind',
        message: 'Start it how?',
        choices: [
          { value: 'launchd-daemon', name: 'At boot (LaunchDaemon)', description: 'comes back after a power cut with nobody logged in; needs sudo once' },
          { value: 'launchd-agent', name: 'At login (LaunchAgent)', description: 'only while someone is logged in to the Mac' },
        ],
        default: 'launchd-daemon',
      });
      return { kind, linger: true };
    }
    const linger = await this.asker.confirm({ flag: 'linger', message: 'Start it at boot, without anyone logged in (loginctl enable-linger)?', default: true });
    return { kind: 'auto', linger };
  }

  // ---- the two paths ------------------------------------------------------------------------------------
  private async fresh(file: string): Promise<void> {
    const { c } = this.ctx.out;
    this.say(c.bold('buddy-init: an always-on Claude Code assistant on your box.'));
    this.say(c.dim('Answers become a recipe file; nothing is written before you confirm the plan. Ctrl-C stops at any point.\n'));
    const where = await this.asker.select({
      flag: 'where',
      message: 'Where should the buddy run?',
      choices: [
        { value: 'local', name: 'This machine', description: 'run buddy-init on the VPS or Mac itself' },
        { value: 'ssh', name: 'Another machine, over SSH', description: 'e.g. a Mac mini from your laptop' },
      ],
      default: 'local',
    });
    const host = where === 'ssh' ? await this.asker.input({ flag: 'host', message: 'SSH destination (user@host[:port] or a ~/.ssh/config alias):', validate: (v) => (/^\S+$/.test(v) ? true : 'one destination, no spaces') }) : undefined;
    this.asker.finish(); // nothing more can be asked without the connection
    const target = await this.connect(host);
    try {
      const probe = await gatherFacts(target, 'buddy', '~');
      this.showFacts(probe, target);
      const name = await this.asker.input({ flag: 'name', message: 'Name of your buddy (names its service):', default: 'buddy', validate: (v) => (NAME_PATTERN.test(v) ? true : '2-40 lowercase letters, digits or dashes, starting with a letter') });
      const workdir = await this.asker.input({
        flag: 'workdir',
        message: 'Working directory on the box (a folder of its own: claude is trusted there, and under "balanced" edits its files without asking):',
        default: '~/buddy',
        validate: (v) => (/^(~|~\/.*|\/.*)$/.test(v) ? true : 'an absolute path or one starting with ~'),
      });
      const chat = await this.chat(undefined, probe);
      const auth = await this.auth();
      const posture = await this.posture();
      const sandbox = await this.sandbox(probe, target);
      const init = await this.init(probe);
      this.asker.finish();
      const choices: WizardChoices = { name, target: host ? { ssh: host } : 'local', workdir, ...(chat ? { chat } : {}), ...(auth ? { auth } : {}), ...posture, ...sandbox, init };
      await this.planAndApply(file, newRecipeText(choices), target, choices);
    } finally {
      await target.close();
    }
  }

  private async rerun(file: string): Promise<void> {
    const loaded = loadRecipe(file);
    const { recipe } = loaded;
    const text = readFileSync(file, 'utf8');
    this.say(`Found ${basename(file)}: buddy "${recipe.name}" on ${recipe.target === 'local' ? 'this machine' : recipe.target.ssh}.`);
    const action = await this.asker.select({
      flag: 'action',
      message: 'What now?',
      choices: [
        { value: 'posture', name: 'Change the permission posture' },
        { value: 'chat', name: 'Change the chat settings' },
        { value: 'apply', name: 'Re-apply the recipe as it is' },
        { value: 'uninstall', name: 'Uninstall the buddy' },
      ],
      default: 'posture',
    });
    if (action === 'uninstall') {
      this.asker.finish();
      return runUninstall({ ...this.argv, recipe: file }, this.ctx);
    }
    const raw = loadRecipeRaw(text);
    let edited = text;
    let choicesForSummary: Partial<WizardChoices> = {};
    if (action === 'posture') {
      const extendsNow = typeof raw.extends === 'string' && ['strict', 'balanced', 'open'].includes(raw.extends) ? (raw.extends as Posture) : undefined;
      const p = await this.posture({ ...(extendsNow ? { posture: extendsNow } : {}), allow: raw.permissions?.allow ?? [], deny: raw.permissions?.deny ?? [], safeVerbs: raw.hook?.safeVerbs ?? [] });
      edited = editRecipeText(text, [
        { path: ['extends'], value: p.posture },
        { path: ['permissions', 'allow'], value: p.allow.length ? p.allow : undefined },
        { path: ['permissions', 'deny'], value: p.deny.length ? p.deny : undefined },
        { path: ['hook', 'safeVerbs'], value: p.safeVerbs.length ? p.safeVerbs : undefined },
      ]);
    } else if (action === 'chat') {
      const chat = await this.chat(recipe.channels);
      choicesForSummary = chat ? { chat } : {};
      // A dmPolicy the person set stays, unless this run chose pairing or gave ids instead of pairing.
      const { dmPolicy: before, ...rest } = raw.channels?.[chat?.platform ?? 'discord'] ?? {};
      const dmPolicy = chat?.dmPolicy ?? (before === 'pairing' ? undefined : before);
      edited = editRecipeText(text, [
        { path: ['channels'], value: chat ? { [chat.platform]: { ...rest, token: chat.token, allowFrom: chat.allowFrom, ...(dmPolicy !== undefined ? { dmPolicy } : {}) } } : undefined },
      ]);
      if (chat) edited = editRecipeText(edited, [{ path: ['channels', chat.platform, 'token'], value: chat.token, flow: true }]);
    }
    this.asker.finish();
    const target = await this.connect(this.argv.host ?? (recipe.target === 'local' ? undefined : recipe.target.ssh));
    try {
      await this.planAndApply(file, edited, target, choicesForSummary);
    } finally {
      await target.close();
    }
  }

  /**
   * Plans from the answers (kept in the draft, so a message points at a file that holds the line it
   * names), confirms, writes the recipe, applies. `typed`: the secrets typed in, which the draft lists
   * by slot and never holds.
   */
  private async planAndApply(file: string, text: string, target: Target, choices: Partial<WizardChoices>, typed = [...this.known.keys()]): Promise<void> {
    const { out, c } = { out: this.ctx.out, c: this.ctx.out.c };
    const draft = draftOf(file);
    writeDraft(draft, text, typed);
    let keepDraft = false;
    try {
      const planned = await buildPlan({ ...this.argv, recipe: draft }, this.ctx, { target, known: this.known, lock: 'apply (wizard)', origin: originOf(file) });
      try {
        const settings = planned.plan.changes.find((ch) => ch.artifact.path.endsWith('/.claude/settings.local.json'));
        if (settings?.op === 'update' && (settings.added.length || settings.removed.length)) {
          out.print(c.bold('\nPermission changes'));
          settings.added.forEach((e) => out.print(c.green(`  + ${describeEntry(e)}`)));
          settings.removed.forEach((e) => out.print(c.red(`  - ${describeEntry(e)}`)));
          settings.kept.forEach((e) => out.print(c.dim(`  = ${describeEntry(e)} (yours, kept)`)));
        }
        out.print();
        // The plan without its diff, so its summary, requirements and warnings end right above the question.
        showPlan(planned, out, Boolean(this.argv.diff));
        if (planned.plan.blocked) throw new InputError(`apply cannot run: ${planned.plan.blocked}`);
        if (!this.argv.diff && !planIsEmpty(planned.plan)) out.print(c.dim('(each file\'s changed lines: run buddy-init again with --diff)'));
        const go = planIsEmpty(planned.plan) || (await this.asker.confirm({ flag: 'yes', message: `Write ${basename(file)} and apply?`, default: true }));
        this.asker.finish();
        if (!go) {
          out.print('Stopped; nothing was written.');
          return;
        }
        if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
          writeFileAtomicSync(file, text, 0o644);
          out.print(`Wrote ${file}.`);
        }
        const result = await applyPlan(planned.plan, target, {
          buddyInit: VERSION,
          name: planned.loaded.recipe.name,
          facts: planned.facts,
          ...(this.ctx.interactive ? { sudoPassword: () => promptSudoPassword(target.label) } : {}),
          progress: (line) => out.info(`  ${line}`),
        });
        out.print(c.green(`\nDone: ${count(result.written.length, 'file')} written, ${count(result.ran.length, 'command')} run.`));
        this.summary(planned.loaded.recipe, target, choices, file);
        // Last, what still stands in the way: the first thing to do next.
        printStillMissing(planned.requirements, out);
      } finally {
        await planned.finish();
      }
    } catch (err) {
      // Answers are worth keeping when something other than the person stopped the run before the
      // recipe was written (after that, the recipe itself holds them).
      keepDraft = !(err instanceof Cancelled) && (!existsSync(file) || readFileSync(file, 'utf8') !== text);
      if (keepDraft) out.info(`Your answers are kept in ${basename(draft)} (0600, no secret in it); run buddy-init here again to resume from them.`);
      throw err;
    } finally {
      if (!keepDraft) rmSync(draft, { force: true });
    }
  }

  private summary(recipe: Recipe, target: Target, choices: Partial<WizardChoices>, file: string): void {
    const cli = process.env.npm_command === 'exec' ? 'npx buddy-init' : 'buddy-init'; // npm sets it for npx
    const recipeFlag = basename(file) === 'buddy.yaml' ? '' : ` --recipe ${basename(file)}`;
    const chat = choices.chat ?? channelChoice(recipe);
    this.say('\nNext steps');
    if (!chat) this.say(`  Talk to it:  no chat yet; run ${cli} again here and choose "Change the chat settings".`);
    else if (chat.dmPolicy === 'pairing') this.say(`  Talk to it:  DM your ${chat.platform} bot; it answers with a pairing code: approve it with ${cli} pair CODE${recipeFlag}. Permission prompts come to you there.`);
    else this.say(`  Talk to it:  DM your ${chat.platform} bot from an allowlisted account (${chat.allowFrom.join(', ')}); permission prompts come to you there.`);
    if (target.rebasedUnder) {
      this.say(`  Nothing was started: --root put the files under ${target.rebasedUnder}. Run it without --root on the box to install for real.`);
    } else {
      this.say(`  Status:      ${cli} status${recipeFlag}    (logs: ${cli} logs${recipeFlag} -f)`);
      this.say(`  Peek:        ${cli} attach${recipeFlag}    (read-only; detach with Ctrl-b d)`);
    }
    this.say(`  Change it:   run ${cli} again in this folder, or edit ${basename(file)} and run ${cli} apply${recipeFlag}`);
  }
}

function channelChoice(recipe: Recipe): Pick<ChatChoice, 'platform' | 'allowFrom' | 'dmPolicy'> | undefined {
  const platform = recipe.channels.discord ? 'discord' : recipe.channels.telegram ? 'telegram' : undefined;
  const channel = platform && recipe.channels[platform];
  return platform && channel ? { platform, allowFrom: channel.allowFrom, ...(channel.dmPolicy === 'pairing' ? { dmPolicy: 'pairing' as const } : {}) } : undefined;
}

// ---- the draft ----------------------------------------------------------------------------------------
const draftOf = (file: string) => `${file}.draft`;
const DRAFT_HEAD = '# buddy-init draft: answers kept after a run that did not finish';
const TYPED = '# typed secrets (never kept here, asked again): ';

/** The recipe the answers make, with two comment lines on top: still a recipe `apply --recipe` reads. */
function writeDraft(path: string, text: string, typed: string[]): void {
  writeFileAtomicSync(path, `${DRAFT_HEAD} (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC); buddy-init in this folder resumes it.\n${TYPED}${typed.join(', ') || 'none'}\n${text}`, 0o600);
}

function readDraft(path: string): { text: string; typed: string[]; saved: string } {
  const [head = '', typedLine = '', ...rest] = readFileSync(path, 'utf8').split('\n');
  if (!head.startsWith(DRAFT_HEAD) || !typedLine.startsWith(TYPED)) throw new InputError(`${path}: not a draft buddy-init wrote; move it away to start over`);
  const typed = typedLine.slice(TYPED.length).trim();
  return { text: rest.join('\n'), typed: typed === 'none' ? [] : typed.split(', '), saved: /\(([^)]*)\)/.exec(head)?.[1] ?? 'earlier' };
}

const SECRET_LABELS: Record<string, string> = {
  'auth.oauthToken': 'Claude OAuth token',
  'auth.apiKey': 'Anthropic API key',
};
const secretLabel = (slot: string) => SECRET_LABELS[slot] ?? `${slot.split('.')[1]} bot token`;

interface RawRecipe {
  extends?: unknown;
  permissions?: { allow?: string[]; deny?: string[] };
  hook?: { safeVerbs?: string[] };
  channels?: Record<string, Record<string, unknown>>;
}

/** The recipe as written (not merged with its preset): what a person sees pre-filled. */
function loadRecipeRaw(text: string): RawRecipe {
  return (loadYaml(text) ?? {}) as RawRecipe;
}


export function runWizard(argv: WizardArgs, ctx: CommandContext): Promise<void> {
  return new Wizard(argv, ctx).run();
}
