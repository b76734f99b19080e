/** Day-two commands: status, restart, logs, attach. The same code for this machine and SSH targets. */
import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { RootRunner } from '../../plan/index.js';
import { channelPlugins } from '../../recipe/index.js';
import { scheduleTaskId } from '../../render/index.js';
import { readStatus, type BuddyStatus } from '../../operate/status.js';
import type { CommandContext } from '../context.js';
import type { Output } from '../output.js';
import { count } from '../../words.js';
import { openBuddy, type OpenBuddy } from '../pipeline.js';
import { promptSudoPassword } from '../prompts.js';
import { runFleet } from './fleet.js';
import type { TargetArgs } from '../hostPlan.js';
import { targetOptions, withAll, type AllArgs } from './plan.js';

async function withBuddy<T>(argv: TargetArgs, ctx: CommandContext, job: (b: OpenBuddy) => Promise<T>): Promise<T> {
  const buddy = await openBuddy(argv, ctx);
  try {
    return await job(buddy);
  } finally {
    await buddy.target.close();
  }
}

/**
 * Under --root a command that would act on the machine's services (systemctl, journalctl, tmux) is not
 * run: the tree has files, not services. It is shown instead, as plan shows what apply would run.
 */
function notRun(out: Output, argv: string[]): void {
  out.print('Not run:');
  out.print(`  ${argv.join(' ')}  ${out.c.dim('# --root: the files are rebased, the services are not')}`);
}

/** A length of time, said in its largest sensible unit. */
function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
}

function ago(iso: string | undefined): string {
  return iso ? span(Date.now() - Date.parse(iso)) : '?';
}

/** What the supervisor knows of the chat: each plugin server's age, the last heal, the last word to the owner. */
function printChannelHealth(status: BuddyStatus, out: Output): void {
  const { c } = out;
  if (status.lastInbound) out.print(`  chat in     last message ${ago(status.lastInbound.at)} ago (${status.lastInbound.source})`);
  for (const h of status.supervisor?.channels ?? []) {
    if (h.server) out.print(`  chat server ${h.plugin}: up ${ago(h.server.since)} (pid ${h.server.pid})`);
    const heal = h.lastHeal;
    if (heal) out.print(`  last heal   ${heal.action} ${ago(heal.at)} ago: ${heal.why}${heal.healed ? c.green(' (healed)') : heal.action === 'reported' ? c.red(' (needs you)') : ''}`);
  }
  const stuck = status.supervisor?.stuck;
  if (stuck) out.print(`  stuck       ${c.red(stuck.meaning)} (for ${ago(stuck.since)}${stuck.resets ? `; resets ${stuck.resets}` : ''})`);
  const draft = status.supervisor?.draftSent;
  if (draft) out.print(`  unsent msg  ${ago(draft.at)} ago a chat message sat ${draft.satSeconds}s in claude's input box; the supervisor sent it`);
  const alert = status.supervisor?.lastAlert;
  if (alert) out.print(`  told owner  ${ago(alert.at)} ago (${count(alert.delivered, 'recipient')}): ${alert.text}`);
}

/** `in 3h (08:04)` or `2m ago (07:58)`: a time the supervisor computed, said in the buddy's timezone. */
function when(iso: string, timeZone: string | undefined): string {
  const ms = Date.parse(iso) - Date.now();
  const at = new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) });
  return ms >= 0 ? `in ${span(ms)} (${at})` : `${span(-ms)} ago (${at})`;
}

/**
 * The scheduled tasks: the recipe's, the ones the agent made durable, the conversation's own. The file's
 * durable tasks always; what only a running supervisor knows (session-only tasks, fires it saw, lateness)
 * when one runs.
 */
