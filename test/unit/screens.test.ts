// Issue 19: the states a live claude can be stuck in, each recognised on a screen captured from the real
// Claude Code in tmux (test/fixtures/claude-code/<version>/screens/: 2.1.332's API failures against
// test/fixtures/fake-anthropic.mjs answering 401, 429 with the usage-limit headers, and 529; the prompts
// that wait for a person, from 2.1.332 and 2.1.197, whose sandbox still asks about unlisted hosts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREENS, stuckOn } from '../../src/runtime/supervisor/screens.js';
import { nextClock } from '../../src/runtime/supervisor/stuck.js';
import { FIXTURES } from '../helpers.js';

const DIR = join(FIXTURES, 'claude-code');
/** A capture, by `<version>/<name>` (2.1.332's by name alone). */
const screen = (name: string) => {
  const [version, file] = name.includes('/') ? name.split('/') : ['2.1.332', name];
  return readFileSync(join(DIR, version!, 'screens', `${file}.txt`), 'utf8');
};

const EXPECTED: Record<string, string | undefined> = {
  idle: undefined,
  '401-retrying': 'auth-retrying', // Claude Code still retrying: told to the owner if it lasts 45 s
  '401-final': 'auth',
  '401-oauth': 'auth', // a subscription's token refused: "Not logged in", at once
  'usage-limit-continued': undefined, // Claude Code went on by itself after the reset
  'usage-limit': 'usage-limit',
  '429-api-key': 'rate-limited',
  '529-retrying': 'overloaded',
  'api-key-dialog': 'api-key-dialog',
  'trust-dialog': 'trust-dialog',
  onboarding: 'onboarding',
  'permission-prompt': 'permission-prompt',
  '2.1.197/permission-prompt': 'permission-prompt',
  '2.1.197/host-prompt': 'host-prompt',
};

describe('stuck screens of the real Claude Code', () => {
  it('has a capture for every captured state, and every capture is judged', () => {
    const captures = ['2.1.332', '2.1.197'].flatMap((v) =>
      readdirSync(join(DIR, v, 'screens'))
        .filter((f) => f.endsWith('.txt'))
        .map((f) => `${v === '2.1.332' ? '' : `${v}/`}${f.replace(/\.txt$/, '')}`),
    );
    expect(captures.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, state] of Object.entries(EXPECTED)) {
    it(`${name}: ${state ?? 'not stuck'}`, () => {
      expect(stuckOn(screen(name))?.screen.id).toBe(state);
    });
  }

  it('says what a prompt waits on: the tool call, or the host', () => {
    expect(stuckOn(screen('permission-prompt'))?.about).toBe('Bash(touch /tmp/exp/made-here)');
    expect(stuckOn(screen('2.1.197/permission-prompt'))?.about).toBe('Bash(touch /tmp/exp/made-here)');
    expect(stuckOn(screen('2.1.197/host-prompt'))?.about).toBe('the host example.com');
  });

  it('reads the usage limit\'s reset time', () => {
    expect(stuckOn(screen('usage-limit'))?.resets).toMatch(/^\d{1,2}:\d\d(am|pm)/);
  });

  it('judges what is on screen now: a 401 answered to an earlier message, with a later one answered since, is not a state', () => {
    const idleBottom = screen('idle').split('\n').filter((l) => l.trim()).slice(-3).join('\n');
    const later = `${screen('401-final')}\n❯ and now?\n● Hello from the fake Messages API.\n${idleBottom}`;
    expect(stuckOn(later)).toBeUndefined();
  });

  it('every row of the table is exercised by a capture (or is said not to be capturable offline)', () => {
    const seen = new Set(Object.values(EXPECTED));
    seen.add(stuckOn(screen('onboarding').replace(/Welcome to Claude Code v[\d.]+/, ''))?.screen.id); // the first-run screen wins over "offline" on that capture
    // press-enter: not reachable offline (see stuck.test.ts).
    expect(SCREENS.map((s) => s.id).filter((id) => !seen.has(id))).toEqual(['press-enter']);
  });
});

describe('the reset time a screen shows', () => {
  const now = new Date('2026-12-03T03:30:00Z');
  it('is the next time that clock comes, in UTC when the screen says so', () => {
    expect(new Date(nextClock('5:02am (UTC)', now)!).toISOString()).toBe('2026-12-03T05:02:00.000Z');
    expect(new Date(nextClock('3:15am (UTC)', now)!).toISOString()).toBe('2026-12-04T03:15:00.000Z');
    expect(new Date(nextClock('12pm (UTC)', now)!).toISOString()).toBe('2026-12-03T12:00:00.000Z');
    expect(new Date(nextClock('12:30am (UTC)', now)!).toISOString()).toBe('2026-12-04T00:30:00.000Z');
    expect(nextClock('soon', now)).toBeUndefined();
  });
});
