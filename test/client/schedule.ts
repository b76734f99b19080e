// Issue 20, measured end to end: scheduled work survives every kind of restart. The real Claude Code on
// the booted VPS against the fake Messages API; three tasks, each every minute:
//   - the recipe's (apply writes it into <workdir>/.claude/scheduled_tasks.json, durable and permanent),
//   - one the agent made durable (the fake API answers with a CronCreate call, durable: true),
//   - one the agent made for the session only (CronCreate's default; it lives in claude's memory).
// Then claude is killed, the supervisor is killed, the unit is restarted, the VPS reboots; after each,
// every task must fire again (the fake API receives its prompt as a new turn) in the same pinned
// conversation. One file per Claude Code version (schedule-*.test.ts), so the two VPSes run side by side.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, waitFor, writeFile } from '../helpers.js';
import { realClaudeVps, type ClaudeInstall, type LoggedRequest } from './claude.js';

const NAME = 'sched';
const PROMPTS = {
  recipe: 'RECIPE PING from the recipe',
  durable: 'DURABLE PING from the session',
  session: 'SCHEDULED PING from the session',
} as const;
type Kind = keyof typeof PROMPTS;

/** The text of the newest user turn of a request: a scheduled prompt arrives as one. */
function lastUserText(r: LoggedRequest): string {
  const last = [...(r.body.messages ?? [])].reverse().find((m) => m.role === 'user');
  const content = last?.content;
  return typeof content === 'string' ? content : Array.isArray(content) ? content.map((b: { text?: string }) => b.text ?? '').join('\n') : '';
}

