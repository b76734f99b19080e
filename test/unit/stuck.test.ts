// Issue 19: what the supervisor does about a stuck screen, over time (the clock is faked; the screens are
// the ones captured from the real Claude Code 2.1.332, the owner alerts the real class with no channel,
// whose journal lines are counted).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OwnerAlerts } from '../../src/runtime/supervisor/owner.js';
import { StuckWatch } from '../../src/runtime/supervisor/stuck.js';
import { FIXTURES } from '../helpers.js';

const screen = (name: string, version = '2.1.332') => readFileSync(join(FIXTURES, 'claude-code', version, 'screens', `${name}.txt`), 'utf8');

function watch() {
  const lines: string[] = [];
  const restarts: string[] = [];
  const log = (line: string) => lines.push(line);
  const w = new StuckWatch('jarvis', new OwnerAlerts([], log, {}), { restartClaude: async (reason) => void restarts.push(reason), pressEnter: async () => void restarts.push('Enter'), log }, 600_000);
  const told = () => lines.filter((l) => l.startsWith('told the owner')).map((l) => l.replace(/^told the owner \(0 recipients\): /, ''));
  return { w, lines, restarts, told };
}

const later = (ms: number) => vi.advanceTimersByTime(ms);

describe('the supervisor on a stuck screen', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-12-03T03:30:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('a question for a person nobody answers in ten minutes is told to the owner once, with what it waits on; one answered in time is not', async () => {
    const { w, restarts, told } = watch();
    await w.look(screen('permission-prompt'));
    later(9 * 60_000);
    await w.look(screen('permission-prompt'));
    expect(told()).toEqual([]);
    await w.look(screen('idle')); // answered
    later(5 * 60_000);
    await w.look(screen('idle'));
    expect(told()).toEqual([]);
    await w.look(screen('host-prompt', '2.1.197'));
    later(10 * 60_000 + 1);
    await w.look(screen('host-prompt', '2.1.197'));
    await w.look(screen('host-prompt', '2.1.197'));
    expect(told()).toEqual([
      "jarvis needs you: claude asks whether a command may reach a host outside the sandbox's list (the host example.com). answer it in the terminal (buddy-init attach --write), or add the host to sandbox.domains and run buddy-init apply",
    ]);
    expect(w.state).toMatchObject({ id: 'host-prompt', about: 'the host example.com' });
    expect(restarts).toEqual([]);
  });

  it('a 401 being retried is told after 30 s, once, and the final "invalid key" screen is the same incident', async () => {
    const { w, restarts, told } = watch();
    await w.look(screen('401-retrying'));
    later(25_000);
    await w.look(screen('401-retrying'));
    expect(told()).toEqual([]);
    later(6_000);
    await w.look(screen('401-retrying'));
    expect(told()).toEqual(["jarvis needs you: Claude's credentials are refused (401); claude is retrying. make a new token with `claude setup-token` on a machine where you are logged in, then run `buddy-init apply` with it"]);
    later(120_000);
    await w.look(screen('401-final'));
    await w.look(screen('401-final'));
    expect(told()).toHaveLength(1);
    expect(restarts).toEqual([]);
    await w.look(screen('idle'));
    expect(w.state).toBeUndefined();
  });

  it('the usage limit: told once with its reset time; five minutes after the reset, still there, claude is restarted once', async () => {
    const { w, restarts, told } = watch();
    const text = screen('usage-limit'); // resets 5:02am (UTC); now is 03:30 UTC
    await w.look(text);
    expect(told()).toEqual([expect.stringMatching(/^jarvis: the usage limit is reached; Claude Code continues by itself when it resets \(resets 5:02am \(UTC\)\)\.$/)]);
    // (When it does, the screen says so and the state is over: see usage-limit-continued in screens.test.ts.)
    vi.setSystemTime(new Date('2026-12-03T05:06:00Z'));
    await w.look(text);
    expect(restarts).toEqual([]);
    vi.setSystemTime(new Date('2026-12-03T05:07:30Z'));
    await w.look(text);
    await w.look(text);
    expect(restarts).toEqual([expect.stringMatching(/still at the usage limit screen five minutes after its reset time/)]);
    expect(w.state).toMatchObject({ id: 'usage-limit', resets: '5:02am (UTC)' });
  });

  it('a dialog: claude restarted at most twice in ten minutes, then the owner is told', async () => {
    const { w, restarts, told } = watch();
    for (let i = 0; i < 4; i++) {
      await w.look(screen('trust-dialog'));
      later(30_000);
    }
    expect(restarts).toHaveLength(2);
    expect(told()).toEqual([expect.stringMatching(/^jarvis needs you: claude asks whether to trust the workdir .*, and restarting claude did not clear it\./)]);
    later(10 * 60_000);
    await w.look(screen('trust-dialog'));
    expect(restarts).toHaveLength(3);
  });

  it('what claude retries by itself is waited out, and told when it lasts ten minutes', async () => {
    const { w, restarts, told } = watch();
    await w.look(screen('529-retrying'));
    later(9 * 60_000);
    await w.look(screen('529-retrying'));
    expect(told()).toEqual([]);
    later(60_000);
    await w.look(screen('529-retrying'));
    expect(told()).toEqual(['jarvis: the API is overloaded; claude retries by itself, for 10 minutes now.']);
    expect(restarts).toEqual([]);
  });

  it('"Press Enter to continue" (a synthetic screen: no state of 2.1.332 reachable offline shows it): Enter, twice at most, then told', async () => {
    const { w, restarts, told } = watch();
    const screenText = `${screen('idle')}\nPress Enter to continue…\n`;
    for (let i = 0; i < 3; i++) {
      await w.look(screenText);
      later(20_000);
    }
    expect(restarts).toEqual(['Enter', 'Enter']);
    expect(told()).toEqual([expect.stringMatching(/^jarvis needs you: claude waits for Enter, and pressing Enter did not clear it\./)]);
  });
});
