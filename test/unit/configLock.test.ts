// Issue 28.3: Claude Code's lock on ~/.claude.json (the directory <file>.lock, mkdir'd around each write,
// its mtime refreshed every 5 s, taken over after 10 s without a move), as the supervisor takes it and
// as apply takes it on a target (here this machine, through the same Target apply uses). The holders
// here are other processes doing what Claude Code does with the directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Neighbours } from '../../src/plan/record/neighbours.js';
import { Sealer } from '../../src/plan/record/seal.js';
import { mergeInto } from '../../src/plan/write/sharedWrite.js';
import { withConfigLockSync } from '../../src/runtime/shared/configLock.js';
import { LocalTarget } from '../../src/target/index.js';
import { tempDir, writeFile } from '../helpers.js';

/** A live holder: makes the lock and touches it every second, as Claude Code does every 5 s. */
function liveHolder(lock: string): ChildProcess {
  mkdirSync(lock);
  return spawn(process.execPath, ['-e', `setInterval(() => { const t = new Date(); require('fs').utimesSync(${JSON.stringify(lock)}, t, t); }, 1000)`], { stdio: 'ignore' });
}
let holder: ChildProcess | undefined;
afterEach(() => holder?.kill());

/** A first apply's view: no record, no other buddy. */
const ownership = { sealer: new Sealer(randomBytes(32)), neighbours: new Neighbours([]), adopt: false };
const trust = { kind: 'json-merge' as const, path: '', mode: 0o600, description: 'test', effects: [], display: 'diff' as const, managed: { values: [{ path: ['hasCompletedOnboarding'], value: true }], members: [] } };

describe("Claude Code's lock on ~/.claude.json", () => {
  it('the supervisor runs its write inside it and leaves nothing behind', () => {
    const file = join(tempDir(), '.claude.json');
    const seen = withConfigLockSync(file, 2000, () => existsSync(`${file}.lock`));
    expect(seen).toBe(true);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a live holder: the supervisor gives up after its patience, naming the lock; apply too, the file untouched', async () => {
    const dir = tempDir();
    const file = writeFile(join(dir, '.claude.json'), '{"numStartups": 3}\n');
    holder = liveHolder(`${file}.lock`);
    const started = Date.now();
    expect(() => withConfigLockSync(file, 1500, () => 'ran')).toThrow(`${file}.lock was held for 2 s (Claude Code writing ${file}); run the command again, or remove that folder if no claude runs`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    const error = await mergeInto(new LocalTarget(), { ...trust, path: file, lock: `${file}.lock` }, ownership).catch((e: Error) => e);
    expect((error as Error).message).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}\\.lock was held for 1[5-6] s \\(Claude Code writing`));
    expect(readFileSync(file, 'utf8')).toBe('{"numStartups": 3}\n');
    expect(existsSync(`${file}.lock`)).toBe(true); // the holder's, left to it
  }, 30_000);

  it('a lock whose holder died (its mtime never moves) is taken over after 10 s, as Claude Code does', async () => {
    const dir = tempDir();
    const file = writeFile(join(dir, '.claude.json'), '{"numStartups": 3}\n');
    mkdirSync(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    const started = Date.now();
    const change = await mergeInto(new LocalTarget(), { ...trust, path: file, lock: `${file}.lock` }, ownership);
    const waited = Date.now() - started;
    expect(change.op).toBe('update');
    expect(waited).toBeGreaterThanOrEqual(10_000);
    expect(waited).toBeLessThan(13_000);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ numStartups: 3, hasCompletedOnboarding: true });
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 30_000);
});
