// Issue 20: the recipe's cron check and the supervisor's "when does it fire next" are buddy-init's reading
// of Claude Code's scheduler. The oracle is Claude Code itself: the real client (both supported
// versions, on this machine in a tmux pane, against the fake Messages API) is made to call CronCreate on
// generated expressions, and its answers (refused or scheduled; 2.1.332 also says when it fires, jitter
// included) are compared with shared/cron.ts. In a timezone with daylight saving time, so local time is
// what both compute in.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cronProblem, nextFire } from '../../src/runtime/shared/cron.js';
import { tempDir, waitFor } from '../helpers.js';
import { FakeAnthropic, NEWEST, OLDEST, realClaude } from './claude.js';

const ZONE = 'America/New_York';
process.env.TZ = ZONE;

/** A small seeded generator, so a failure names an input that comes back. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const LIMITS: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

/** One field as people write them: mostly sensible, sometimes out of range or malformed. */
function field(r: () => number, [min, max]: [number, number]): string {
  const n = (lo = min, hi = max) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = r();
  if (pick < 0.3) return '*';
  if (pick < 0.45) return `*/${n(1, Math.max(2, max))}`;
  if (pick < 0.6) return String(n());
  if (pick < 0.7) {
    const a = n();
    return `${a}-${n(a, max)}`;
  }
  if (pick < 0.78) return `${n()}-${n()}/${n(1, 5)}`;
  if (pick < 0.88) return [n(), n(), n()].join(',');
  if (pick < 0.93) return String(max + 1 + n(0, 3)); // out of range
  return ['MON', 'L', '?', '*/0', '1-', ''][n(0, 5)]!;
}

function expressions(seed: number, count: number): string[] {
  const r = random(seed);
  const fixed = ['0 8 * * 1-5', '*/5 * * * *', '*/7 * * * *', '30 14 28 2 *', '0 0 31 2 *', '0 0 30 2 *', '5 4 * * 7', '0 9 1 * 1', '0 */2 * * *', '0 0 */3 * *', '* * * *', '0 25 * * *'];
  const out = [...fixed];
  while (out.length < count) out.push(LIMITS.map((l) => field(r, l)).join(' ').trim());
  return out;
}

interface Verdict {
  cron: string;
  recurring: boolean;
  refused: boolean;
  id?: string;
  nextFireAt?: number;
  at: number;
}

let runs = 0;

/** The real Claude Code in a tmux pane on this machine, in a workdir of its own, until `job` is done. */
async function withClaude<T>(version: string, api: FakeAnthropic, job: (c: { home: string; work: string; tmux: (...args: string[]) => string; screen: () => string }) => Promise<T>, before?: (work: string) => void): Promise<T> {
  const home = tempDir('buddy-cron-oracle-');
  const work = join(home, 'work');
  mkdirSync(work);
  before?.(work);
  const key = 'sk-ant-api03-cron-oracle-key-0123456789abcdefghijklmnopqrstuv';
  writeFileSync(
    join(home, '.claude.json'),
    JSON.stringify({ hasCompletedOnboarding: true, lastOnboardingVersion: version, customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] }, projects: { [work]: { hasTrustDialogAccepted: true } } }),
  );
  // A socket of its own each time: a tmux server still going down would take a new session with it.
  const socket = `cron-oracle-${process.pid}-${++runs}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).stdout;
  // DISABLE_AUTOUPDATER: with the registry in reach, Claude Code would otherwise install itself with
  // `npm install -g` on this machine, putting a claude on every later test's PATH.
  const env = `env HOME=${home} TZ=${ZONE} ANTHROPIC_API_KEY=${key} ANTHROPIC_BASE_URL=http://127.0.0.1:${api.port} DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1`;
  tmux('new-session', '-d', '-x', '200', '-y', '50', '-c', work, `${env} ${realClaude(version).binary} --permission-mode default`);
  const screen = () => tmux('capture-pane', '-p');
  try {
    await waitFor('the input prompt', () => /❯/.test(screen()), 60_000, screen);
    return await job({ home, work, tmux, screen });
  } finally {
    tmux('kill-server');
  }
}

/** Runs one CronCreate per expression in the real Claude Code and reads its answers from the transcript. */
function askClaude(version: string, batch: Array<{ cron: string; recurring: boolean }>, api: FakeAnthropic): Promise<Verdict[]> {
  return withClaude(version, api, async ({ home, tmux, screen }) => {
    // CronCreate stamps a task with the time it runs; keep the whole batch inside one minute.
    while (new Date().getSeconds() > 40) await new Promise((r) => setTimeout(r, 1000));
    tmux('send-keys', '-l', `CRON BATCH ${JSON.stringify(batch)}`);
    await new Promise((r) => setTimeout(r, 300));
    tmux('send-keys', 'Enter');
    const projects = join(home, '.claude', 'projects');
    const results = () => {
      const lines = readdirSync(projects, { recursive: true })
        .filter((f) => String(f).endsWith('.jsonl'))
        .flatMap((f) => readFileSync(join(projects, String(f)), 'utf8').trim().split('\n'))
        .map((l) => JSON.parse(l) as { type: string; timestamp: string; toolUseResult?: unknown; message?: { content?: unknown } });
      const calls = lines.flatMap((e) => (e.type === 'assistant' && Array.isArray(e.message?.content) ? (e.message.content as Array<{ type: string; id: string; input: { cron: string } }>).filter((b) => b.type === 'tool_use') : []));
      const answers = new Map(
        lines.flatMap((e) =>
          e.type === 'user' && Array.isArray(e.message?.content)
            ? (e.message.content as Array<{ type: string; tool_use_id: string; is_error?: boolean }>).filter((b) => b.type === 'tool_result').map((b) => [b.tool_use_id, { ...b, result: e.toolUseResult, at: Date.parse(e.timestamp) }] as const)
            : [],
        ),
      );
      return calls.length === batch.length && calls.every((c) => answers.has(c.id)) ? calls.map((c) => answers.get(c.id)!) : undefined;
    };
    const answers = await waitFor('every CronCreate answered', () => (readdirSync(projects, { recursive: true }).length ? results() : undefined), 60_000, screen);
    return answers.map((a, i) => {
      const r = (a.result ?? {}) as { id?: string; nextFireAt?: number };
      return { ...batch[i]!, refused: Boolean(a.is_error), ...(r.id ? { id: r.id } : {}), ...(r.nextFireAt ? { nextFireAt: r.nextFireAt } : {}), at: a.at };
    });
  });
}

