/**
 * Every pitfall buddy-init knows, checked on the target and explained with its fix. The ones marked
 * `fixable` are exactly those an apply repairs (the same plan/apply path, so --fix changes nothing an
 * apply would not); the rest need a person.
 */
import { posix } from 'node:path';
import { describeProblem, ruleProblem, type RuleList } from '../permissions/rules.js';
import { channelPlugins, claudeNeeds, type Recipe } from '../recipe/index.js';
import { scrubsSubprocessEnv, type Layout } from '../render/index.js';
import { getIn, isRecord, type Json } from '../runtime/shared/json.js';
import { SCREENS } from '../runtime/supervisor/screens.js';
import { checkRequirements, readJson, type Facts, type Target } from '../target/index.js';
import type { Finding } from './finding.js';
import { sandboxFindings } from './sandboxChecks.js';
import { scheduleFindings } from './scheduleChecks.js';
import { pluginsWithServers } from './status.js';

export type { Finding } from './finding.js';

/** Variables that switch off the feature-flag fetch Claude Code's channels need. */
const TELEMETRY_OFF = ['DISABLE_TELEMETRY', 'DO_NOT_TRACK', 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC'];

/** Seconds a freshly started claude gets to start its plugins' servers before doctor calls one missing. */
const PLUGIN_SERVER_GRACE = 30;

const ok = (id: string, title: string, detail: string): Finding => ({ id, ok: true, title, detail, fixable: false });

export async function diagnose(target: Target, recipe: Recipe, layout: Layout, facts: Facts): Promise<Finding[]> {
  const findings: Finding[] = [];
  const hasChannels = Object.values(recipe.channels).some(Boolean);
  const apply = 'buddy-init doctor --fix (or buddy-init apply)';

  for (const r of checkRequirements(facts, claudeNeeds(recipe), true)) {
    findings.push(
      r.ok
        ? ok(`tool-${r.what}`, r.what, r.detail)
        : r.byApply
          ? { id: `tool-${r.what}`, ok: false, title: r.what, detail: r.detail, fix: apply, fixable: true }
          : { id: `tool-${r.what}`, ok: false, title: r.what, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}), fixable: false, ...(r.warning ? { warning: true } : {}) },
    );
  }
  findings.push(...(await sandboxFindings(target, recipe, layout, facts)));
  if (recipe.sandbox === false && recipe.claude.env.CLAUDE_CODE_SUBPROCESS_ENV_SCRUB === '0') {
    findings.push({
      id: 'env-scrub',
      ok: false,
      warning: true,
      title: 'credentials in the Bash tool',
      detail: "claude.env sets CLAUDE_CODE_SUBPROCESS_ENV_SCRUB=0: the auth token is in the environment of every command the agent runs",
      fix: 'remove it from claude.env, then buddy-init apply',
      fixable: false,
    });
  }
  const mode = recipe.permissions.defaultMode;
  if (scrubsSubprocessEnv(recipe, facts) && mode !== 'default' && mode !== 'acceptEdits') {
    findings.push({
      id: 'permission-mode',
      ok: false,
      warning: true,
      title: 'permission mode',
      detail: `Claude Code forces the mode to default while CLAUDE_CODE_SUBPROCESS_ENV_SCRUB is set, so defaultMode ${mode} does not apply (acceptEdits is written as Edit allow rules instead)`,
      fix: 'allow what the agent needs in permissions.allow',
      fixable: false,
    });
  }

  const claudeJson = await readJson(target, layout.claudeJson);
  const trusted = getIn(claudeJson, ['projects', layout.trustKey, 'hasTrustDialogAccepted']) === true;
  findings.push(
    trusted
      ? ok('trust', 'workspace trust', `${layout.trustKey} is trusted`)
      : { id: 'trust', ok: false, title: 'workspace trust', detail: `${layout.claudeJson} does not trust ${layout.trustKey}: claude would stop at "Do you trust the files in this folder?" with nobody to answer`, fix: apply, fixable: true },
  );
  findings.push(
    getIn(claudeJson, ['hasCompletedOnboarding']) === true
      ? ok('onboarding', 'first-run onboarding', 'done')
      : { id: 'onboarding', ok: false, title: 'first-run onboarding', detail: 'hasCompletedOnboarding is not set: a headless first start stops at the onboarding screens', fix: apply, fixable: true },
  );

  if (layout.init === 'systemd-user' && recipe.init.linger) {
    findings.push(
      facts.linger
        ? ok('linger', 'linger', 'on: the user manager starts at boot')
        : { id: 'linger', ok: false, title: 'linger', detail: `off: the buddy starts only when ${facts.user} logs in, not at boot`, fix: apply, manual: `sudo loginctl enable-linger ${facts.user}`, fixable: true },
    );
  }

  // Rules Claude Code skips in any settings file that applies to this workdir.
  const settingsFiles = [layout.settingsLocal, posix.join(layout.workdir, '.claude', 'settings.json'), posix.join(layout.home, '.claude', 'settings.json')];
  let dropped = 0;
  const envs: Array<[string, Json | undefined]> = [];
  for (const file of settingsFiles) {
    const doc = await readJson(target, file);
    envs.push([file, getIn(doc, ['env'])]);
    for (const list of ['allow', 'deny', 'ask'] as RuleList[]) {
      const rules = getIn(doc, ['permissions', list]);
      for (const rule of Array.isArray(rules) ? rules : []) {
        const problem = typeof rule === 'string' ? ruleProblem(rule, list, facts.tools.claude?.version) : { error: 'not a string' };
        if (!problem) continue;
        dropped++;
        findings.push({ id: 'dropped-rule', ok: false, title: 'permission rule Claude Code skips', detail: `${file}: ${list} "${String(rule)}": ${describeProblem(problem, typeof rule === 'string' ? rule : undefined)}`, fix: `edit ${file}: correct or remove the rule (it protects nothing as it is)`, fixable: false });
      }
    }
  }
  if (!dropped) findings.push(ok('dropped-rule', 'permission rules', 'Claude Code keeps every rule'));

  // The service definition: what the init system runs, and whether it still exists.
  const unit = (await target.read(layout.servicePath))?.toString('utf8');
  if (!unit) {
    findings.push({ id: 'unit', ok: false, title: 'service definition', detail: `${layout.servicePath} is missing`, fix: apply, fixable: true });
  } else {
    const runtime = layout.init === 'systemd-user' ? /^ExecStart=\S+ (\S+)/m.exec(unit)?.[1] : /<string>([^<]*supervisor\.mjs)<\/string>/.exec(unit)?.[1];
    const runtimeThere = runtime ? Boolean(await target.stat(runtime)) : false;
    findings.push(
      runtimeThere
        ? ok('runtime', 'runtime', `${runtime} is there`)
        : { id: 'runtime', ok: false, title: 'runtime', detail: `${layout.servicePath} runs ${runtime ?? '(nothing found)'}, which is missing`, fix: apply, fixable: true },
    );
    if (layout.init === 'systemd-user') {
      const problems = [
        !/^Type=notify$/m.test(unit) && 'Type= is not notify (systemd would call it started before claude runs, and the watchdog is off)',
        !/^NotifyAccess=all$/m.test(unit) && 'NotifyAccess= is not all (systemd-notify, a child of the supervisor, would be ignored: READY and WATCHDOG never arrive)',
        /^KillMode=(process|none)$/m.test(unit) && 'KillMode=process/none leaves processes systemd cannot track (tmux already runs in its own scope)',
        !/^WatchdogSec=/m.test(unit) && 'WatchdogSec= is missing (a hung supervisor would never be restarted)',
      ].filter(Boolean) as string[];
      findings.push(
        problems.length
          ? { id: 'unit', ok: false, title: 'systemd unit', detail: `${layout.servicePath}: ${problems.join('; ')}`, fix: apply, fixable: true }
          : ok('unit', 'systemd unit', 'Type=notify, NotifyAccess=all, watchdog on, default KillMode'),
      );
    }
  }

  // Secret files must be private.
  const secretFiles = [layout.authEnv, ...(['discord', 'telegram'] as const).filter((c) => recipe.channels[c]).map((c) => posix.join(layout.channelDir(c), '.env'))];
  for (const file of secretFiles) {
    const info = await target.stat(file);
    if (!info) continue;
    findings.push(
      info.mode & 0o077
        ? { id: 'secret-mode', ok: false, title: 'secret file mode', detail: `${file} is mode ${(info.mode & 0o777).toString(8)}: other users can read the token`, fix: apply, manual: `chmod 600 ${file}`, fixable: true }
        : ok('secret-mode', 'secret file mode', `${file} is 600`),
    );
  }

  // Enabled in settings is not installed: without the plugin the bot never answers; and an installed
  // plugin whose server died leaves claude looking fine and the bot deaf.
  for (const p of await pluginsWithServers(target, layout, channelPlugins(recipe))) {
    if (!p.version) {
      findings.push({ id: `plugin-${p.id}`, ok: false, title: 'chat plugin', detail: `${p.id} is not installed (${posix.join(layout.home, '.claude/plugins/installed_plugins.json')} does not list it): the bot never answers`, fix: apply, fixable: true });
      continue;
    }
    findings.push(ok(`plugin-${p.id}`, 'chat plugin', `${p.id} ${p.version} installed`));
    const server = p.server;
    if (server?.state === 'running') findings.push(ok(`plugin-server-${p.id}`, 'chat plugin server', `${p.id}: running under claude (pid ${server.pid})`));
    else if (server?.state === 'missing') {
      const starting = server.claudeAge < PLUGIN_SERVER_GRACE;
      findings.push({
        id: `plugin-server-${p.id}`,
        ok: false,
        ...(starting ? { warning: true } : {}),
        title: 'chat plugin server',
        detail: starting
          ? `${p.id}: not running yet; claude started ${server.claudeAge}s ago (check again in a minute)`
          : `${p.id}: claude runs (for ${server.claudeAge}s) but the plugin's server does not: the bot is deaf`,
        fix: `buddy-init restart --recipe <recipe> (claude resumes its conversation); if it dies again, see buddy-init logs`,
        fixable: false,
      });
    }
  }

  const status = await readJson(target, posix.join(layout.stateDir, 'status.json'));
  findings.push(...supervisorFindings(status, recipe));
  const claudeEnv = getIn(await readJson(target, layout.supervisorConfig), ['env']);
  findings.push(...(await scheduleFindings(target, recipe, layout, facts, { envs, claudeEnv, status, now: Math.round(Date.now() / 1000), localZone: Intl.DateTimeFormat().resolvedOptions().timeZone })));

  if (facts.os === 'macos' && !recipe.auth) {
    findings.push({ id: 'keychain', ok: false, title: 'macOS Keychain', detail: 'no auth in the recipe: Claude would look for its login in the Keychain, which launchd jobs and SSH sessions cannot read', fix: 'add auth: { oauthToken: { env: CLAUDE_CODE_OAUTH_TOKEN } } (from `claude setup-token`) and apply', fixable: false });
  }

  if (hasChannels) {
    const manager = layout.init === 'systemd-user' ? await target.run(['systemctl', '--user', 'show-environment'], { env: { XDG_RUNTIME_DIR: `/run/user/${facts.uid}` } }) : undefined;
    const where: string[] = [];
    for (const [file, env] of [...envs, [layout.supervisorConfig, claudeEnv] as [string, Json | undefined]]) {
      if (isRecord(env)) for (const v of TELEMETRY_OFF) if (v in env) where.push(`${v} in ${file}`);
    }
    for (const v of TELEMETRY_OFF) if (manager && new RegExp(`^${v}=`, 'm').test(manager.stdout)) where.push(`${v} in the systemd user manager's environment`);
    findings.push(
      where.length
        ? { id: 'telemetry', ok: false, title: 'channels switched off', detail: `${where.join(', ')}: these switch off the feature-flag fetch that channels need`, fix: 'remove them (systemctl --user unset-environment NAME for the manager)', fixable: false }
        : ok('telemetry', 'channels feature flags', 'no variable switches them off'),
    );
  }

  findings.push(
    facts.service.active
      ? ok('service', 'service', `${layout.serviceName} is running`)
      : { id: 'service', ok: false, title: 'service', detail: `${layout.serviceName} is not running`, fix: apply, manual: 'buddy-init logs says why it does not stay up', fixable: true },
  );
  return findings;
}

