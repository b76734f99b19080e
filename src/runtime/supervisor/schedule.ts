/**
 * The buddy's scheduled tasks, as Claude Code keeps them, and whether each one fires when it should.
 *
 * Two kinds, both armed by Claude Code itself:
 *   - durable: `<workdir>/.claude/scheduled_tasks.json` (the recipe's schedule, and CronCreate with
 *     durable: true). Claude Code watches the file, fires the tasks in whichever session holds the
 *     project's scheduler lock (the buddy's claude) and writes each recurring task's lastFiredAt back;
 *   - session-only: CronCreate's default. Kept in claude's memory; `--resume` re-arms the unexpired ones
 *     from the transcript (so a restart in the pinned conversation keeps them, a new conversation loses them).
 * This reads both (the file each look, the transcript incrementally: the CronCreate and CronDelete calls
 * and their results, and the `scheduled_task_fire` marks), computes each task's next fire as Claude Code
 * does (shared/cron.ts), and reports a recurring task that is overdue while claude sits idle: after a
 * restart, a switched-off scheduler, a lock held by another session, a task Claude Code refuses to run.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { nextFire } from '../shared/cron.js';
import type { OwnerAlerts } from './owner.js';

/** How long claude must have been idle (not mid-turn) for a late task to count: it fires only between turns. */
const IDLE_MS = 60_000;
/** A recurring task ends this long after it is made unless it says otherwise (maxAgeMs) or is marked permanent. */
const MAX_AGE_MS = 7 * 24 * 3_600_000;

interface ScheduledTask {
  id: string;
  cron: string;
  prompt: string;
  kind: 'durable' | 'session';
  recurring: boolean;
  createdAt: number;
  lastFiredAt?: number;
  maxAgeMs?: number;
  permanent?: boolean;
}

/** A task as status shows it. */
export interface ScheduleEntry {
  id: string;
  cron: string;
  prompt: string;
  kind: 'durable' | 'session';
  recurring: boolean;
  nextFire?: string;
  lastFire?: string;
  /** When it was due, if it is overdue. */
  overdue?: string;
}

/** When a recurring task that is not permanent ages out. */
const ageEnd = (task: ScheduledTask) => task.createdAt + (task.maxAgeMs ?? MAX_AGE_MS);

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 5);
const short = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

/** The durable tasks in Claude Code's file (what it would accept of them). */
function durableTasks(file: string): ScheduledTask[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseDurableTasks(text);
}

/** The durable tasks in the text of Claude Code's file (what it would accept of them). */
function parseDurableTasks(text: string): ScheduledTask[] {
  let doc: { tasks?: unknown };
  try {
    doc = JSON.parse(text) as { tasks?: unknown };
  } catch {
    return [];
  }
  if (!Array.isArray(doc?.tasks)) return [];
  return doc.tasks.flatMap((t: Record<string, unknown>) =>
    t && typeof t.id === 'string' && typeof t.cron === 'string' && typeof t.prompt === 'string' && typeof t.createdAt === 'number'
      ? [
          {
            id: t.id,
            cron: t.cron,
            prompt: t.prompt,
            kind: 'durable' as const,
            recurring: Boolean(t.recurring),
            createdAt: t.createdAt,
            permanent: t.permanent === true,
            ...(typeof t.lastFiredAt === 'number' ? { lastFiredAt: t.lastFiredAt } : {}),
            ...(typeof t.maxAgeMs === 'number' ? { maxAgeMs: t.maxAgeMs } : {}),
          },
        ]
      : [],
  );
}

/**
 * Past its age, a recurring durable task that is not permanent runs a last time and Claude Code drops
 * it. Its deletion from the file can be lost (2.1.332 writing another task's lastFiredAt from the same
 * moment put it back, seen in CI), so a task that has had that last run is over whatever the file says.
 */
const retired = (task: ScheduledTask, lastFire: number | undefined) => task.recurring && !task.permanent && (lastFire ?? 0) >= ageEnd(task);

/**
 * The durable tasks of Claude Code's file as they can be told without a supervisor: each next fire from
 * the file's own lastFiredAt, computed in this process's TZ (give it the buddy's). What only a running
 * supervisor knows (fires seen in the transcript, the conversation's session-only tasks, lateness) is
 * not here.
 */
export function scheduleFromFile(text: string): ScheduleEntry[] {
  return parseDurableTasks(text)
    .filter((t) => !retired(t, t.lastFiredAt))
    .map((t) => entryOf(t, t.lastFiredAt));
}

/**
 * When the task should fire next: as Claude Code computes it from its last fire, but never before
 * `since`, the current claude's start (a task missed while claude was down fires at its start, or at
 * its next time).
 */
