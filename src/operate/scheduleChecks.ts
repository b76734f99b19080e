/**
 * Doctor's checks of scheduled work: what switches Claude Code's scheduler off, another session holding
 * the project's scheduler lock, a task the supervisor saw not fire, and the clock and timezone the
 * schedule's times are read in.
 */
import { posix } from 'node:path';
import semver from 'semver';
import type { Recipe } from '../recipe/index.js';
import type { Layout } from '../render/index.js';
import { cronSwitchedOff } from '../runtime/shared/cron.js';
import { getIn, isRecord, type Json } from '../runtime/shared/json.js';
import { CLAUDE_VERSIONS, readJson, type Facts, type Target } from '../target/index.js';
import type { Finding } from './finding.js';

/** Farther apart than this, the target's clock is off: its scheduled tasks fire by it. */
const CLOCK_SKEW_S = 60;

const ok = (id: string, title: string, detail: string): Finding => ({ id, ok: true, title, detail, fixable: false });

export interface ScheduleInputs {
  /** Each settings file that applies, with its `env` (Claude Code applies it to itself). */
  envs: Array<[string, Json | undefined]>;
  /** The environment the supervisor gives claude (the recipe's claude.env and TZ). */
  claudeEnv: Json | undefined;
  /** The supervisor's status file. */
  status: Json | undefined;
  /** This machine's clock (epoch seconds) and timezone, to compare with the target's. */
  now: number;
  localZone: string;
}

export async function scheduleFindings(target: Target, recipe: Recipe, layout: Layout, facts: Facts, inputs: ScheduleInputs): Promise<Finding[]> {
  const findings: Finding[] = [];
  const wanted = recipe.schedule.length > 0;

  const off = [...inputs.envs, [layout.supervisorConfig, inputs.claudeEnv] as [string, Json | undefined]]
    .filter(([, env]) => isRecord(env) && cronSwitchedOff(env as Record<string, string>))
    .map(([file]) => file);
  findings.push(
    off.length
      ? {
          id: 'cron-off',
          ok: false,
          ...(wanted ? {} : { warning: true }),
          title: 'scheduled tasks',
          detail: `CLAUDE_CODE_DISABLE_CRON is on in ${off.join(', ')}: no scheduled task fires (${wanted ? "the recipe's schedule included" : 'the agent cannot schedule any'})`,
          fix: `remove it from ${off[0]}${off[0] === layout.supervisorConfig ? ' (claude.env in the recipe), then buddy-init apply' : ''}`,
          fixable: false,
        }
      : ok('cron-off', 'scheduled tasks', 'nothing switches Claude Code\'s scheduler off'),
  );

  const version = facts.tools.claude?.version;
  if (version && semver.lt(version, CLAUDE_VERSIONS.oldestSupported)) {
    findings.push({
      id: 'cron-version',
      ok: false,
      ...(wanted ? {} : { warning: true }),
      title: 'scheduled tasks',
      detail: `Claude Code ${version}: scheduled tasks are proven here from ${CLAUDE_VERSIONS.oldestSupported} (2.1.71 to 2.1.73 had no /loop, and some versions kept the cron tools behind a feature flag that telemetry settings turn off)`,
      fix: 'update Claude Code (claude update, or npm install -g @anthropic-ai/claude-code)',
      fixable: false,
    });
  }

  // One session per project runs the durable tasks: the one holding .claude/scheduled_tasks.lock.
  const lockFile = posix.join(posix.dirname(layout.scheduledTasks), 'scheduled_tasks.lock');
  const lock = await readJson(target, lockFile);
  const pinned = getIn(inputs.status, ['sessionId']);
  const holder = getIn(lock, ['sessionId']);
  const pid = Number(getIn(lock, ['pid']));
  if (typeof holder === 'string' && typeof pinned === 'string' && holder !== pinned && pid > 0 && (await target.run(['kill', '-0', String(pid)])).code === 0) {
    findings.push({
      id: 'scheduler-lock',
      ok: false,
      title: 'scheduler lock',
      detail: `another Claude Code session (${holder}, pid ${pid}) in ${layout.trustKey} holds ${lockFile}: the buddy's claude runs no durable task (the recipe's schedule included) until it ends`,
      fix: `end that session (kill ${pid}), or run it in another folder`,
      fixable: false,
    });
  }

  const schedule = getIn(inputs.status, ['schedule']);
  for (const t of Array.isArray(schedule) ? schedule : []) {
    if (!isRecord(t) || typeof t.overdue !== 'string') continue;
    findings.push({
      id: `schedule-${String(t.id)}`,
      ok: false,
      title: 'scheduled task late',
      detail: `"${String(t.prompt)}" (${String(t.cron)}) was due ${t.overdue} and has not run while claude sat idle`,
      fix: 'see the scheduled tasks and scheduler lock checks above; a task the agent made under another login is skipped by Claude Code 2.1.332 (ask the agent to make it again); buddy-init logs says more',
      fixable: false,
    });
  }

  if (wanted || recipe.timezone) {
    const zone = recipe.timezone;
    if (zone && !(await target.stat(posix.join('/usr/share/zoneinfo', zone)))) {
      findings.push({ id: 'timezone', ok: false, warning: true, title: 'timezone', detail: `${zone} is not in /usr/share/zoneinfo on the target: claude may read the schedule in UTC`, fix: 'install the time zone data (Debian: sudo apt-get install tzdata)', fixable: false });
    } else if (!zone && facts.timezone && facts.timezone !== inputs.localZone) {
      findings.push({
        id: 'timezone',
        ok: false,
        warning: true,
        title: 'timezone',
        detail: `the schedule's times are read in the target's timezone, ${facts.timezone}; this machine is in ${inputs.localZone}`,
        fix: `set timezone: ${inputs.localZone} (or the one you mean) in the recipe, then buddy-init apply`,
        fixable: false,
      });
    } else findings.push(ok('timezone', 'timezone', `the schedule runs in ${zone ?? facts.timezone ?? 'the target\'s timezone'}`));
    const skew = facts.clock === undefined ? 0 : facts.clock - inputs.now;
    if (Math.abs(skew) > CLOCK_SKEW_S) {
      findings.push({ id: 'clock', ok: false, warning: true, title: 'clock', detail: `the target's clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine's: scheduled tasks fire by it`, fix: 'turn on time sync there (sudo timedatectl set-ntp true)', fixable: false });
    }
  }
  return findings;
}