export function scheduleSurvival(install: ClaudeInstall): void {
  const { vps, api } = realClaudeVps(install, NAME);
  const recipe = (withPing = true) =>
    writeFile(
      join(tempDir(), 'sched.yaml'),
      `name: ${NAME}\nworkdir: ~/work\nauth:\n  apiKey: { env: FAKE_ANTHROPIC_KEY }\ntimezone: Europe/Paris\n` +
        `schedule:\n${withPing ? `  - every: 1m\n    prompt: ${PROMPTS.recipe}\n` : ''}  - cron: "0 8 * * *"\n    prompt: Morning brief\n` +
        `claude:\n  env: { ANTHROPIC_BASE_URL: "http://${vps.hostIp}:${api.port}" }\nsupervisor: { tick: 5, restartDelay: 1 }\n`,
    );
  const cli = (args: string[], file = recipe()) =>
    runCli([...args, '--recipe', file, '--host', vps.destination()], { env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined, FAKE_ANTHROPIC_KEY: 'sk-ant-api03-fake-key-for-schedules-0123456789' } });
  const tmux = (args: string) => vps.ssh(`tmux -L buddy-init-${NAME} ${args}`);
  const screen = () => tmux('capture-pane -p -J').stdout;
  const pin = () => JSON.parse(vps.ssh(`cat ~/.local/state/buddy-init/${NAME}/session.json`).stdout).sessionId as string;
  const status = () => JSON.parse(cli(['status', '--json']).stdout) as { supervisor?: { schedule?: Array<{ id: string; kind: string; cron: string; prompt: string; nextFire?: string }> } };

  async function say(text: string): Promise<void> {
    await waitFor('the input prompt', () => /❯\s*$/m.test(screen()), 90_000, screen);
    tmux(`send-keys -l ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 300));
    tmux('send-keys Enter');
  }

  /** When each task's prompt first reached the API as a new turn after `since`. */
  const firedSince = (since: number): Partial<Record<Kind, number>> =>
    Object.fromEntries(
      (Object.keys(PROMPTS) as Kind[]).flatMap((k) => {
        const hit = api.requests().find((r) => r.at >= since && r.body.tools?.length && lastUserText(r).includes(PROMPTS[k]));
        return hit ? [[k, hit.at]] : [];
      }),
    );

  async function allFireAgain(what: string, since: number): Promise<Record<Kind, number>> {
    const fired = await waitFor(`every task fired after ${what}`, () => {
      const f = firedSince(since);
      return Object.keys(f).length === 3 ? (f as Record<Kind, number>) : undefined;
    }, 180_000, () => `fired: ${JSON.stringify(firedSince(since))}\n${screen()}\n${vps.journal(NAME)}`);
    return fired;
  }

  const figures: string[] = [];

  describe(`scheduled work across restarts (Claude Code ${install.version}, ${install.layout})`, () => {
    let conversation = '';

    it('apply arms the recipe schedule; the agent makes a durable task and a session-only one; all three fire', async () => {
      const r = cli(['apply', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      const file = JSON.parse(vps.ssh('cat ~/work/.claude/scheduled_tasks.json').stdout) as { tasks: Array<{ cron: string; permanent?: boolean }> };
      expect(file.tasks.map((t) => [t.cron, t.permanent])).toEqual([['* * * * *', true], ['0 8 * * *', true]]);
      await say('SCHEDULE A PING');
      await waitFor('the session task made', () => /CronCreate/.test(screen()) && /❯\s*$/m.test(screen()), 60_000, screen);
      await say('SCHEDULE A DURABLE PING');
      await waitFor('the durable task in the file', () => vps.ssh('cat ~/work/.claude/scheduled_tasks.json').stdout.includes(PROMPTS.durable), 60_000, screen);
      const since = Date.now();
      await allFireAgain('they were made', since);
      conversation = pin();
      // claude runs in the recipe's timezone; status lists the four tasks, the recipe's as such.
      const claude = tmux("list-panes -F '#{pane_pid}'").stdout.trim();
      expect(vps.ssh(`tr '\\0' '\\n' < /proc/${claude}/environ | grep ^TZ=`).stdout.trim()).toBe('TZ=Europe/Paris');
      const listed = await waitFor('status lists the tasks', () => {
        const s = status().supervisor?.schedule ?? [];
        return s.length === 4 && s.every((t) => t.nextFire) ? s : undefined;
      }, 30_000);
      expect(listed.map((t) => t.kind).sort()).toEqual(['durable', 'durable', 'durable', 'session']);
      const brief = listed.find((t) => t.prompt === 'Morning brief')!;
      const paris = new Date(brief.nextFire!).toLocaleTimeString('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });
      expect(paris >= '08:00' && paris <= '08:30').toBe(true);
      const human = cli(['status']).stdout;
      expect(human).toMatch(/schedule +4 tasks \(Europe\/Paris\)/);
      expect(human).toMatch(/recipe +\* \* \* \* \* +"RECIPE PING from the recipe"/);
      expect(human).toMatch(/session +\* \* \* \* \* +"SCHEDULED PING from the session"/);
    }, 400_000);

    const kinds: Array<[string, () => Promise<void> | void]> = [
      ['claude killed (SIGKILL)', () => void vps.ssh(`kill -9 $(tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}')`)],
      ['the supervisor killed (SIGKILL; systemd starts it again, claude keeps running)', () => void vps.ssh(`kill -9 $(systemctl --user show ${NAME} -p MainPID --value)`)],
      ['the unit restarted (systemctl --user restart)', () => void vps.ssh(`systemctl --user restart ${NAME}`)],
      [
        'the VPS rebooted',
        async () => {
          vps.ssh('sudo systemctl reboot');
          await new Promise((r) => setTimeout(r, 2000));
          await vps.waitForSsh(120_000);
        },
      ],
    ];
    for (const [what, act] of kinds) {
      it(`${what}: every task fires again, in the same conversation`, async () => {
        const before = Date.now();
        await act();
        const back = Date.now();
        const fired = await allFireAgain(what, before);
        expect(pin()).toBe(conversation);
        // The fired prompts are in the pinned conversation's transcript, marked as Claude Code marks them.
        const transcript = vps.ssh(`cat ~/.claude/projects/-home-ada-work/${conversation}.jsonl`).stdout;
        expect(transcript).toContain('"subtype":"scheduled_task_fire"');
        figures.push(`${what}: recipe ${Math.round((fired.recipe - back) / 1000)} s, durable ${Math.round((fired.durable - back) / 1000)} s, session ${Math.round((fired.session - back) / 1000)} s after it`);
        console.log(`schedule, Claude Code ${install.version}: ${figures.at(-1)}`);
      }, 400_000);
    }

    it("taking a task out of the recipe removes it, and only it: Claude Code's lastFiredAt and the agent's durable task stay", () => {
      const tasks = () => (JSON.parse(vps.ssh('cat ~/work/.claude/scheduled_tasks.json').stdout) as { tasks: Array<{ prompt: string; lastFiredAt?: number }> }).tasks;
      expect(tasks().find((t) => t.prompt === PROMPTS.recipe)?.lastFiredAt).toBeGreaterThan(0);
      expect(cli(['plan']).stdout).toMatch(/0 to create, 0 to update/); // lastFiredAt is Claude Code's, not a change
      const without = recipe(false);
      const plan = cli(['plan'], without);
      expect(plan.stdout).toContain(`-      "prompt": "${PROMPTS.recipe}",`);
      const r = cli(['apply', '--yes'], without);
      expect(r.code, r.stderr).toBe(0);
      expect(tasks().map((t) => t.prompt).sort()).toEqual([PROMPTS.durable, 'Morning brief']);
      expect(r.stdout).not.toMatch(/restart/i); // a schedule change needs no restart: Claude Code watches the file
    });
  });
}