function printSchedule(status: BuddyStatus, b: OpenBuddy, out: Output): void {
  const { c } = out;
  const recipe = b.loaded.recipe;
  const running = status.service.state === 'active' && status.supervisor?.schedule !== undefined;
  const seen = running ? status.supervisor!.schedule! : [];
  const entries = [...seen, ...status.scheduleFile.filter((f) => !seen.some((e) => e.id === f.id))];
  const ours = recipe.schedule.map((t) => scheduleTaskId(recipe.name, t.cron, t.prompt));
  if (!entries.length && !ours.length) return;
  const zone = recipe.timezone ?? b.facts.timezone;
  out.print(`  schedule    ${count(entries.length, 'task')}${zone ? ` (${zone})` : ''}`);
  for (const t of entries) {
    const kind = ours.includes(t.id) ? 'recipe' : t.kind === 'durable' ? 'durable' : 'session';
    const next = !t.nextFire ? 'no next time' : `${Date.parse(t.nextFire) >= Date.now() ? 'next' : 'due'} ${when(t.nextFire, zone)}`;
    const last = t.lastFire ? `, last ${ago(t.lastFire)} ago` : '';
    const late = t.overdue ? c.red(`, OVERDUE since ${when(t.overdue, zone)}`) : '';
    out.print(`    ${kind.padEnd(8)}${t.cron.padEnd(14)} ${JSON.stringify(t.prompt.length > 50 ? `${t.prompt.slice(0, 47)}...` : t.prompt)} ${c.dim(t.id)}: ${next}${last}${late}`);
  }
  if (!running) {
    const why = b.target.rebasedUnder ? 'none runs under --root' : status.service.state === 'active' ? 'it has not looked yet' : 'none runs';
    out.print(c.dim(`    (from ${b.layout.scheduledTasks}; the conversation's own tasks and lateness only a running supervisor knows: ${why})`));
  }
  const missing = ours.filter((id) => !entries.some((e) => e.id === id));
  if (status.applied && missing.length) out.print(`    ${c.red(`${count(missing.length, 'task')} of the recipe missing`)} (deleted in a session?): \`buddy-init apply\` arms ${missing.length > 1 ? 'them' : 'it'} again`);
}

export function printStatus(status: BuddyStatus, b: OpenBuddy, out: Output): void {
  const { c } = out;
  const mark = (ok: boolean) => (ok ? c.green('●') : c.red('●'));
  const sup = status.supervisor;
  // Under --root no service is asked, so nothing is up or down: the files are the answer.
  const headline = !status.applied ? c.red('not applied (buddy-init apply provisions it)') : b.target.rebasedUnder ? 'files only (no service runs under --root)' : status.up ? c.green('up') : c.red('DOWN');
  out.print(`${mark(status.up)} buddy "${b.loaded.recipe.name}" on ${b.target.label}: ${headline}`);
  out.print(`  service     ${mark(status.service.state === 'active')} ${status.service.state}${status.service.sub ? ` (${status.service.sub})` : ''} ${c.dim(b.layout.serviceName)}`);
  if (sup) {
    const last = sup.lastExit ? `; last exit ${ago(sup.lastExit.at)} ago: ${sup.lastExit.reason}` : '';
    out.print(`  supervisor  pid ${sup.pid}, up ${ago(sup.startedAt)}, ${sup.state}, ${count(sup.restarts, 'restart')} of claude${last}`);
  } else out.print(`  supervisor  ${c.red('no status file')} ${c.dim(b.layout.stateDir)}`);
  out.print(`  claude      ${mark(status.claude.running)} ${status.claude.running ? `running (${status.claude.command})` : 'not running'} in tmux -L ${b.layout.tmuxSocket}`);
  out.print(`  session     ${status.sessionId ?? c.dim('none pinned yet')}${status.transcriptBytes !== undefined ? c.dim(` (transcript ${Math.round(status.transcriptBytes / 1024)} KB)`) : ''}`);
  if (b.facts.os === 'linux') out.print(`  linger      ${mark(status.linger)} ${status.linger ? 'on' : 'off (it will not start at boot)'}`);
  for (const p of status.plugins) {
    const server = !p.server || p.server.state === 'claude-not-running' ? '' : p.server.state === 'running' ? `, server running (pid ${p.server.pid})` : `, server ${c.red('NOT running')}: the bot is deaf`;
    const good = Boolean(p.version) && p.server?.state !== 'missing';
    out.print(`  plugin      ${mark(good)} ${p.id} ${p.version ? `${p.version} installed${server}` : 'NOT installed: the bot never answers (buddy-init apply installs it)'}`);
  }
  const sb = status.sandbox;
  out.print(
    `  sandbox     ${mark(sb.on)} ${sb.on ? `on: ${count(sb.hosts ?? 0, 'host')} reachable, ${sb.autoAllow ? 'contained commands run without asking' : 'every command needs the hook or a person'}` : c.red('off: only the hook guards the box')}`,
  );
  printChannelHealth(status, out);
  printSchedule(status, b, out);
  const t = b.facts.tools;
  out.print(`  versions    buddy-init ${status.applied ? `${status.applied} applied` : 'not applied'}; node ${t.node?.version ?? '-'}, tmux ${t.tmux?.version ?? '-'}, claude ${t.claude?.version ?? '-'}`);
}

