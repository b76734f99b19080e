/**
 * Every command buddy-init runs on a target ends: its input is closed, and past its time limit it is
 * stopped (TERM, then KILL) and the run fails with an error that names the command, the host and what it
 * printed. A `claude` stuck on a prompt or a network read must not keep an apply (and its lock) forever.
 */
import { InputError, OperationError } from '../errors.js';

/** Seconds: most commands (systemctl, launchctl, probes) end in well under one; installs download. */
export const TIME_LIMITS = { command: 120, install: 900 } as const;
export type TimeLimitKind = keyof typeof TIME_LIMITS;

/** Seconds between TERM and KILL for a command past its limit. */
export const KILL_GRACE_SECONDS = 2;

/** Overrides every limit (for a slow link, or a test); seconds, a positive number. */
export const TIME_LIMIT_VARIABLE = 'BUDDY_INIT_COMMAND_TIMEOUT';

export function timeLimitSeconds(kind: TimeLimitKind = 'command'): number {
  const set = process.env[TIME_LIMIT_VARIABLE];
  if (set === undefined || set === '') return TIME_LIMITS[kind];
  const seconds = Number(set);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InputError(`${TIME_LIMIT_VARIABLE}=${set}: give the seconds a command may run, e.g. ${TIME_LIMIT_VARIABLE}=300`);
  return seconds;
}

/** The error for a command stopped at its limit: which, where, after how long, and its last words. */
export function ranOutOfTime(argv: string[], label: string, seconds: number, output: string): OperationError {
  const lines = output.trim().split('\n').filter(Boolean).slice(-5).join(' | ');
  const said = lines ? `what it printed: ${lines.length > 400 ? `…${lines.slice(-400)}` : lines}` : 'it printed nothing';
  return new OperationError(
    `\`${argv.join(' ')}\` on ${label} was still running after ${seconds} s, with its input closed, and was stopped ` +
      `(on a slow network, raise the limit: ${TIME_LIMIT_VARIABLE}=<seconds>); ${said}`,
  );
}
