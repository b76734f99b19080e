/**
 * Claude alive but stuck on a screen (screens.ts): the supervisor looks at the pane at each check and
 *   - restarts claude in the same conversation for a dialog the flags in ~/.claude.json should have
 *     prevented (the flags are re-asserted before every start), or presses Enter where that is all it
 *     waits for, at most twice in ten minutes, then reports;
 *   - reports what needs the owner (credentials refused) once per incident, and does not restart in a loop;
 *   - for the usage limit, reports once with the reset time the screen shows, and if claude is still on
 *     that screen five minutes after it, restarts it (Claude Code means to continue by itself);
 *   - waits out what claude retries by itself (rate limit, overload, network), reporting it if it lasts;
 *   - tells the owner of a question for a person (allow this tool call, this host) nobody answered in ten
 *     minutes, with what it waits on.
 */
import type { OwnerAlerts } from './owner.js';
import { stuckOn, type Screen, type Stuck } from './screens.js';

const RESTARTS_PER_WINDOW = 2;
const RESTART_WINDOW_MS = 10 * 60_000;
/** A state claude retries by itself is said to the owner when it lasts this long. */
const WAIT_REPORT_MS = 10 * 60_000;
const AFTER_RESET_MS = 5 * 60_000;

export interface StuckState {
  id: string;
  meaning: string;
  since: string;
  resets?: string;
  about?: string;
}

/**
 * The next time a screen's "5:02am" or "5:02am (UTC)" comes, as epoch ms: in UTC when it says so,
 * else in this process's time zone (claude's, since they share the environment).
 */
export function nextClock(text: string, now = new Date()): number | undefined {
  const m = /^(\d{1,2})(?::(\d\d))?\s*(am|pm)?/i.exec(text.trim());
  if (!m) return undefined;
  let hour = Number(m[1]) % 12;
  if (!m[3]) hour = Number(m[1]);
  else if (m[3].toLowerCase() === 'pm') hour += 12;
  const minute = Number(m[2] ?? 0);
  const at = new Date(now);
  if (/\(UTC\)/.test(text)) at.setUTCHours(hour, minute, 0, 0);
  else at.setHours(hour, minute, 0, 0);
  if (at.getTime() <= now.getTime()) at.setTime(at.getTime() + 86_400_000);
  return at.getTime();
}

export class StuckWatch {
  private current?: { stuck: Stuck; since: number; reported: boolean; retryAt?: number };
  /** When a restart or an Enter was last tried (bounded per window). */
  private tries: number[] = [];

  constructor(
    private readonly name: string,
    private readonly alerts: OwnerAlerts,
    private readonly hooks: { restartClaude(reason: string): Promise<void>; pressEnter(): Promise<void>; log(message: string): void },
    /** How long a question for a person may go unanswered before the owner is told. */
    private readonly promptWaitMs: number,
  ) {}

  get state(): StuckState | undefined {
    const c = this.current;
    return c && { id: c.stuck.screen.id, meaning: c.stuck.screen.meaning, since: new Date(c.since).toISOString(), ...(c.stuck.resets ? { resets: c.stuck.resets } : {}), ...(c.stuck.about ? { about: c.stuck.about } : {}) };
  }

  async look(pane: string): Promise<void> {
    const stuck = stuckOn(pane);
    const now = Date.now();
    if (!stuck) {
      if (this.current) this.hooks.log(`claude is no longer stuck (${this.current.stuck.screen.meaning}, for ${Math.round((now - this.current.since) / 1000)}s)`);
      this.current = undefined;
      return;
    }
    if (this.current?.stuck.screen.id !== stuck.screen.id || this.current.stuck.about !== stuck.about) {
      this.current = { stuck, since: now, reported: false };
      this.hooks.log(`claude is stuck: ${stuck.screen.meaning}${stuck.resets ? ` (resets ${stuck.resets})` : ''}`);
    }
    const c = this.current;
    const { screen } = stuck;
    if (screen.heal === 'restart' || screen.heal === 'enter') return this.unstick(c, now);
    if (screen.heal === 'wait') {
      if (!c.reported && now - c.since >= (screen.asksPerson ? this.promptWaitMs : (screen.reportAfterMs ?? WAIT_REPORT_MS))) {
        await this.report(c, screen.fix ? this.needsYou(screen, stuck.about) : `${this.name}: ${screen.meaning}, for ${Math.round((now - c.since) / 60_000)} minutes now.`);
      }
      return;
    }
    if (!c.reported) {
      if (screen.id === 'usage-limit') {
        const reset = stuck.resets ? nextClock(stuck.resets) : undefined;
        if (reset) c.retryAt = reset + AFTER_RESET_MS;
        await this.report(c, `${this.name}: ${screen.meaning}${stuck.resets ? ` (resets ${stuck.resets})` : ''}.`);
      } else {
        await this.report(c, this.needsYou(screen));
      }
      return;
    }
    if (c.retryAt && now >= c.retryAt) {
      c.retryAt = undefined;
      await this.hooks.restartClaude(`claude is still at the usage limit screen five minutes after its reset time (${stuck.resets})`);
    }
  }

  private needsYou(screen: Screen, about?: string): string {
    return `${this.name} needs you: ${screen.meaning}${about ? ` (${about})` : ''}.${screen.fix ? ` ${screen.fix}` : ''}`;
  }

  private async report(c: NonNullable<StuckWatch['current']>, text: string): Promise<void> {
    c.reported = true;
    await this.alerts.tell(`stuck:${c.stuck.screen.incident ?? c.stuck.screen.id}`, text);
  }

  /** A restart (or Enter), at most twice in ten minutes; then the owner is told. */
  private async unstick(c: NonNullable<StuckWatch['current']>, now: number): Promise<void> {
    const what = c.stuck.screen.heal === 'enter' ? 'pressing Enter' : 'restarting claude';
    this.tries = this.tries.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.tries.length >= RESTARTS_PER_WINDOW) {
      if (!c.reported) await this.report(c, `${this.name} needs you: ${c.stuck.screen.meaning}, and ${what} did not clear it. \`buddy-init doctor\` on your laptop says why.`);
      return;
    }
    this.tries.push(now);
    if (c.stuck.screen.heal === 'enter') {
      this.hooks.log(`claude is stuck: ${c.stuck.screen.meaning}; pressing Enter`);
      await this.hooks.pressEnter();
    } else await this.hooks.restartClaude(`claude is stuck: ${c.stuck.screen.meaning}`);
  }
}