const api = new FakeAnthropic();
afterAll(() => api.stop());

describe.each([NEWEST, OLDEST])('cron as Claude Code %s reads it', (version) => {
  it('refuses what it refuses, and (2.1.332 says when) fires when it says', async () => {
    if (!api.port) await api.start('127.0.0.1');
    // At most 50 tasks at once: the refused ones do not count, so 60 expressions are safe in one turn.
    const all = expressions(version === NEWEST ? 20 : 26, 60);
    const r = random(7);
    const batch = all.map((cron) => ({ cron, recurring: r() > 0.2 }));
    const verdicts = await askClaude(version, batch, api);
    const disagree = verdicts.filter((v) => v.refused !== (cronProblem(v.cron) !== undefined)).map((v) => `${v.cron}: claude ${v.refused ? 'refuses' : 'accepts'}, ours ${cronProblem(v.cron) ?? 'accepts'}`);
    expect(disagree).toEqual([]);
    const timed = verdicts.filter((v) => v.nextFireAt !== undefined);
    // The minute claude stamped is the minute of its answer (the batch is kept clear of a minute's end).
    const off = timed
      .map((v) => ({ v, ours: nextFire({ id: v.id!, cron: v.cron, createdAt: v.at, recurring: v.recurring }) }))
      .filter(({ v, ours }) => ours === undefined || Math.abs(ours - v.nextFireAt!) > 2_000)
      .map(({ v, ours }) => `${v.cron} (${v.recurring ? 'recurring' : 'once'}, id ${v.id}): claude ${new Date(v.nextFireAt!).toISOString()}, ours ${ours === undefined ? 'none' : new Date(ours).toISOString()}`);
    expect(off).toEqual([]);
    const refused = verdicts.filter((v) => v.refused).length;
    if (version === NEWEST) expect(timed.length).toBe(verdicts.length - refused);
    console.log(`cron oracle, Claude Code ${version} (${ZONE}): ${verdicts.length} expressions, ${refused} refused, ${timed.length} fire times compared; all agree`);
  }, 180_000);
});

describe(`a recipe task never ages out (Claude Code ${NEWEST}, which honours a task's own maxAgeMs, so a minute shows it)`, () => {
  it('two tasks past their age: the one marked permanent keeps running, the other runs a last time only', async () => {
    if (!api.port) await api.start('127.0.0.1');
    const old = Date.now() - 10 * 60_000;
    const task = (id: string, prompt: string, permanent: boolean) => ({ id, cron: '* * * * *', prompt, createdAt: old, lastFiredAt: Date.now() - 5_000, recurring: true, maxAgeMs: 60_000, ...(permanent ? { permanent: true } : {}) });
    const file = (work: string) => join(work, '.claude', 'scheduled_tasks.json');
    const since = Date.now();
    // What each fire asked (two due in one minute may arrive as one turn).
    const asked = () => api.turns(since);
    await withClaude(
      NEWEST,
      api,
      async ({ work, screen }) => {
        const shown = () => `${screen()}\n${readFileSync(file(work), 'utf8')}\n${JSON.stringify(asked(), null, 1)}`;
        // Both fire in the next minute (no jitter: ids 00000000); the aged one says it was its last run.
        const last = await waitFor('the aged task run a last time', () => asked().find((a) => a.text.includes('AGES OUT') && a.text.includes('has had its last run')), 150_000, shown);
        // The permanent one runs again in a later minute; the aged one never again. (Whether the aged one
        // also leaves scheduled_tasks.json is Claude Code's business: in one CI run 2.1.332's own
        // lastFiredAt write for the other task, made at the same moment, put it back.)
        await waitFor('the permanent task run in a later minute', () => asked().find((a) => a.at >= Math.ceil((last.at + 1) / 60_000) * 60_000 && a.text.includes('KEEPS RUNNING')), 150_000, shown);
        expect(asked().filter((a) => a.text.includes('AGES OUT'))).toHaveLength(1);
      },
      (work) => {
        mkdirSync(join(work, '.claude'));
        writeFileSync(file(work), JSON.stringify({ tasks: [task('00000000', 'KEEPS RUNNING', true), task('00000001', 'AGES OUT', false)] }));
      },
    );
  }, 360_000);
});
