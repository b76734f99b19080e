// Issue 20: the supervisor's view of Claude Code's scheduled tasks, read from real transcripts (captured from
// Claude Code 2.1.197 and 2.1.332: a session-only task made with CronCreate, fired once, deleted with
// CronDelete; the API-request records Claude Code also writes are left out of the fixtures) and a
// durable task file as Claude Code writes it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextFire } from '../../src/runtime/shared/cron.js';
import { OwnerAlerts } from '../../src/runtime/supervisor/owner.js';
import { ScheduleWatch } from '../../src/runtime/supervisor/schedule.js';
import { FIXTURES, tempDir } from '../helpers.js';

interface Line {
  type?: string;
  subtype?: string;
  timestamp?: string;
  toolUseResult?: { id?: string };
}

function watch(dir = tempDir()) {
  const log: string[] = [];
  const w = new ScheduleWatch('jarvis', join(dir, 'scheduled_tasks.json'), new OwnerAlerts([], (m) => log.push(m), {}), (m) => log.push(m));
  return { w, log, tasksFile: join(dir, 'scheduled_tasks.json'), transcript: join(dir, 'conversation.jsonl') };
}

describe.each(['2.1.197', '2.1.332'])('session-only tasks in a Claude Code %s transcript', (version) => {
  const lines = readFileSync(join(FIXTURES, 'claude-code', version, 'scheduled-task.jsonl'), 'utf8').trim().split('\n');
  const parsed = lines.map((l) => JSON.parse(l) as Line);
  const upTo = (pred: (e: Line) => boolean) => lines.slice(0, parsed.findIndex(pred) + 1).join('\n') + '\n';

  it('made: listed with the next fire Claude Code gives it; fired: its last fire; deleted: gone', async () => {
    const { w, transcript } = watch();
    const made = parsed.find((e) => e.toolUseResult?.id)!;
    const id = made.toolUseResult!.id!;
    const createdAt = Date.parse(made.timestamp!);
    writeFileSync(transcript, upTo((e) => e === made));
    await w.look(transcript, false, createdAt + 1000);
    expect(w.entries).toEqual([{ id, cron: '* * * * *', prompt: 'SCHEDULED PING from the session', kind: 'session', recurring: true, nextFire: new Date(nextFire({ id, cron: '* * * * *', createdAt })!).toISOString() }]);

    // Claude Code fired it when this reading says it would (its scheduler looks once a second).
    const fire = parsed.find((e) => e.subtype === 'scheduled_task_fire')!;
    expect(Math.abs(Date.parse(fire.timestamp!) - nextFire({ id, cron: '* * * * *', createdAt })!)).toBeLessThan(1_500);
    // 2.1.197 marks a fire without the task's id: the prompt that follows names it. Read in two parts, as a growing file is.
    writeFileSync(transcript, upTo((e) => e.type === 'user' && (e as { message?: { content?: unknown } }).message?.content === 'SCHEDULED PING from the session'));
    await w.look(transcript, false, Date.parse(fire.timestamp!) + 1000);
    expect(w.entries[0]!.lastFire).toBe(fire.timestamp);

    writeFileSync(transcript, lines.join('\n') + '\n');
    await w.look(transcript, false);
    expect(w.entries).toEqual([]);
  });

  it('another conversation (the pin replaced) loses them, and says so', async () => {
    const { w, log, transcript } = watch();
    const made = parsed.find((e) => e.toolUseResult?.id)!;
    writeFileSync(transcript, upTo((e) => e === made));
    await w.look(transcript, false);
    expect(w.entries).toHaveLength(1);
    writeFileSync(`${transcript}.new`, '');
    await w.look(`${transcript}.new`, false);
    expect(w.entries).toEqual([]);
    expect(log).toContain('the conversation changed: its 1 session-only scheduled task(s) are gone with it');
    // The owner is told (here through no chat: the journal line is the record).
    expect(log.some((l) => l.includes('jarvis: a new conversation started, and 1 scheduled task(s) made in chat for the old one went with it ("SCHEDULED PING from the session")'))).toBe(true);
  });
});

