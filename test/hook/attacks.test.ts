// The attack lines of issue 13 (test/hook/attacks.ts) against the shipped bundle: every catastrophic
// one denied, none of the others allowed, and every one answered (the pathological ones within the
// hook's work budget; their times are in BENCHMARKS.md).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTACKS } from './attacks.js';
import { ROOT } from '../helpers.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: HookModule;
const HOME = '/home/ada';
const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [`${HOME}/.claude/channels/discord/.env`, `${HOME}/.config/buddy-init/buddy/auth.env`] };

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
});

const classify = (command: string) => hook.classifyCommand(command, { cwd: `${HOME}/work`, home: HOME, config, deadline: performance.now() + 1000 });

describe('attacks (issue 13)', () => {
  it('has lines of every class the review found', () => {
    expect(new Set(ATTACKS.map((a) => a.class))).toEqual(new Set(['parse', 'shell', 'builtins', 'args', 'wrappers', 'secrets', 'catastrophic', 'time']));
    expect(ATTACKS.length).toBeGreaterThan(150);
  });

  for (const a of ATTACKS) {
    it(`${a.class.padEnd(12)} ${a.expect.padEnd(4)} ${JSON.stringify(a.line).slice(0, 90)}`, () => {
      const d = classify(a.line);
      if (a.expect === 'deny') expect(d.decision, d.reason).toBe('deny');
      if (a.expect === 'no') expect(d.decision, d.reason).not.toBe('allow');
      expect(d.reason.length).toBeGreaterThan(5);
    });
  }

  it('a deny found before the work budget runs out stands; with nothing found, running out asks', () => {
    // 20 ms: enough to find `rm -rf ~` (a few ms), too little for the walk of /usr/share a recursive
    // chmod asks for (what it would change), so the budget runs out inside it (the first line shows it does).
    const late = (command: string) => hook.classifyCommand(command, { cwd: `${HOME}/work`, home: HOME, config, deadline: performance.now() + 20 });
    const walk = 'chmod -R 755 /usr/share';
    expect(late(walk)).toMatchObject({ decision: 'ask', reason: expect.stringMatching(/too much work to check \(time\)/) });
    expect(late(`rm -rf ~; ${walk}`)).toMatchObject({ decision: 'deny', reason: expect.stringMatching(/rm deletes \/home\/ada, your home folder/) });
  });

  it('safeVerbs adds verbs, never switches a built-in policy off', () => {
    const withJq = { ...config, safeVerbs: ['jq', 'mytool'] };
    const d = (c: string) => hook.classifyCommand(c, { cwd: `${HOME}/work`, home: HOME, config: withJq, deadline: performance.now() + 1000 }).decision;
    expect(d('jq -n env')).not.toBe('allow');
    expect(d("jq -L /tmp 'import \"x\" as y; .' f")).not.toBe('allow');
    expect(d('mytool --anything')).toBe('allow');
    expect(d('jq .name package.json')).toBe('allow');
  });
});
