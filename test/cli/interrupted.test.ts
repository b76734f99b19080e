// Issue 16: an apply cut short at ANY write step (SIGKILL, or Ctrl-C's SIGINT, injected just before the
// n-th file write or removal by BUDDY_INIT_TEST_FAULT) or by a full disk, followed by uninstall, or by a
// re-apply and then uninstall: nothing of buddy-init's is left (no token, no rule, no hook entry, no trust
// flag; the files it made are gone), and the person's own keys and rules are exactly as they were.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, discordToken, filesUnder, tempDir, writeFile } from '../helpers.js';
import { Terminal } from '../pty.js';

const HOME = homedir();
// The suite cuts with SIGKILL at every step and with SIGINT at every third, and fills the disk in 200 KB
// steps; `npm run test:faults` (BUDDY_FAULTS=all) does SIGINT at every step and 50 KB steps too.
const ALL = process.env.BUDDY_FAULTS === 'all';
const TOKEN = discordToken('interrupted');
const OAUTH = 'sk-ant-oat01-interrupted-0123456789abcdef';
const ENV = { ...process.env, NO_COLOR: '1', BUDDY_T_DISCORD: TOKEN, BUDDY_T_OAUTH: OAUTH };
const PERSON_CLAUDE_JSON = { numStartups: 3, theme: 'dark', projects: { '/elsewhere': { allowedTools: ['Bash(ls)'] } } };
const PERSON_SETTINGS = { model: 'opus', permissions: { allow: ['Bash(make mine)'] } };
const dir = tempDir('buddy-interrupted-');
const recipe = (posture: string) =>
  writeFile(
    join(dir, `${posture}.yaml`),
    `name: cut\nextends: ${posture}\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: BUDDY_T_DISCORD }\n    allowFrom: ['42']\nauth:\n  oauthToken: { env: BUDDY_T_OAUTH }\n`,
  );

function freshRoot(): string {
  const root = tempDir('buddy-cut-');
  writeFile(join(root, HOME, '.claude.json'), JSON.stringify(PERSON_CLAUDE_JSON));
  writeFile(join(root, HOME, 'work/.claude/settings.local.json'), JSON.stringify(PERSON_SETTINGS));
  return root;
}

function cli(args: string[], root: string, fault?: string): { code: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--root', root], { encoding: 'utf8', env: { ...ENV, ...(fault ? { BUDDY_INIT_TEST_FAULT: fault } : {}) } });
  return { code: r.status, signal: r.signal, stderr: r.stderr };
}