export function statusCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs & AllArgs> {
  return {
    command: 'status',
    describe: 'One screen: service, supervisor, claude, pinned conversation, linger, versions (exit 1 when down)',
    builder: (y) => withAll(targetOptions(y)),
    handler: async (argv) => {
      const context = ctx();
      if (argv.all) return runFleet('status', argv, context);
      await withBuddy(argv, context, async (b) => {
        const status = await readStatus(b.target, b.layout, b.facts, channelPlugins(b.loaded.recipe), b.loaded.recipe.timezone ?? b.facts.timezone);
        if (context.out.json) context.out.printJson({ name: b.loaded.recipe.name, target: b.target.label, ...status });
        else printStatus(status, b, context.out);
        // Under --root nothing runs, so nothing is down: the files are the answer (unless there are none).
        if (!status.applied || (!status.up && !b.target.rebasedUnder)) context.exitCode = 1;
      });
    },
  };
}

export function restartCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs> {
  return {
    command: 'restart',
    describe: 'Restart the buddy (claude gets /exit, then resumes the same conversation)',
    builder: (y) => targetOptions(y),
    handler: async (argv) => {
      const context = ctx();
      await withBuddy(argv, context, async (b) => {
        if (b.target.rebasedUnder) {
          const domain = b.layout.init === 'launchd-daemon' ? 'system' : `gui/${b.facts.uid}`;
          return notRun(context.out, b.layout.init === 'systemd-user' ? ['systemctl', '--user', 'restart', b.layout.serviceName] : ['launchctl', 'kickstart', '-k', `${domain}/${b.layout.serviceName}`]);
        }
        const root = new RootRunner(b.target, b.facts, context.interactive ? () => promptSudoPassword(b.target.label) : undefined);
        if (b.layout.init === 'systemd-user') {
          await root.run({ argv: ['systemctl', '--user', 'restart', b.layout.serviceName], env: { XDG_RUNTIME_DIR: `/run/user/${b.facts.uid}` } });
        } else {
          const domain = b.layout.init === 'launchd-daemon' ? 'system' : `gui/${b.facts.uid}`;
          await root.run({ argv: [b.facts.tools.launchctl?.path ?? '/bin/launchctl', 'kickstart', '-k', `${domain}/${b.layout.serviceName}`], root: b.layout.init === 'launchd-daemon' && b.facts.uid !== 0 });
        }
        context.out.print(`Restarted ${b.layout.serviceName} on ${b.target.label}.`);
      });
    },
  };
}

