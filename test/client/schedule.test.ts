// Issue 20, measured end to end: scheduled work survives every kind of restart. The real Claude Code on
// booted VPSes against the fake Messages API, the newest (native layout) and the oldest supported (npm
// layout) side by side, each step run on both at once (the waits are for cron's next minute). Three
// tasks, each every minute:
//   - the recipe's (apply writes it into <workdir>/.claude/scheduled_tasks.json, durable and permanent),
//   - one the agent made durable (the fake API answers with a CronCreate call, durable: true),
//   - one the agent made for the session only (CronCreate's default; it lives in claude's memory).
// Then claude is killed, the supervisor is killed, the unit is restarted, the VPS reboots; after each,
// every task must fire again (the fake API receives its prompt as a new turn) in the same pinned
// conversation.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, waitFor, writeFile } from '../helpers.js';
import { BuddyPane, type Vps } from '../vps/vps.js';
import { NEWEST, OLDEST, realClaude, realClaudeVps, type FakeAnthropic } from './claude.js';

const NAME = 'sched';
const PROMPTS = {
  recipe: 'RECIPE PING from the recipe',
  durable: 'DURABLE PING from the session',
  session: 'SCHEDULED PING from the session',
} as const;
type Kind = keyof typeof PROMPTS;

/** One buddy on one VPS with one Claude Code version, and what the test asks of it. */
class Box {
  conversation = '';
  readonly pane: BuddyPane;

  constructor(
    readonly version: string,
    readonly vps: Vps,
    readonly api: FakeAnthropic,
  ) {
    this.pane = new BuddyPane(vps, NAME);
  }

  recipe(withPing = true): string {
    return writeFile(
      join(tempDir(), 'sched.yaml'),
      `name: ${NAME}\nworkdir: ~/work\nauth:\n  apiKey: { env: FAKE_ANTHROPIC_KEY }\ntimezone: Europe/Paris\n` +
        `schedule:\n${withPing ? `  - every: 1m\n    prompt: ${PROMPTS.recipe}\n` : ''}  - cron: "0 8 * * *"\n    prompt: Morning brief\n` +
        `claude:\n  env: { ANTHROPIC_BASE_URL: "http://${this.vps.hostIp}:${this.api.port}" }\nsupervisor: { tick: 5, restartDelay: 1 }\n`,
    );
  }

  cli(args: string[], file = this.recipe()) {
    return runCli([...args, '--recipe', file, '--host', this.vps.destination()], { env: { HOME: this.vps.laptop, SSH_AUTH_SOCK: undefined, FAKE_ANTHROPIC_KEY: 'sk-ant-api03-fake-key-for-schedules-0123456789' } });
  }

  screen = () => this.pane.screen();
  pin = () => JSON.parse(this.vps.ssh(`cat ~/.local/state/buddy-init/${NAME}/session.json`).stdout).sessionId as string;
  tasks = () => (JSON.parse(this.vps.ssh('cat ~/work/.claude/scheduled_tasks.json').stdout) as { tasks: Array<{ cron: string; prompt: string; permanent?: boolean; lastFiredAt?: number }> }).tasks;
  status = () => JSON.parse(this.cli(['status', '--json']).stdout) as { supervisor?: { schedule?: Array<{ id: string; kind: string; cron: string; prompt: string; nextFire?: string }> } };

  say = (text: string) => this.pane.say(text, 90_000);

  /** When each task's prompt first reached the API as a new turn after `since`. */
  firedSince(since: number): Partial<Record<Kind, number>> {
    return Object.fromEntries(
      (Object.keys(PROMPTS) as Kind[]).flatMap((k) => {
        const hit = this.api.turns(since).find((t) => t.text.includes(PROMPTS[k]));
        return hit ? [[k, hit.at]] : [];
      }),
    );
  }

  allFireAgain(what: string, since: number): Promise<Record<Kind, number>> {
    return waitFor(
      `${this.version}: every task fired after ${what}`,
      () => {
        const f = this.firedSince(since);
        return Object.keys(f).length === 3 ? (f as Record<Kind, number>) : undefined;
      },
      180_000,
      () => `fired: ${JSON.stringify(this.firedSince(since))}\n${this.screen()}\n${this.vps.journal(NAME)}`,
    );
  }
}

const boxes = [
  { version: NEWEST, layout: 'native' as const },
  { version: OLDEST, layout: 'npm' as const },
].map(({ version, layout }) => {
  const { vps, api } = realClaudeVps({ ...realClaude(version), layout }, NAME);
  return new Box(version, vps, api);
});
const onBoth = (step: (b: Box) => Promise<void>) => Promise.all(boxes.map(step));

