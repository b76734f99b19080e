// Each command family's policy table (test/hook/families.ts) against the shipped bundle.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from './families.js';
import { ROOT } from '../helpers.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: HookModule;
const HOME = '/home/ada';
const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [`${HOME}/.claude/channels/discord/.env`] };

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
});

for (const [family, rows] of Object.entries(FAMILIES)) {
  describe(`command family: ${family}`, () => {
    it('has both sides of its policy', () => {
      expect(rows.some(([, e]) => e === 'allow')).toBe(true);
      expect(rows.some(([, e]) => e !== 'allow')).toBe(true);
    });
    for (const [line, expected] of rows) {
      it(`${expected.padEnd(5)} ${line}`, () => {
        const d = hook.classifyCommand(line, { cwd: `${HOME}/work`, home: HOME, config, deadline: performance.now() + 1000 });
        if (expected === 'no') expect(d.decision, d.reason).not.toBe('allow');
        else expect(d.decision, d.reason).toBe(expected);
      });
    }
  });
}
