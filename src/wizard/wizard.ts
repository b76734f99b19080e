/**
 * `buddy-init` with no command: a person who has never read the docs answers a few questions and gets
 * a running buddy. The wizard only builds a recipe; plan and apply are the same code as the commands.
 *
 * Nothing is written until the last confirmation: the recipe is prepared in a temp file beside its
 * final path (so Ctrl-C at any prompt leaves nothing behind), renamed into place right before apply.
 */
import { count } from '../words.js';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as loadYaml } from 'yaml';
import { InputError } from '../errors.js';
import { applyPlan, describeEntry, planIsEmpty } from '../plan/index.js';
import { describeProblem, ruleProblem, type RuleList } from '../permissions/rules.js';
import { loadRecipe, type Recipe, type SecretRef } from '../recipe/index.js';
import { NAME_PATTERN } from '../recipe/schema.js';
import { writeFileAtomicSync } from '../runtime/shared/atomic.js';
import { checkRequirements, gatherFacts, hostKeyRecorded, LocalTarget, openSshTarget, UnknownHostKey, type Facts, type Target } from '../target/index.js';
import { VERSION } from '../version.js';
import { buildPlan, showPlan, type TargetArgs } from '../cli/commands/plan.js';
import { runUninstall } from '../cli/commands/uninstall.js';
import type { CommandContext } from '../cli/context.js';
import { promptSudoPassword } from '../cli/prompts.js';
import { Asker, type Answers } from './asker.js';
import { editRecipeText, newRecipeText, type ChatChoice, type Platform, type Posture, type WizardChoices } from './recipeDoc.js';

export interface WizardArgs extends TargetArgs {
  where?: string;
  name?: string;
  workdir?: string;
  chat?: string;
  tokenEnv?: string;
  allowFrom?: string[];
  auth?: string;
  authEnv?: string;
  posture?: string;
  allow?: string[];
  deny?: string[];
  safeVerb?: string[];
  initKind?: string;
  linger?: boolean;
  action?: string;
}