export function logsCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs & { follow?: boolean; lines: number; audit?: boolean }> {
  return {
    command: 'logs',
    describe: "The supervisor's log (journal or launchd log file); --audit for the hook's decisions",
    builder: (y) =>
      targetOptions(y)
        .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep printing new lines' })
        .option('lines', { alias: 'n', type: 'number', default: 100, describe: 'how many lines to show first' })
        .option('audit', { type: 'boolean', default: false, describe: "the hook's audit log (one line per decision) instead" }) as never,
    handler: async (argv) => {
      const context = ctx();
      await withBuddy(argv, context, async (b) => {
        const n = String(argv.lines);
        const follow = argv.follow ? ['-f'] : [];
        if (argv.audit && !argv.follow) return printAudit(await b.target.read(b.layout.auditLog), argv.lines, context.out);
        // Files are read where the target has them (under --root, inside the tree); the journal is a service.
        const here = (path: string) => b.target.pathHere?.(path) ?? path;
        const argvFor = argv.audit
          ? ['tail', '-n', n, ...follow, here(b.layout.auditLog)]
          : b.layout.init === 'systemd-user'
            ? ['journalctl', '--user', '-u', b.layout.serviceName, '-n', n, '--no-pager', ...follow]
            : ['tail', '-n', n, ...follow, here(b.layout.logFile)];
        if (b.target.rebasedUnder && argvFor[0] === 'journalctl') return notRun(context.out, argvFor);
        const code = await b.target.runAttached(argvFor, { env: { XDG_RUNTIME_DIR: `/run/user/${b.facts.uid}` } });
        if (code !== 0) context.exitCode = 1;
      });
    },
  };
}

/**
 * The hook's decisions: a table a person reads (time, decision, command cut to the width, reason), or
 * the audit log's own JSON lines with --json. A buddy that has decided nothing yet says so.
 */
function printAudit(log: Buffer | undefined, lines: number, out: Output): void {
  const entries = (log?.toString('utf8') ?? '').split('\n').filter((l) => l.trim()).slice(-Math.max(0, lines));
  if (out.json) {
    for (const line of entries) out.printJsonLine(line);
    return;
  }
  if (!entries.length) {
    out.print('No hook decisions yet.');
    return;
  }
  const width = Math.max(60, process.stdout.columns || 120);
  for (const line of entries) {
    let e: { time?: string; decision?: string; command?: string; reason?: string };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      out.print(out.c.dim(`(not a decision: ${line.slice(0, width - 20)})`));
      continue;
    }
    const time = (e.time ?? '').replace('T', ' ').slice(0, 19);
    const decision = (e.decision ?? '?').padEnd(5);
    const shown = decision === 'deny ' ? out.c.red(decision) : decision === 'allow' ? out.c.green(decision) : decision;
    const command = (e.command ?? '').replace(/\s+/g, ' ');
    const room = Math.max(20, Math.floor((width - 28) / 2));
    out.print(`${time}  ${shown}  ${command.length > room ? `${command.slice(0, room - 1)}…` : command.padEnd(room)}  ${out.c.dim(e.reason ?? '')}`);
  }
}

export function attachCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs & { write?: boolean }> {
  return {
    command: 'attach',
    describe: "Watch claude's terminal, read-only (detach with Ctrl-b d); --write to type into it",
    builder: (y) => targetOptions(y).option('write', { type: 'boolean', default: false, describe: 'allow typing (takes claude out of channel mode until Enter)' }) as never,
    handler: async (argv) => {
      const context = ctx();
      // Checked and said before connecting: tmux takes the whole screen once attached.
      const rebased = argv.root !== undefined;
      if (!rebased && !process.stdin.isTTY) throw new InputError('attach needs a terminal');
      if (!rebased && argv.write) context.out.warn('typing into the pane switches claude to manual input: chat messages then wait in its input box until someone presses Enter');
      await withBuddy(argv, context, async (b) => {
        const tmux = ['tmux', '-L', b.layout.tmuxSocket, 'attach', ...(argv.write ? [] : ['-r']), '-t', `=${b.layout.session}`];
        if (b.target.rebasedUnder) return notRun(context.out, tmux);
        const code = await b.target.runAttached(tmux, { pty: true });
        if (code !== 0) context.exitCode = code;
      });
    },
  };
}
