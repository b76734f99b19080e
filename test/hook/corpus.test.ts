import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from './corpus.js';
import { ROOT } from '../helpers.js';

// The shipped bundle itself, not the sources: what runs on targets is what is tested.
type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: HookModule;

const HOME = '/home/ada';
const config = {
  safeVerbs: [],
  subcommandSafe: {},
  hardDeny: ['terraform destroy'],
  protectedPaths: [`${HOME}/.claude/channels/discord/.env`, `${HOME}/.config/buddy-init/buddy/auth.env`],
};

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
});

const classify = (command: string, cwd = `${HOME}/work`) =>
  hook.classifyCommand(command, { cwd, home: HOME, config, deadline: performance.now() + 5000 });

describe('hook corpus', () => {
  it('has at least 300 commands, most of them adversarial', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(300);
    expect(CORPUS.filter(([, e]) => e !== 'allow').length).toBeGreaterThan(CORPUS.length / 2);
  });

  it('allows none of the commands that write, run code or destroy', () => {
    const leaks = CORPUS.filter(([, e]) => e !== 'allow').filter(([c]) => classify(c).decision === 'allow');
    expect(leaks.map(([c]) => c)).toEqual([]);
  });

  for (const [command, expected] of CORPUS) {
    it(`${expected.padEnd(5)} ${JSON.stringify(command)}`, () => {
      const d = classify(command);
      if (expected === 'no') expect(d.decision, d.reason).not.toBe('allow');
      else expect(d.decision, d.reason).toBe(expected);
      if (d.decision === 'deny') expect(d.reason.length).toBeGreaterThan(10);
    });
  }
});

describe('a second parser: bash itself', () => {
  it('never allows a line that bash refuses to parse', async () => {
    const { spawnSync } = await import('node:child_process');
    const refused = CORPUS.filter(([c]) => spawnSync('bash', ['-n', '-c', c]).status !== 0).map(([c]) => c);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const c of refused) expect(classify(c).decision, c).not.toBe('allow');
  });
});
