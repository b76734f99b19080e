// Issue 20: the recipe's schedule, checked where it is written and merged into the file Claude Code keeps
// its durable scheduled tasks in (the real CLI, a real filesystem under --root). What Claude Code does with
// the file (fires the tasks, writes lastFiredAt, keeps them across restarts) is measured with the real
// client in test/client/schedule-*.test.ts; its rewrite of the file is imitated here as it does it (the
// tasks it knows, two-space JSON, lastFiredAt added).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/operate/doctor.js';
import { loadRecipe } from '../../src/recipe/index.js';
import { layoutFor } from '../../src/render/index.js';
import { LocalTarget } from '../../src/target/index.js';
import { linuxFacts, runCli, snapshot, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();

describe('the recipe schedule', () => {
  it('refuses what Claude Code would refuse, at its line and column, exit 2', () => {
    const dir = tempDir();
    const cases: Array<[string, RegExp]> = [
      ['schedule:\n  - every: 30s\n    prompt: x\n', /:3:12: schedule\.0\.every: the shortest interval is 1 minute/],
      // 90 minutes is no single cron (minute steps restart each hour): said how to write it (issue 28.13).
      ['schedule:\n  - every: 90m\n    prompt: x\n', /:3:12: schedule\.0\.every: 90m cannot be one cron expression \(minute steps restart each hour\); write every: 1h or 2h, or a cron with the times you want/],
      ['schedule:\n  - every: 120m\n    prompt: x\n', /:3:12: schedule\.0\.every: write 120m as 2h/],
      // Claude Code takes */90 as minute 0 alone, hourly, without a word; the recipe refuses it.
      ['schedule:\n  - cron: "*/90 * * * *"\n    prompt: x\n', /:3:11: schedule\.0\.cron: \*\/90 in the minute field means its first value alone \(a step restarts at each hour\), not every 90; write the times you want/],
      ['schedule:\n  - cron: "0 25 * * *"\n    prompt: x\n', /:3:11: schedule\.0\.cron: Claude Code would refuse this cron expression: hour 25 is outside 0-23/],
      ['schedule:\n  - cron: "0 0 31 2 *"\n    prompt: x\n', /schedule\.0\.cron: Claude Code would refuse this cron expression: matches no date in the next year/],
      ['schedule:\n  - cron: "0 8 * * MON"\n    prompt: x\n', /dayOfWeek "MON" is not a number/],
      ['schedule:\n  - every: 5m\n    cron: "0 8 * * *"\n    prompt: x\n', /:3:5: schedule\.0: needs exactly one of every \(e\.g\. 30m\) or cron/],
      ['schedule:\n  - every: 5m\n    prompt: "  "\n', /schedule\.0\.prompt: must say what to do/],
      ['timezone: Mars/Olympus\n', /:2:11: timezone: must be an IANA timezone/],
      ['timezone: UTC\nclaude:\n  env: { TZ: Europe/Paris }\n', /claude\.env\.TZ: set the timezone once/],
      ['schedule:\n  - every: 5m\n    prompt: x\nclaude:\n  env: { CLAUDE_CODE_DISABLE_CRON: "1" }\n', /claude\.env\.CLAUDE_CODE_DISABLE_CRON: switches off the scheduled tasks the recipe asks for/],
    ];
    for (const [body, message] of cases) {
      const file = writeFile(join(dir, 'r.yaml'), `name: sch\n${body}`);
      const r = runCli(['validate', '--recipe', file]);
      expect(r.code, body).toBe(2);
      expect(r.stderr, body).toMatch(message);
    }
    // Zero is not truthy to Claude Code: CLAUDE_CODE_DISABLE_CRON=0 leaves the scheduler on.
    const ok = writeFile(join(dir, 'ok.yaml'), 'name: sch\nschedule:\n  - every: 5m\n    prompt: x\nclaude:\n  env: { CLAUDE_CODE_DISABLE_CRON: "0" }\n');
    expect(runCli(['validate', '--recipe', ok]).code).toBe(0);
  });

  it("is merged into Claude Code's scheduled tasks: its own writes are not changes, a removed entry takes only itself out", () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const both = 'name: jarvis\nworkdir: ~/buddy\ntimezone: Europe/Paris\nschedule:\n  - every: 30m\n    prompt: Check HEARTBEAT.md and act on it\n  - cron: "0 8 * * 1-5"\n    prompt: Morning brief\n';
    const recipe = writeFile(join(dir, 'r.yaml'), both);
    const applied = runCli(['apply', '--recipe', recipe, '--root', root, '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    const file = join(root, HOME, 'buddy/.claude/scheduled_tasks.json');
    const tasks = () => (JSON.parse(readFileSync(file, 'utf8')) as { tasks: Array<Record<string, unknown>> }).tasks;
    expect(tasks()).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{8}$/), cron: '*/30 * * * *', prompt: 'Check HEARTBEAT.md and act on it', createdAt: expect.any(Number), recurring: true, permanent: true },
      { id: expect.stringMatching(/^[0-9a-f]{8}$/), cron: '0 8 * * 1-5', prompt: 'Morning brief', createdAt: expect.any(Number), recurring: true, permanent: true },
    ]);
    expect(Math.abs((tasks()[0]!.createdAt as number) - Date.now())).toBeLessThan(60_000);
    const config = JSON.parse(readFileSync(join(root, HOME, '.config/buddy-init/jarvis/supervisor.json'), 'utf8'));
    expect(config.env.TZ).toBe('Europe/Paris');

    // Claude Code fires the first, writes lastFiredAt, and the agent adds a durable task of its own.
    const [heartbeat, brief] = tasks();
    const agents = { id: '3f2a9c1b', cron: '*/10 * * * *', prompt: 'watch the deploy', createdAt: 1, recurring: true, createdBySessionId: 'a-session' };
    writeFileSync(file, `${JSON.stringify({ tasks: [{ ...heartbeat, lastFiredAt: Date.now() }, brief, agents] }, null, 2)}\n`);
    // status reads the file itself (issue 28.4): no supervisor runs under --root, and the tasks are there,
    // each next fire computed in the buddy's timezone as Claude Code computes it (8:00 in Paris, jitter
    // up to 30 minutes late), whatever this machine's own zone.
    const status = runCli(['status', '--recipe', recipe, '--root', root], { env: { TZ: 'America/Los_Angeles' } });
    expect(status.stdout).toMatch(/schedule +3 tasks \(Europe\/Paris\)/);
    expect(status.stdout).toMatch(/recipe +0 8 \* \* 1-5 +"Morning brief" [0-9a-f]{8}: next in \S+ \(08:[0-3]\d\)/);
    expect(status.stdout).toMatch(/recipe +\*\/30 \* \* \* \* +"Check HEARTBEAT\.md and act on it" [0-9a-f]{8}: next in \S+ \(\d\d:\d\d\), last [0-9]s ago/); // fired just before status ran (a second may pass on a loaded machine)
    expect(status.stdout).toMatch(/durable +\*\/10 \* \* \* \* +"watch the deploy"/);
    expect(status.stdout).toMatch(/\(from \S+scheduled_tasks\.json; the conversation's own tasks and lateness only a running supervisor knows: none runs under --root\)/);
    const fires = JSON.parse(runCli(['status', '--json', '--recipe', recipe, '--root', root]).stdout).scheduleFile as Array<{ prompt: string; nextFire: string }>;
    const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', weekday: 'short' });
    const brief8 = paris.formatToParts(new Date(fires.find((f) => f.prompt === 'Morning brief')!.nextFire));
    expect(brief8.find((p) => p.type === 'hour')!.value).toBe('08');
    expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(brief8.find((p) => p.type === 'weekday')!.value);
    // Claude Code's own writes are no change, and the tasks' createdAt stamped at render time is none either:
    // a no-op writes nothing, the apply record included (issue 28).
    const plan = runCli(['plan', '--recipe', recipe, '--root', root]);
    expect(plan.stdout).toMatch(/No changes: the target already matches the recipe/);
    const before = snapshot(root);
    const again = runCli(['apply', '--recipe', recipe, '--root', root, '--yes']);
    expect(again.stdout).toMatch(/No changes: the target already matches the recipe\.\nNothing written\./);
    expect(snapshot(root)).toEqual(before);
    // The record and the file agree on when each task was made.
    const record = readFileSync(join(root, HOME, '.local/state/buddy-init/jarvis/apply-state.json'), 'utf8');
    for (const t of tasks().slice(0, 2)) expect(record).toContain(`"createdAt": ${t.createdAt}`);

    // The heartbeat taken out of the recipe: only it goes.
    writeFile(recipe, both.replace('  - every: 30m\n    prompt: Check HEARTBEAT.md and act on it\n', ''));
    const shown = runCli(['plan', '--recipe', recipe, '--root', root]);
    expect(shown.stdout).toContain('-      "prompt": "Check HEARTBEAT.md and act on it",');
    expect(shown.stdout).toMatch(/0 commands to run/);
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    expect(tasks()).toEqual([brief, agents]);

    // The whole schedule out of the recipe, then uninstall: the agent's task stays, in a file Claude Code still reads.
    writeFile(recipe, 'name: jarvis\nworkdir: ~/buddy\n');
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    expect(tasks()).toEqual([agents]);
    writeFile(recipe, both);
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    expect(tasks()).toHaveLength(3);
    const gone = runCli(['uninstall', '--recipe', recipe, '--root', root, '--yes']);
    expect(gone.code, gone.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ tasks: [agents] });
  });

  it('a recipe task the agent deleted is armed again by the next apply', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const recipe = writeFile(join(dir, 'r.yaml'), 'name: jarvis\nworkdir: ~/buddy\nschedule:\n  - every: 1h\n    prompt: Check the inbox\n');
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    const file = join(root, HOME, 'buddy/.claude/scheduled_tasks.json');
    const [task] = (JSON.parse(readFileSync(file, 'utf8')) as { tasks: Array<{ cron: string }> }).tasks;
    expect(task!.cron).toBe('0 * * * *');
    writeFileSync(file, '{\n  "tasks": []\n}\n'); // CronDelete, as Claude Code writes the file after it
    expect(runCli(['plan', '--recipe', recipe, '--root', root]).stdout).toMatch(/1 to update/);
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { tasks: Array<{ prompt: string }> }).tasks.map((t) => t.prompt)).toEqual(['Check the inbox']);
  });
});

