/**
 * Claude Code's scheduled tasks, as Claude Code itself computes them (read from 2.1.197 and 2.1.332, the
 * same in both): the 5-field cron dialect it accepts, the `every` intervals `/loop` turns into cron, and
 * when a task fires next, jitter included. The recipe checks its `schedule` with it; the supervisor
 * (on the target, in the buddy's timezone) says when each task is due and notices one that did not fire.
 *
 * The dialect: `*`, `*\/n`, `a-b`, `a-b/n`, `n` and comma lists; no names, no `L`/`W`/`?`; day of week 0-7
 * (7 is Sunday); when both day of month and day of week are restricted a day matching either counts
 * (vixie cron). Times are local to the claude process (its TZ).
 */

import { posix } from 'node:path';

/** Where Claude Code keeps a project's durable scheduled tasks (at its root: the git root for a workdir in a repository). */
export const scheduledTasksFile = (projectRoot: string) => posix.join(projectRoot, '.claude', 'scheduled_tasks.json');

interface CronFields {
  minute: number[];
  hour: number[];
  dayOfMonth: number[];
  month: number[];
  dayOfWeek: number[];
}

const FIELDS: Array<{ name: keyof CronFields; min: number; max: number }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dayOfMonth', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'dayOfWeek', min: 0, max: 6 },
];

/** The values one field allows, or why Claude Code would refuse it. */
function parseField(text: string, { name, min, max }: (typeof FIELDS)[number]): number[] | string {
  const values = new Set<number>();
  const weekday = name === 'dayOfWeek';
  for (const part of text.split(',')) {
    const star = /^\*(?:\/(\d+))?$/.exec(part);
    if (star) {
      const step = star[1] ? Number(star[1]) : 1;
      if (step < 1) return `${name} step must be at least 1`;
      for (let v = min; v <= max; v += step) values.add(v);
      continue;
    }
    const range = /^(\d+)-(\d+)(?:\/(\d+))?$/.exec(part);
    if (range) {
      const [from, to, step] = [Number(range[1]), Number(range[2]), range[3] ? Number(range[3]) : 1];
      const top = weekday ? 7 : max;
      if (from > to || step < 1 || from < min || to > top) return `${name} range ${part} is outside ${min}-${top} or backwards`;
      for (let v = from; v <= to; v += step) values.add(weekday && v === 7 ? 0 : v);
      continue;
    }
    if (/^\d+$/.test(part)) {
      let v = Number(part);
      if (weekday && v === 7) v = 0;
      if (v < min || v > max) return `${name} ${part} is outside ${min}-${max}`;
      values.add(v);
      continue;
    }
    return `${name} "${part}" is not a number, a range, a step or *`;
  }
  return [...values].sort((a, b) => a - b);
}

/** Why Claude Code would not accept this cron expression, or undefined. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `needs 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  const out = {} as CronFields;
  for (let i = 0; i < 5; i++) {
    const r = parseField(fields[i]!, FIELDS[i]!);
    if (typeof r === 'string') return r;
    out[FIELDS[i]!.name] = r;
  }
  // Claude Code refuses what it cannot place (e.g. 0 0 31 2 *), searching as far as nextMatch does.
  if (nextMatch(out, Date.now()) === undefined) return 'matches no date in the next year';
  return undefined;
}

function parseCron(expr: string): CronFields | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const out = {} as CronFields;
  for (let i = 0; i < 5; i++) {
    const r = parseField(fields[i]!, FIELDS[i]!);
    if (typeof r === 'string') return undefined;
    out[FIELDS[i]!.name] = r;
  }
  return out;
}

/**
 * An interval as `/loop` and CronCreate's callers write it (`30m`, `2h`, `1d`) -> the cron Claude Code
 * makes of it. As Claude Code does, `*\/n` restarts each hour (or day of the month): `45m` fires at :00
 * and :45.
 */
export function everyToCron(every: string): { cron: string } | { error: string } {
  const m = /^(\d+)\s*([smhd])$/i.exec(every.trim());
  if (!m) return { error: 'must be an interval such as 30m, 2h or 1d' };
  const n = Number(m[1]);
  if (n < 1) return { error: 'interval must be at least 1' };
  switch (m[2]!.toLowerCase()) {
    case 's':
      return { error: 'the shortest interval is 1 minute' };
    case 'm':
      return n > 59 ? { error: longMinutes(n) } : { cron: n === 1 ? '* * * * *' : `*/${n} * * * *` };
    case 'h':
      return n > 23 ? { error: 'hours must be 1-23 (use days)' } : { cron: n === 1 ? '0 * * * *' : `0 */${n} * * *` };
    default:
      return n === 1 ? { cron: '0 0 * * *' } : n > 28 ? { error: 'days must be 1-28 (use a cron expression)' } : { cron: `0 0 */${n} * *` };
  }
}

/**
 * Why `Nm` past an hour is not taken, and how to write it: cron's minute steps restart each hour, so no
 * single expression repeats every 90 minutes (Claude Code's /loop rounds such an interval to a clean one
 * and says so; a recipe says it here instead of running something else).
 */