function nextDue(task: ScheduledTask, lastFire: number | undefined, since = 0): number | undefined {
  return nextFire({ id: task.id, cron: task.cron, createdAt: Math.max(lastFire ?? task.createdAt, since), recurring: task.recurring });
}

/** A task as status shows it: what the supervisor knows (its fires, claude's start, lateness) or the file alone. */
function entryOf(task: ScheduledTask, lastFire: number | undefined, since = 0, overdue?: number): ScheduleEntry {
  const due = nextDue(task, lastFire, since);
  return {
    id: task.id,
    cron: task.cron,
    prompt: task.prompt,
    kind: task.kind,
    recurring: task.recurring,
    ...(due !== undefined ? { nextFire: iso(due) } : {}),
    ...(lastFire !== undefined ? { lastFire: iso(lastFire) } : {}),
    ...(overdue !== undefined ? { overdue: iso(overdue) } : {}),
  };
}

/** Reads a growing JSON-lines file from where it left off. */
class TranscriptTail {
  private path?: string;
  private offset = 0;
  private rest = '';

  /** New complete lines since the last read; `reset` is true when the file is another one than before. */
  read(path: string): { lines: string[]; reset: boolean } {
    const reset = path !== this.path;
    if (reset) [this.path, this.offset, this.rest] = [path, 0, ''];
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return { lines: [], reset };
    }
    if (size < this.offset) [this.offset, this.rest] = [0, '']; // rewritten from the start
    if (size === this.offset) return { lines: [], reset };
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const parts = (this.rest + buffer.toString('utf8')).split('\n');
    this.rest = parts.pop() ?? '';
    return { lines: parts, reset };
  }
}

interface TranscriptEntry {
  type?: string;
  subtype?: string;
  isMeta?: boolean;
  timestamp?: string;
  taskId?: string;
  prompt?: string;
  toolUseResult?: Record<string, unknown>;
  message?: { content?: unknown };
}

export class ScheduleWatch {
  private readonly tail = new TranscriptTail();
  private readonly session = new Map<string, ScheduledTask>();
  /** Tool calls seen in the transcript, by tool_use id, until their results come. */
  private readonly calls = new Map<string, { name: string; input: Record<string, unknown> }>();
  /** Last fire of each task seen in the transcript. */
  private readonly fired = new Map<string, number>();
  /** 2.1.197 marks a fire without saying which task: the prompt that follows says it. */
  private fireWithoutId?: number;
  private durable: ScheduledTask[] = [];
  private readonly overdue = new Map<string, number>();
  private lastBusyAt = 0;
  private startedAt = 0;

  constructor(
    private readonly name: string,
    private readonly tasksFile: string,
    private readonly alerts: OwnerAlerts,
    private readonly log: (message: string) => void,
    /** Past its due time by this much while claude is idle, a recurring task is overdue. */
    private readonly graceMs = 2 * 60_000,
  ) {}

  /** A claude (re)start: session-only tasks are re-armed by --resume, and nothing was due before it. */
  claudeStarted(at: number): void {
    this.startedAt = at;
  }

  get entries(): ScheduleEntry[] {
    return this.tasks().map((t) => entryOf(t, this.lastFire(t), this.startedAt, this.overdue.get(t.id)));
  }

  /** One look: the file, what the transcript gained, then which recurring task is late. */
  async look(transcript: string | undefined, busy: boolean, now = Date.now()): Promise<void> {
    if (busy) this.lastBusyAt = now;
    this.durable = durableTasks(this.tasksFile);
    const lost = transcript ? this.readTranscript(transcript) : [];
    if (lost.length) {
      await this.alerts.tell(
        'schedule:lost',
        `${this.name}: a new conversation started, and ${lost.length} scheduled task(s) made in chat for the old one went with it (${lost.map((t) => `"${short(t.prompt)}"`).join(', ')}). Ask for them again, or put them in the recipe's schedule.`,
      );
    }
    // Past its age a session-only task is not re-armed by --resume: whether it had its last run or not.
    for (const [id, task] of this.session) if (task.recurring && now >= ageEnd(task)) this.session.delete(id);
    const live = new Set<string>();
    for (const task of this.tasks()) {
      live.add(task.id);
      if (!task.recurring) continue;
      const due = this.due(task);
      const reported = this.overdue.get(task.id);
      if (reported !== undefined && (this.lastFire(task) ?? 0) > reported) {
        this.overdue.delete(task.id);
        this.log(`scheduled task ${task.id} ran at ${clock(this.lastFire(task)!)}, ${Math.round(((this.lastFire(task) ?? now) - reported) / 60_000)} min after it was due`);
      }
      if (due === undefined || reported !== undefined || now - due < this.graceMs || now - this.lastBusyAt < IDLE_MS) continue;
      this.overdue.set(task.id, due);
      const after = this.startedAt > (this.lastFire(task) ?? task.createdAt) ? ` (claude restarted at ${clock(this.startedAt)})` : '';
      this.log(`scheduled task ${task.id} (${task.cron}) is overdue: due ${clock(due)}${after}, claude idle`);
      await this.alerts.tell(
        `schedule:${task.id}`,
        `${this.name}: the scheduled task "${short(task.prompt)}" (${task.cron}) did not run at ${clock(due)}${after}. \`buddy-init doctor\` says why.`,
      );
    }
    for (const id of this.overdue.keys()) if (!live.has(id)) this.overdue.delete(id);
  }