describe('doctor on scheduled work', () => {
  it('names what switches the scheduler off, another session holding its lock, a late task, the timezone and the clock', async () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const recipe = writeFile(join(dir, 'r.yaml'), 'name: jarvis\nworkdir: ~/buddy\nschedule:\n  - every: 1h\n    prompt: Check the inbox\n');
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes']).code).toBe(0);
    const at = (p: string) => join(root, HOME, p);
    writeFile(at('.claude/settings.json'), JSON.stringify({ env: { CLAUDE_CODE_DISABLE_CRON: 'true' } }));
    // A person's own claude in the same folder took the scheduler lock (a live process: this test's sleep).
    const other = spawn('sleep', ['60']);
    try {
      writeFile(at('buddy/.claude/scheduled_tasks.lock'), JSON.stringify({ sessionId: 'someone-else', pid: other.pid, acquiredAt: Date.now() }));
      writeFile(at('.local/state/buddy-init/jarvis/status.json'), JSON.stringify({ sessionId: 'the-pinned-one', schedule: [{ id: 'abcd0123', cron: '0 * * * *', prompt: 'Check the inbox', kind: 'durable', recurring: true, overdue: '2026-12-03T11:00:00.000Z' }] }));
      const { recipe: loaded } = loadRecipe(recipe);
      const facts = linuxFacts({ home: HOME, timezone: 'Asia/Tokyo', clock: Math.round(Date.now() / 1000) + 300 });
      const findings = await diagnose(new LocalTarget(root), loaded, layoutFor(loaded, facts, '0.1.0'), facts);
      const find = (id: string) => findings.find((f) => f.id === id);
      expect(find('cron-off')).toMatchObject({ ok: false, detail: expect.stringMatching(/CLAUDE_CODE_DISABLE_CRON is on in .*\.claude\/settings\.json: no scheduled task fires \(the recipe's schedule included\)/) });
      expect(find('cron-off')!.warning).toBeUndefined();
      expect(find('scheduler-lock')).toMatchObject({ ok: false, detail: expect.stringContaining(`another Claude Code session (someone-else, pid ${other.pid})`) });
      expect(find('schedule-abcd0123')).toMatchObject({ ok: false, detail: '"Check the inbox" (0 * * * *) was due 2026-12-03T11:00:00.000Z and has not run while claude sat idle' });
      const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (here !== 'Asia/Tokyo') expect(find('timezone')).toMatchObject({ ok: false, warning: true, detail: `the schedule's times are read in the target's timezone, Asia/Tokyo; this machine is in ${here}` });
      expect(find('clock')).toMatchObject({ ok: false, warning: true, detail: expect.stringMatching(/^the target's clock is 30\d s ahead of this machine's/) });
    } finally {
      other.kill();
    }
    // The lock of a session that ended (its pid gone) is not a finding: Claude Code takes a stale lock over.
    await new Promise((r) => other.once('exit', r));
    const { recipe: loaded } = loadRecipe(recipe);
    const facts = linuxFacts({ home: HOME });
    const findings = await diagnose(new LocalTarget(root), loaded, layoutFor(loaded, facts, '0.1.0'), facts);
    expect(findings.find((f) => f.id === 'scheduler-lock')).toBeUndefined();
  });
});