describe('a durable task that does not fire', () => {
  const HOUR = 3_600_000;
  const task = { id: '00000000', cron: '0 * * * *', prompt: 'Check the inbox', createdAt: Date.parse('2026-12-01T00:00:00Z'), recurring: true, permanent: true };

  it('is reported once when it is two minutes late and claude is idle, and cleared when it runs', async () => {
    const { w, log, tasksFile } = watch();
    const start = Date.parse('2026-12-03T10:30:00Z');
    writeFileSync(tasksFile, JSON.stringify({ tasks: [{ ...task, lastFiredAt: start - HOUR }] }));
    w.claudeStarted(start);
    const due = Date.parse('2026-12-03T11:00:00Z'); // jitter share 0 (id 00000000)
    await w.look(undefined, false, due + 60_000);
    expect(w.entries[0]).toMatchObject({ kind: 'durable', nextFire: new Date(due).toISOString() });
    expect(log).toEqual([]);
    // Mid-turn: claude fires only between turns, so a late task is not judged yet.
    await w.look(undefined, true, due + 3 * 60_000);
    expect(log).toEqual([]);
    await w.look(undefined, false, due + 4 * 60_000 + 1);
    expect(log.filter((l) => /overdue/.test(l))).toEqual(['scheduled task 00000000 (0 * * * *) is overdue: due ' + new Date(due).toTimeString().slice(0, 5) + ' (claude restarted at ' + new Date(start).toTimeString().slice(0, 5) + '), claude idle']);
    expect(log.some((l) => /the scheduled task "Check the inbox" \(0 \* \* \* \*\) did not run at/.test(l))).toBe(true);
    expect(w.entries[0]!.overdue).toBe(new Date(due).toISOString());
    await w.look(undefined, false, due + 10 * 60_000);
    expect(log.filter((l) => /overdue/.test(l))).toHaveLength(1);
    // Claude Code ran it after all and wrote lastFiredAt.
    writeFileSync(tasksFile, JSON.stringify({ tasks: [{ ...task, lastFiredAt: due + 11 * 60_000 }] }));
    await w.look(undefined, false, due + 12 * 60_000);
    expect(log.at(-1)).toBe(`scheduled task 00000000 ran at ${new Date(due + 11 * 60_000).toTimeString().slice(0, 5)}, 11 min after it was due`);
    expect(w.entries[0]!.overdue).toBeUndefined();
  });

  it('aged out: listed until its last run; after it, over (not overdue) even when Claude Code left it in the file', async () => {
    const { w, log, tasksFile, transcript } = watch();
    const created = Date.parse('2026-12-03T10:00:00Z');
    const last = created + 5 * 60_000;
    // Both ran every minute (no jitter: ids 0000000x); the aged one ages out at 10:04:30, so 10:05 is its last run.
    const aged = { id: '00000001', cron: '* * * * *', prompt: 'AGES OUT', createdAt: created, recurring: true, maxAgeMs: 270_000, lastFiredAt: last - 60_000 };
    const keeps = { ...aged, id: '00000000', prompt: 'KEEPS RUNNING', permanent: true };
    w.claudeStarted(created);
    // As 2.1.332 left it in CI: both fired at `last`, the aged one's deletion undone by the other's write.
    writeFileSync(tasksFile, JSON.stringify({ tasks: [{ ...keeps, lastFiredAt: last }, aged] }));
    writeFileSync(transcript, '');
    await w.look(transcript, false, last - 1000);
    expect(w.entries.map((e) => e.id)).toEqual(['00000000', '00000001']); // not yet had its last run
    const fire = (taskId: string, at: number) => JSON.stringify({ type: 'system', subtype: 'scheduled_task_fire', taskId, timestamp: new Date(at).toISOString() });
    writeFileSync(transcript, `${fire('00000000', last)}\n${fire('00000001', last)}\n`);
    for (let t = last + 60_000; t <= last + 10 * 60_000; t += 60_000) {
      writeFileSync(tasksFile, JSON.stringify({ tasks: [{ ...keeps, lastFiredAt: t }, aged] }));
      await w.look(transcript, false, t + 1000);
    }
    expect(w.entries.map((e) => e.id)).toEqual(['00000000']);
    expect(log.filter((l) => /overdue|did not run/.test(l))).toEqual([]);
  });

  it('a task missed while claude was down is due at the start, not before it', async () => {
    const { w, tasksFile } = watch();
    const start = Date.parse('2026-12-03T10:30:00Z');
    writeFileSync(tasksFile, JSON.stringify({ tasks: [{ ...task, lastFiredAt: start - 5 * HOUR }] }));
    w.claudeStarted(start);
    await w.look(undefined, false, start + 1000);
    expect(w.entries[0]!.nextFire).toBe('2026-12-03T11:00:00.000Z');
  });
});