const TOKEN_VARIABLES: Record<Platform, string> = { discord: 'DISCORD_BOT_TOKEN', telegram: 'TELEGRAM_BOT_TOKEN' };
const HOW_TO_FIND_IDS: Record<Platform, string> = {
  discord: 'Discord: Settings > Advanced > Developer Mode on, then right-click your name > Copy User ID',
  telegram: 'Telegram: message @userinfobot, it answers with your numeric id',
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
    auth: argv.auth,
    posture: argv.posture,
    allow: argv.allow,
    deny: argv.deny,
    'safe-verb': argv.safeVerb,
    'init-kind': argv.initKind,
    linger: argv.linger,
    action: argv.action,
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
    if (existsSync(file)) return this.rerun(file);
    return this.fresh(file);
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
    for (const r of checkRequirements(facts, { channels: true, auth: 'none', bun: { install: false } }, !target.rebasedUnder)) {
      this.say(`  ${r.ok ? c.green('ok ') : c.yellow('fix')} ${r.what}: ${r.detail}${r.fix ? c.dim(`   -> ${r.fix}`) : ''}`);
    }
    this.say();
  }

  // ---- questions ----------------------------------------------------------------------------------------
  /**
   * How a secret reaches the target: typed now (kept only on the target: { stored: true }), an
   * environment variable read at each apply, or the value an earlier apply stored. `envFlag` is the
   * --token-env / --auth-env answer; without a terminal that is the only way.
   */
  private async secretRef(what: string, variable: string, flag: 'token-env' | 'auth-env', envFlag: string | undefined, slot: string, current?: SecretRef): Promise<SecretRef> {
    if (envFlag !== undefined) return { env: envFlag };
    const envName = () => this.asker.input({ flag, message: 'Environment variable name:', default: variable, validate: (v) => (/^[A-Za-z_]\w*$/.test(v) ? true : 'not a variable name') });
    if (!this.ctx.interactive) return current && 'stored' in current ? current : { env: await envName() };
    const how = await this.asker.select({
      flag: `${flag}-how`,
      message: `How does buddy-init get the ${what}?`,
      choices: [
        ...(current && 'stored' in current ? [{ value: 'keep' as const, name: 'Keep the one stored on the target' }] : []),
        { value: 'type' as const, name: 'I type it now (hidden; it goes only to a 0600 file on the target)' },
        { value: 'env' as const, name: `From an environment variable when I run buddy-init (${variable})` },
      ],
      default: current && 'stored' in current ? 'keep' : 'type',
    });
    if (how === 'keep') return { stored: true };
    if (how === 'env') return { env: await envName() };
    const value = await this.asker.secret(`${what} (input hidden):`);
    this.known.set(slot, value ?? '');
    return { stored: true };
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
    const token = await this.secretRef(`${platform} bot token`, TOKEN_VARIABLES[platform], 'token-env', this.argv.tokenEnv, `channels.${platform}.token`, was?.token);
    this.say(`  ${HOW_TO_FIND_IDS[platform]}.`);
    const allowFrom = await this.asker.list({ flag: 'allow-from', message: 'User ids allowed to talk to it (comma-separated):', default: was?.allowFrom ?? [], validateItem: ID });
    if (!allowFrom.length && this.ctx.interactive) this.say('  Nobody is allowlisted: the bot will not answer anyone until you add an id.');
    const installBun =
      facts && !facts.tools.bun?.version
        ? await this.asker.confirm({ flag: 'install-bun', message: `The chat plugin runs on Bun, which the box lacks. Let apply install it for ${facts.user} with npm (into ~/.bun)?`, default: true })
        : undefined;
    return { platform, token, allowFrom, ...(installBun ? { installBun } : {}) };
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
    const ref = await this.secretRef(kind === 'oauth' ? 'Claude OAuth token' : 'Anthropic API key', kind === 'oauth' ? 'CLAUDE_CODE_OAUTH_TOKEN' : 'ANTHROPIC_API_KEY', 'auth-env', this.argv.authEnv, `auth.${key}`, was);
    return { kind: key, ref };
  }

  private async posture(current?: { posture?: Posture; allow: string[]; deny: string[]; safeVerbs: string[] }): Promise<Pick<WizardChoices, 'posture' | 'allow' | 'deny' | 'safeVerbs'>> {
    const posture = await this.asker.select<Posture>({
      flag: 'posture',
      message: 'Permission posture',
      choices: [
        { value: 'strict', name: 'strict', description: 'reads freely; asks (in chat) before every edit and every command not proven read-only' },
        { value: 'balanced', name: 'balanced', description: 'accepts file edits, read-only shell runs silently, catastrophic commands denied, the rest asks' },
        { value: 'open', name: 'open', description: 'for a throwaway box: shell allowed; catastrophic commands still denied' },
      ],
      default: current?.posture ?? 'balanced',
    });
    const rule = (list: RuleList) => (r: string) => {
      const p = ruleProblem(r, list);
      return p ? `Claude Code would skip it: ${describeProblem(p)}` : true;
    };
    // Without a terminal the rules come from --allow / --deny / --safe-verb.
    const edit = this.ctx.interactive && (await this.asker.confirm({ flag: 'edit-rules', message: 'Add your own allow/deny rules or read-only commands?', default: false }));
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
      safeVerbs: await this.asker.list({ flag: 'safe-verb', message: 'Commands you consider read-only (the hook allows them), e.g. jq:', default: keep.safeVerbs, validateItem: COMMAND_NAME }),
    };
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
      const workdir = await this.asker.input({ flag: 'workdir', message: 'Working directory on the box:', default: '~', validate: (v) => (/^(~|~\/.*|\/.*)$/.test(v) ? true : 'an absolute path or one starting with ~') });
      const chat = await this.chat(undefined, probe);
      const auth = await this.auth();
      const posture = await this.posture();
      const init = await this.init(probe);
      this.asker.finish();
      const choices: WizardChoices = { name, target: host ? { ssh: host } : 'local', workdir, ...(chat ? { chat } : {}), ...(auth ? { auth } : {}), ...posture, init };
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
      edited = editRecipeText(text, [
        { path: ['channels'], value: chat ? { [chat.platform]: { ...(raw.channels?.[chat.platform] ?? {}), token: chat.token, allowFrom: chat.allowFrom } } : undefined },
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

  /** Plans from the prepared recipe (a temp file), confirms, moves the recipe into place, applies. */
  private async planAndApply(file: string, text: string, target: Target, choices: Partial<WizardChoices>): Promise<void> {
    const { out, c } = { out: this.ctx.out, c: this.ctx.out.c };
    const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileAtomicSync(temp, text, 0o644);
    try {
      const planned = await buildPlan({ ...this.argv, recipe: temp }, this.ctx, { target, known: this.known, lock: 'apply (wizard)' });
      try {
        const settings = planned.plan.changes.find((ch) => ch.artifact.path.endsWith('/.claude/settings.local.json'));
        if (settings?.op === 'update' && (settings.added.length || settings.removed.length)) {
          out.print(c.bold('\nPermission changes'));
          settings.added.forEach((e) => out.print(c.green(`  + ${describeEntry(e)}`)));
          settings.removed.forEach((e) => out.print(c.red(`  - ${describeEntry(e)}`)));
          settings.kept.forEach((e) => out.print(c.dim(`  = ${describeEntry(e)} (yours, kept)`)));
        }
        out.print();
        showPlan(planned, out);
        if (planned.plan.blocked) throw new InputError(`apply cannot run: ${planned.plan.blocked}`);
        const go = planIsEmpty(planned.plan) || (await this.asker.confirm({ flag: 'yes', message: `Write ${basename(file)} and apply?`, default: true }));
        this.asker.finish();
        if (!go) {
          out.print('Stopped; nothing was written.');
          return;
        }
        if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
          renameSync(temp, file);
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
      } finally {
        await planned.finish();
      }
    } finally {
      rmSync(temp, { force: true });
    }
  }

  private summary(recipe: Recipe, target: Target, choices: Partial<WizardChoices>, file: string): void {
    const name = recipe.name;
    const chat = choices.chat ?? (recipe.channels.discord ? { platform: 'discord' as const, allowFrom: recipe.channels.discord.allowFrom } : recipe.channels.telegram ? { platform: 'telegram' as const, allowFrom: recipe.channels.telegram.allowFrom } : undefined);
    const remote = target.label.startsWith('ssh ') ? `ssh ${target.label.slice(4)} ` : '';
    this.say('\nNext steps');
    this.say(chat ? `  Talk to it:  DM your ${chat.platform} bot from an allowlisted account (${chat.allowFrom.join(', ') || 'none yet'}); permission prompts come to you there.` : '  Talk to it:  no chat yet; run buddy-init again here and choose "Change the chat settings".');
    this.say(`  Status:      ${remote}systemctl --user status ${name}    (logs: journalctl --user -u ${name} -f)`);
    this.say(`  Peek:        ${remote}tmux -L buddy-init-${name} attach -r    (read-only; detach with Ctrl-b d. Typing would take it out of channel mode.)`);
    this.say(`  Change it:   run buddy-init again in this folder, or edit ${basename(file)} and run buddy-init apply --recipe ${basename(file)}`);
  }
}

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