describe(`scheduled work across restarts (Claude Code ${NEWEST} native and ${OLDEST} npm, side by side)`, () => {
  it('apply arms the recipe schedule; the agent makes a durable task and a session-only one; all three fire', async () => {
    await onBoth(async (b) => {
      const r = b.cli(['apply', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(b.tasks().map((t) => [t.cron, t.permanent])).toEqual([['* * * * *', true], ['0 8 * * *', true]]);
      await b.say('SCHEDULE A PING');
      await waitFor(`${b.version}: the session task made`, () => /CronCreate/.test(b.screen()) && /❯\s*$/m.test(b.screen()), 60_000, b.screen);
      await b.say('SCHEDULE A DURABLE PING');
      await waitFor(`${b.version}: the durable task in the file`, () => b.tasks().some((t) => t.prompt === PROMPTS.durable), 60_000, b.screen);
      await b.allFireAgain('they were made', Date.now());
      b.conversation = b.pin();
      // claude runs in the recipe's timezone; status lists the four tasks, the recipe's as such.
      const claude = b.pane.pid();
      expect(b.vps.ssh(`tr '\\0' '\\n' < /proc/${claude}/environ | grep ^TZ=`).stdout.trim()).toBe('TZ=Europe/Paris');
      const listed = await waitFor(`${b.version}: status lists the tasks`, () => {
        const s = b.status().supervisor?.schedule ?? [];
        return s.length === 4 && s.every((t) => t.nextFire) ? s : undefined;
      }, 30_000);
      expect(listed.map((t) => t.kind).sort()).toEqual(['durable', 'durable', 'durable', 'session']);
      const brief = listed.find((t) => t.prompt === 'Morning brief')!;
      const paris = new Date(brief.nextFire!).toLocaleTimeString('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });
      expect(paris >= '08:00' && paris <= '08:30').toBe(true);
      const human = b.cli(['status']).stdout;
      expect(human).toMatch(/schedule +4 tasks \(Europe\/Paris\)/);
      expect(human).toMatch(/recipe +\* \* \* \* \* +"RECIPE PING from the recipe"/);
      expect(human).toMatch(/session +\* \* \* \* \* +"SCHEDULED PING from the session"/);
      console.log(`status, Claude Code ${b.version}:\n${human}`);
    });
  }, 400_000);

  const kinds: Array<[string, (b: Box) => Promise<void> | void]> = [
    ['claude killed (SIGKILL)', (b) => void b.vps.ssh(`kill -9 $(tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}')`)],
    ['the supervisor killed (SIGKILL; systemd starts it again, claude keeps running)', (b) => void b.vps.ssh(`kill -9 $(systemctl --user show ${NAME} -p MainPID --value)`)],
    ['the unit restarted (systemctl --user restart)', (b) => void b.vps.ssh(`systemctl --user restart ${NAME}`)],
    [
      'the VPS rebooted',
      async (b) => {
        b.vps.ssh('sudo systemctl reboot');
        await new Promise((r) => setTimeout(r, 2000));
        await b.vps.waitForSsh(120_000);
      },
    ],
  ];
  for (const [what, act] of kinds) {
    it(`${what}: every task fires again, in the same conversation`, async () => {
      await onBoth(async (b) => {
        const before = Date.now();
        await act(b);
        const fired = await b.allFireAgain(what, before);
        expect(b.pin()).toBe(b.conversation);
        // The fired prompts are in the pinned conversation's transcript, marked as Claude Code marks them.
        expect(b.vps.ssh(`cat ~/.claude/projects/-home-ada-work/${b.conversation}.jsonl`).stdout).toContain('"subtype":"scheduled_task_fire"');
        const s = (k: Kind) => `${k} ${Math.round((fired[k] - before) / 1000)} s`;
        console.log(`schedule, Claude Code ${b.version}: ${what}: fired again ${s('recipe')}, ${s('durable')}, ${s('session')} after it began`);
      });
    }, 400_000);
  }

  it("taking a task out of the recipe removes it, and only it: Claude Code's lastFiredAt and the agent's durable task stay", async () => {
    await onBoth(async (b) => {
      expect(b.tasks().find((t) => t.prompt === PROMPTS.recipe)?.lastFiredAt).toBeGreaterThan(0);
      expect(b.cli(['plan']).stdout).toMatch(/No changes: the target already matches the recipe/); // lastFiredAt is Claude Code's, not a change
      const without = b.recipe(false);
      expect(b.cli(['plan'], without).stdout).toContain(`-      "prompt": "${PROMPTS.recipe}",`);
      const r = b.cli(['apply', '--yes'], without);
      expect(r.code, r.stderr).toBe(0);
      expect(b.tasks().map((t) => t.prompt).sort()).toEqual([PROMPTS.durable, 'Morning brief']);
      expect(r.stdout).toMatch(/Applied: 1 file written, 1 backup kept, 0 commands run/); // Claude Code watches the file: no restart
    });
  }, 120_000);
});