/**
 * What the supervisor found and did (its status file): a screen claude is stuck on, a chat plugin server
 * it could not bring back, and whether anyone is told when the chat goes deaf and the last word reached them.
 */
function supervisorFindings(status: Json | undefined, recipe: Recipe): Finding[] {
  const findings: Finding[] = [];
  const stuck = getIn(status, ['stuck']);
  if (isRecord(stuck)) {
    const screen = SCREENS.find((x) => x.id === stuck.id);
    findings.push({
      id: 'stuck',
      ok: false,
      ...(screen?.heal === 'wait' && !screen.fix ? { warning: true } : {}),
      title: 'claude stuck',
      detail: `${String(stuck.meaning)} (since ${String(stuck.since)}${stuck.resets ? `; resets ${String(stuck.resets)}` : ''})`,
      fix: screen?.fix ?? (screen?.heal === 'restart' ? 'the supervisor restarts claude (twice in ten minutes at most); if it stays, buddy-init doctor --fix re-applies the flags' : 'claude retries by itself; buddy-init logs shows how long it lasts'),
      fixable: screen?.heal === 'restart',
    });
  }
  const channels = getIn(status, ['channels']);
  for (const h of Array.isArray(channels) ? channels : []) {
    const heal = getIn(h, ['lastHeal']);
    const plugin = String(getIn(h, ['plugin']));
    if (!isRecord(heal)) continue;
    findings.push(
      heal.action === 'reported' && !heal.healed
        ? { id: `chat-heal-${plugin}`, ok: false, title: 'chat healing', detail: `the supervisor could not bring ${plugin}'s server back (${String(heal.why)}, ${String(heal.at)}); it retries with a pause of minutes`, fix: 'see the bun and chat plugin checks above and buddy-init logs; once fixed, buddy-init restart', fixable: false }
        : ok(`chat-heal-${plugin}`, 'chat healing', `${plugin}: last ${String(heal.action)} at ${String(heal.at)} (${String(heal.why)})${heal.healed ? ', healed' : ', in progress'}`),
    );
  }
  const nobody = (['discord', 'telegram'] as const).filter((app) => {
    const c = recipe.channels[app];
    return c && (c.alerts === false || (!c.alerts && c.allowFrom.length === 0));
  });
  if (nobody.length) {
    findings.push({ id: 'chat-alerts', ok: false, warning: true, title: 'owner alerts', detail: `${nobody.join(', ')}: nobody is told when the chat goes deaf (alerts off, or nobody in allowFrom)`, fix: `set channels.${nobody[0]}.alerts: { to: [your user id] } and apply`, fixable: false });
  }
  const alert = getIn(status, ['lastAlert']);
  if (isRecord(alert) && alert.delivered === 0) {
    findings.push({
      id: 'chat-alerts',
      ok: false,
      warning: true,
      title: 'owner alerts',
      detail: `the last alert (${String(alert.at)}) reached nobody: "${String(alert.text)}"`,
      fix: 'buddy-init logs shows the chat API\'s answer; a Discord bot must share a server with you, a Telegram bot must have been started by you',
      fixable: false,
    });
  }
  return findings;
}