/** Nothing of buddy-init's is left, and the person's files are exactly theirs. */
function clean(root: string, what: string): void {
  const json = (p: string) => JSON.parse(readFileSync(join(root, HOME, p), 'utf8'));
  expect(json('.claude.json'), what).toEqual(PERSON_CLAUDE_JSON);
  expect(json('work/.claude/settings.local.json'), what).toEqual(PERSON_SETTINGS);
  const left = filesUnder(root).filter((f) => !/\/\.local\/state\/buddy-init\/[a-z]+\/backups\//.test(f) && !f.endsWith('/seal.key'));
  expect(left.map((f) => f.slice(root.length)).sort(), what).toEqual([join(HOME, '.claude.json'), join(HOME, 'work/.claude/settings.local.json')].sort());
  for (const f of filesUnder(root)) expect(readFileSync(f, 'latin1'), `${what}: ${f}`).not.toMatch(new RegExp(`${TOKEN}|${OAUTH}`));
}

/** How many write steps an uninterrupted apply takes from `setup` (the fault is never reached). */
function steps(setup: () => string, file: string): number {
  for (let n = 1; n < 60; n++) {
    const r = cli(['apply', '--yes', '--recipe', file], setup(), `${n}:SIGKILL`);
    if (r.signal === null) return n - 1;
  }
  throw new Error('more than 60 write steps?');
}

const measured: string[] = [];
afterAll(() => console.log(`interrupted applies: ${measured.join('; ')}`));

describe.each([
  ['a first apply', () => freshRoot(), 'balanced', 12],
  [
    'a posture change (balanced -> strict)',
    () => {
      const root = freshRoot();
      expect(cli(['apply', '--yes', '--recipe', recipe('balanced')], root).code).toBe(0);
      return root;
    },
    'strict',
    4,
  ],
] as const)('%s, cut short at every write step', (what, setup, posture, atLeast) => {
  const file = recipe(posture);
  const total = steps(setup, file);

  it.each(['SIGKILL', 'SIGINT'])(`%s at each of the steps, then uninstall: clean`, (signal) => {
    expect(total).toBeGreaterThanOrEqual(atLeast);
    const every = signal === 'SIGINT' && !ALL ? 3 : 1;
    for (let n = 1; n <= total; n += every) {
      const root = setup();
      const cut = cli(['apply', '--yes', '--recipe', file], root, `${n}:${signal}`);
      expect(cut.signal, `${what}: step ${n}`).toBe(signal);
      const un = cli(['uninstall', '--yes', '--recipe', file], root);
      // Cut before the record was first written, there is nothing to uninstall, and nothing was written.
      expect(un.code, `${what}: step ${n}: ${un.stderr}`).toBe(0);
      clean(root, `${what}, ${signal} before write ${n}, then uninstall`);
    }
    measured.push(`${what}: ${Math.ceil(total / every)} of ${total} write steps x ${signal}, each then uninstalled: clean`);
  }, 300_000);

  it(`SIGKILL at each of the steps, then a re-apply (which finishes the job) and uninstall: clean`, () => {
    for (let n = 1; n <= total; n++) {
      const root = setup();
      cli(['apply', '--yes', '--recipe', file], root, `${n}:SIGKILL`);
      const again = cli(['apply', '--yes', '--recipe', file], root);
      expect(again.code, `${what}: step ${n}: ${again.stderr}`).toBe(0);
      // Finished: a further apply has nothing to do.
      expect(spawnSync(process.execPath, [CLI, 'plan', '--recipe', file, '--root', root], { encoding: 'utf8', env: ENV }).stdout, `step ${n}`).toContain('No changes');
      expect(cli(['uninstall', '--yes', '--recipe', file], root).code).toBe(0);
      clean(root, `${what}, SIGKILL before write ${n}, re-apply, uninstall`);
    }
    measured.push(`${what}: ${total} steps, each re-applied then uninstalled: clean`);
  }, 300_000);
});

describe('a rename (old -> cut), cut short at every write step', () => {
  // The old name's unit and files come out first, then the new name's go in. Cut anywhere, a re-apply
  // finishes both halves and uninstall of the new name leaves nothing of either.
  const file = join(dir, 'renamed.yaml');
  const setup = () => {
    const root = freshRoot();
    writeFileSync(file, readFileSync(recipe('balanced'), 'utf8').replace('name: cut', 'name: old'));
    expect(cli(['apply', '--yes', '--recipe', file], root).code).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: old', 'name: cut'));
    return root;
  };
  it('SIGKILL at each of the steps, then a re-apply and uninstall: clean', () => {
    const total = steps(setup, file);
    expect(total).toBeGreaterThanOrEqual(12);
    const every = ALL ? 1 : 2; // the suite takes every other step; npm run test:faults all of them
    for (let n = 1; n <= total; n += every) {
      const root = setup();
      cli(['apply', '--yes', '--recipe', file], root, `${n}:SIGKILL`);
      const again = cli(['apply', '--yes', '--recipe', file], root);
      expect(again.code, `rename: step ${n}: ${again.stderr}`).toBe(0);
      expect(spawnSync(process.execPath, [CLI, 'plan', '--recipe', file, '--root', root], { encoding: 'utf8', env: ENV }).stdout, `step ${n}`).toContain('No changes');
      expect(cli(['uninstall', '--yes', '--recipe', file], root).code).toBe(0);
      clean(root, `rename, SIGKILL before write ${n}, re-apply, uninstall`);
    }
    measured.push(`rename: ${Math.ceil(total / every)} of ${total} write steps, each re-applied then uninstalled: clean`);
  }, 300_000);
});

describe('a full disk', () => {
  // A small tmpfs as the root; a filler leaves less and less room, so the apply fails at each write in turn.
  const mnt = tempDir('buddy-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
  afterAll(() => execFileSync('umount', ['-l', mnt]));

  it('fails with "disk full" at whichever write runs out; after room is made, re-apply and uninstall are clean', () => {
    const failedAt = new Set<string>();
    for (let free = 0; free <= 1400; free += ALL ? 50 : 200) {
      rmSync(join(mnt, 'root'), { recursive: true, force: true });
      rmSync(join(mnt, 'filler'), { force: true });
      const root = join(mnt, 'root');
      mkdirSync(root);
      writeFile(join(root, HOME, '.claude.json'), JSON.stringify(PERSON_CLAUDE_JSON));
      writeFile(join(root, HOME, 'work/.claude/settings.local.json'), JSON.stringify(PERSON_SETTINGS));
      const avail = Number(execFileSync('df', ['--output=avail', '-k', mnt], { encoding: 'utf8' }).trim().split('\n')[1]);
      if (avail > free) writeFileSync(join(mnt, 'filler'), Buffer.alloc((avail - free) * 1024));
      const r = cli(['apply', '--yes', '--recipe', recipe('balanced')], root);
      if (r.code !== 0) {
        expect(r.stderr, `${free} KB free`).toMatch(/disk full/);
        failedAt.add(/cannot \w+ (\S+)/.exec(r.stderr)?.[1] ?? r.stderr.trim());
      }
      rmSync(join(mnt, 'filler'), { force: true });
      expect(cli(['apply', '--yes', '--recipe', recipe('balanced')], root).code, `${free} KB free: re-apply`).toBe(0);
      expect(cli(['uninstall', '--yes', '--recipe', recipe('balanced')], root).code).toBe(0);
      clean(root, `disk full with ${free} KB free`);
    }
    measured.push(`full disk: the apply failed at ${failedAt.size} different writes; each re-applied and uninstalled clean`);
    expect(failedAt.size).toBeGreaterThanOrEqual(2);
  }, 300_000);
});

describe('Ctrl-C at the confirmation (issue 28.13)', () => {
  it('on a machine buddy-init never touched, leaves nothing: not even the folder of its lock', async () => {
    const root = tempDir('buddy-cancel-');
    const t = new Terminal([process.execPath, CLI, 'apply', '--recipe', recipe('balanced'), '--root', root], { PATH: process.env.PATH!, HOME: process.env.HOME!, NO_COLOR: '1', BUDDY_T_DISCORD: TOKEN, BUDDY_T_OAUTH: OAUTH });
    try {
      await t.answer(/Apply these changes\?/, ['C-c']);
      await t.waitFor(/EXIT=130/);
    } finally {
      t.close();
    }
    expect(filesUnder(root)).toEqual([]);
    expect(spawnSync('find', [root, '-mindepth', '1'], { encoding: 'utf8' }).stdout).toBe('');
  });
});
