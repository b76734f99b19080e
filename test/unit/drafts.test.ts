// Issue 19: a chat message left unsent in claude's input box. The input box, its dim placeholder and a
// typed draft as the real Claude Code 2.1.332 draws them (tmux capture-pane -e, in
// test/fixtures/claude-code/2.1.332/screens/*.ansi); the decisions over time with a faked clock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DraftWatch, inputText } from '../../src/runtime/supervisor/drafts.js';
import { FIXTURES } from '../helpers.js';

const capture = (name: string) => readFileSync(join(FIXTURES, 'claude-code', '2.1.332', 'screens', `${name}.ansi`), 'utf8');

describe("claude's input box", () => {
  it('holds the typed text; an empty box and a dim placeholder hold none; a sent message is not the box', () => {
    expect(inputText(capture('input-draft'))).toBe('hello from discord, unsent');
    expect(inputText(capture('input-empty'))).toBe('');
    // "Resend your message to try again" is a placeholder; "❯ rate me" above it was sent.
    expect(inputText(capture('input-placeholder'))).toBe('');
  });
});

describe('an unsent draft', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-12-03T03:30:00Z') }));
  afterEach(() => vi.useRealTimers());
  const watch = () => {
    const enters: number[] = [];
    const lines: string[] = [];
    const w = new DraftWatch(60_000, { pressEnter: async () => void enters.push(Date.now()), log: (l) => lines.push(l) });
    return { w, enters, lines };
  };

  it('that came with nobody able to type is sent after it sat a minute with claude idle, once; its text is not logged', async () => {
    const { w, enters, lines } = watch();
    await w.look(capture('input-draft'), false, false);
    vi.advanceTimersByTime(55_000);
    await w.look(capture('input-draft'), false, false);
    expect(enters).toEqual([]);
    vi.advanceTimersByTime(10_000);
    await w.look(capture('input-draft'), false, true); // claude busy: not now
    expect(enters).toEqual([]);
    await w.look(capture('input-draft'), false, false);
    expect(enters).toHaveLength(1);
    expect(w.last).toMatchObject({ satSeconds: 65, chars: 26 });
    expect(lines.join('\n')).not.toContain('hello from discord');
    await w.look(capture('input-empty'), false, false);
    expect(enters).toHaveLength(1);
  });

  it('typed while a person was attached with write access is never sent, even after they detach', async () => {
    const { w, enters } = watch();
    await w.look(capture('input-empty'), true, false);
    await w.look(capture('input-draft'), false, false); // appeared since the look that saw them attached
    vi.advanceTimersByTime(10 * 60_000);
    await w.look(capture('input-draft'), false, false);
    expect(enters).toEqual([]);
  });
});