function longMinutes(n: number): string {
  if (n % 60 === 0) return `write ${n}m as ${n / 60}h`;
  const [down, up] = [Math.floor(n / 60), Math.ceil(n / 60)];
  return `${n}m cannot be one cron expression (minute steps restart each hour); write every: ${down > 0 ? `${down}h or ` : ''}${up}h, or a cron with the times you want`;
}

/**
 * A step no wider than its field, which cron accepts but which means less than it says: `*\/90` in the
 * minute field is minute 0 alone (hourly). Claude Code takes it silently; the recipe refuses it.
 */
const CYCLES = ['hour', 'day', 'month', 'year', 'week'];
export function cronSurprise(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  for (let i = 0; i < Math.min(fields.length, FIELDS.length); i++) {
    const { name, min, max } = FIELDS[i]!;
    for (const part of fields[i]!.split(',')) {
      const step = /^(?:\*|\d+-\d+)\/(\d+)$/.exec(part);
      if (step && Number(step[1]) > max - min) return `${part} in the ${name} field means its first value alone (a step restarts at each ${CYCLES[i]}), not every ${step[1]}; write the times you want`;
    }
  }
  return undefined;
}

const MINUTE = 60_000;
/** A year of minutes: Claude Code gives up after this many, and so do we. */
const SEARCH_LIMIT = 527_040;

/** The first minute strictly after `after` that the expression matches (local time), or undefined. */
function nextMatch(fields: CronFields, after: number): number | undefined {
  const [minutes, hours, days, months, weekdays] = [fields.minute, fields.hour, fields.dayOfMonth, fields.month, fields.dayOfWeek].map((v) => new Set(v)) as Set<number>[];
  const anyDay = fields.dayOfMonth.length === 31;
  const anyWeekday = fields.dayOfWeek.length === 7;
  const dayMatches = (d: Date) =>
    anyDay && anyWeekday ? true : anyDay ? weekdays!.has(d.getDay()) : anyWeekday ? days!.has(d.getDate()) : days!.has(d.getDate()) || weekdays!.has(d.getDay());
  const d = new Date(Math.floor(after / MINUTE) * MINUTE + MINUTE);
  for (let i = 0; i < SEARCH_LIMIT; i++) {
    if (!months!.has(d.getMonth() + 1)) {
      d.setMonth(d.getMonth() + 1, 1);
      d.setHours(0, 0, 0, 0);
    } else if (!dayMatches(d)) {
      d.setDate(d.getDate() + 1);
      d.setHours(0, 0, 0, 0);
    } else if (!hours!.has(d.getHours())) d.setHours(d.getHours() + 1, 0, 0, 0);
    else if (!minutes!.has(d.getMinutes())) d.setMinutes(d.getMinutes() + 1);
    else return d.getTime();
  }
  return undefined;
}

/** The offsets Claude Code adds so that tasks do not all fire at :00 (its defaults; a server may tune them). */
const JITTER = { recurringFrac: 0.5, recurringCapMs: 30 * MINUTE, cacheLeadMs: 15_000, oneShotMaxMs: 90_000 };
const FIVE_MINUTES = 5 * MINUTE;

/** Each task's fixed share of the jitter, from its id (8 hex digits). */
const jitterShare = (id: string) => {
  const n = parseInt(id.slice(0, 8), 16) / 2 ** 32;
  return Number.isFinite(n) ? n : 0;
};

interface TaskTimes {
  id: string;
  cron: string;
  createdAt: number;
  lastFiredAt?: number;
  /** Default true; a one-shot task fires once, at its next match. */
  recurring?: boolean;
}

/**
 * When Claude Code fires a task next. Recurring: the next match after its last fire (or its creation),
 * late by its share of half the period (at most 30 minutes); a `*\/5`-like task 15 s early instead, to
 * keep the prompt cache warm. A task whose time passed while claude was down fires at once. One-shot:
 * its match, up to 90 s early when that falls on :00 or :30.
 */
export function nextFire(task: TaskTimes): number | undefined {
  const fields = parseCron(task.cron);
  if (!fields) return undefined;
  const base = task.lastFiredAt ?? task.createdAt;
  const first = nextMatch(fields, base);
  if (first === undefined) return undefined;
  if (task.recurring === false) {
    return new Date(first).getMinutes() % 30 !== 0 ? first : Math.max(first - jitterShare(task.id) * JITTER.oneShotMaxMs, base);
  }
  const second = nextMatch(fields, first);
  if (second === undefined) return first;
  const period = second - first;
  if (/^\*\/\d+ \* \* \* \*$/.test(task.cron) && JITTER.cacheLeadMs < period && period >= FIVE_MINUTES && period - JITTER.cacheLeadMs < FIVE_MINUTES) {
    return base + period - JITTER.cacheLeadMs;
  }
  return first + Math.min(jitterShare(task.id) * JITTER.recurringFrac * period, JITTER.recurringCapMs);
}

/** Claude Code reads a switch variable as on for 1, true, yes or on (any case). */
const envOn = (value: string | undefined) => value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());

/** CLAUDE_CODE_DISABLE_CRON as Claude Code reads it: no scheduled task fires, none can be made. */
export const cronSwitchedOff = (env: Record<string, string | undefined>) => envOn(env.CLAUDE_CODE_DISABLE_CRON);