  private tasks(): ScheduledTask[] {
    const live = this.durable.filter((t) => !retired(t, this.lastFire(t)));
    return [...live, ...[...this.session.values()].filter((t) => !this.durable.some((d) => d.id === t.id))];
  }

  private lastFire(task: ScheduledTask): number | undefined {
    const seen = this.fired.get(task.id);
    return task.lastFiredAt === undefined ? seen : seen === undefined ? task.lastFiredAt : Math.max(seen, task.lastFiredAt);
  }

  private due(task: ScheduledTask): number | undefined {
    return nextDue(task, this.lastFire(task), this.startedAt);
  }

  /** A fire; a session-only one-shot task is done with it. */
  private noteFire(id: string, at: number): void {
    this.fired.set(id, at);
    if (this.session.get(id)?.recurring === false) this.session.delete(id);
  }

  /** Reads what the transcript gained; returns the session-only tasks lost when it is another conversation's. */
  private readTranscript(path: string): ScheduledTask[] {
    const { lines, reset } = this.tail.read(path);
    const lost = reset ? [...this.session.values()] : [];
    if (reset) {
      if (lost.length) this.log(`the conversation changed: its ${lost.length} session-only scheduled task(s) are gone with it`);
      this.session.clear();
      this.calls.clear();
      this.fired.clear();
    }
    for (const line of lines) {
      let entry: TranscriptEntry;
      try {
        entry = JSON.parse(line) as TranscriptEntry;
      } catch {
        continue;
      }
      this.readEntry(entry);
    }
    return lost;
  }

  private readEntry(entry: TranscriptEntry): void {
    const at = entry.timestamp ? Date.parse(entry.timestamp) : Date.now();
    const content = Array.isArray(entry.message?.content) ? (entry.message.content as Array<Record<string, unknown>>) : [];
    if (entry.type === 'system' && entry.subtype === 'scheduled_task_fire') {
      if (entry.taskId) this.noteFire(entry.taskId, at);
      else this.fireWithoutId = at;
      return;
    }
    if (entry.type === 'assistant') {
      for (const block of content) {
        if (block.type === 'tool_use' && (block.name === 'CronCreate' || block.name === 'CronDelete')) {
          this.calls.set(String(block.id), { name: String(block.name), input: (block.input ?? {}) as Record<string, unknown> });
        }
      }
      return;
    }
    if (entry.type !== 'user') return;
    if (this.fireWithoutId !== undefined && entry.isMeta && typeof entry.message?.content === 'string') {
      const prompt = entry.message.content;
      const task = [...this.durable, ...this.session.values()].find((t) => t.prompt === prompt);
      if (task) this.noteFire(task.id, this.fireWithoutId);
      this.fireWithoutId = undefined;
    }
    for (const block of content) {
      if (block.type !== 'tool_result') continue;
      const call = this.calls.get(String(block.tool_use_id));
      if (!call) continue;
      this.calls.delete(String(block.tool_use_id));
      if (block.is_error) continue;
      const result = entry.toolUseResult ?? {};
      if (call.name === 'CronDelete') {
        this.session.delete(String(call.input.id));
        continue;
      }
      const { cron, prompt } = call.input;
      if (typeof result.id !== 'string' || result.durable === true || typeof cron !== 'string' || typeof prompt !== 'string') continue;
      this.session.set(result.id, {
        id: result.id,
        cron,
        prompt,
        kind: 'session',
        recurring: result.recurring !== false,
        createdAt: at,
        // 2.1.332 says how long it lives (30 days); 2.1.197 does not (7 days).
        ...(typeof result.maxAgeMs === 'number' && result.maxAgeMs > 0 ? { maxAgeMs: result.maxAgeMs } : {}),
      });
    }
  }
}
