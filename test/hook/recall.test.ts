// Recall: the everyday read-only commands of test/hook/everyday.ts are allowed, at least 95 % of
// them, decided in a real project folder (a git repository with files) as on a buddy.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVERYDAY } from './everyday.js';
import { ROOT, tempDir } from '../helpers.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: HookModule;
const home = tempDir('buddy-recall-home-');
const work = join(home, 'work');

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
  mkdirSync(join(work, 'src'), { recursive: true });
  for (const f of ['src/index.ts', 'src/app.ts', 'package.json', 'README.md']) writeFileSync(join(work, f), '{}\n');
  spawnSync('git', ['init', '-q', work]);
});

describe('recall on everyday read-only commands', () => {
  it('allows at least 95 % of them', () => {
    const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [] };
    const refused = EVERYDAY.map((command) => ({ command, d: hook.classifyCommand(command, { cwd: work, home, config, deadline: performance.now() + 1000 }) })).filter((r) => r.d.decision !== 'allow');
    const share = 1 - refused.length / EVERYDAY.length;
    console.log(`recall: ${EVERYDAY.length - refused.length}/${EVERYDAY.length} allowed (${(share * 100).toFixed(1)} %); not allowed: ${refused.map((r) => `${JSON.stringify(r.command)} (${r.d.reason})`).join('; ')}`);
    expect(EVERYDAY.length).toBeGreaterThanOrEqual(150);
    expect(share).toBeGreaterThanOrEqual(0.95);
    // None of them is ever denied: a false deny would stop the agent cold.
    expect(refused.filter((r) => r.d.decision === 'deny')).toEqual([]);
  });
});
