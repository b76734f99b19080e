// The third round (issue 27): the generated corpus of test/hook/third.ts against the shipped hook, as
// apply renders it on a realistic home (no sandbox: the hook must hold by itself), and each line run
// for real by the machine's bash and tools to show the harm it does (test/hook/harm.ts; one line in
// four in `npm run test:all`, every line with `npm run harm`).
// Auto-approved means what Claude Code would run without a person: the hook's allow, or the hook's
// silence where an allow rule of the rendered settings matches.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHome, plantSecrets, runForReal } from './harm.js';
import { NEAR_MISSES, THIRD, type ThirdAttack } from './third.js';
import { buddyHere } from '../buddyHere.js';
import { ROOT } from '../helpers.js';
import type { HookConfig } from '../../src/runtime/hook/config.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: HookModule;
let home: string;

/** A buddy as apply renders it, without a sandbox; `allow` adds the recipe's own rules. */
async function rendered(allow: string[] = [], variant: 'first' | 'second' = 'first'): Promise<{ config: HookConfig; rules: string[] }> {
  home = buildHome(undefined, variant);
  const extra = allow.length ? `permissions:\n  allow:\n${allow.map((r) => `    - "${r}"\n`).join('')}` : '';
  await buddyHere(home, `name: jarvis\nextends: balanced\nworkdir: ~/work\nsandbox: false\n${extra}`);
  plantSecrets(home, variant);
  const config = JSON.parse(readFileSync(join(home, '.config/buddy-init/jarvis/hook.json'), 'utf8')) as HookConfig;
  const settings = JSON.parse(readFileSync(join(home, 'work/.claude/settings.local.json'), 'utf8')) as { permissions: { allow: string[] } };
  return { config, rules: settings.permissions.allow.filter((r) => r.startsWith('Bash(')) };
}

/**
 * Whether a Bash allow rule would approve the line, read generously (as Claude Code does for each
 * command of a compound line): `Bash(git log *)` and `Bash(git log:*)` match a command starting with
 * `git log`; a rule without a wildcard matches the command exactly.
 */
function ruleMatches(rule: string, line: string): boolean {
  const body = /^Bash\((.*)\)$/s.exec(rule)?.[1];
  if (body === undefined) return false;
  const pattern = body.replace(/:\*$/, ' *');
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  const commands = line.split(/\s*(?:&&|\|\||;|\||\n)\s*/);
  return [line, ...commands].some((c) => re.test(c.trim()) || re.test(c.trim().replace(/ \*$/, '')));
}

const classify = (config: HookConfig, line: string) => hook.classifyCommand(line.replaceAll('{H}', home), { cwd: join(home, 'work'), home, config, deadline: performance.now() + 1000 });

function judge(config: HookConfig, rules: string[], a: ThirdAttack): string | undefined {
  const d = classify(config, a.line);
  const approvedBy = d.decision === 'none' ? rules.find((r) => ruleMatches(r, a.line.replaceAll('{H}', home))) : undefined;
  if (d.decision === 'allow') return `${JSON.stringify(a.line)} allowed: ${d.reason}`;
  if (approvedBy) return `${JSON.stringify(a.line)}: the hook said nothing (${d.reason}) and ${approvedBy} approves it`;
  if (a.expect === 'deny' && d.decision !== 'deny') return `${JSON.stringify(a.line)}: ${d.decision}, not deny (${d.reason})`;
  return undefined;
}

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
});

describe('the third round (issue 27), against the hook as apply renders it', () => {
  it('has many variants of every class', () => {
    const count = (c: ThirdAttack['class']) => THIRD.filter((a) => a.class === c).length;
    for (const c of ['silence', 'variables', 'repository', 'readers', 'table', 'tmux', 'definite'] as const) expect(count(c), c).toBeGreaterThanOrEqual(10);
    expect(THIRD.length).toBeGreaterThan(500);
  });

  it('auto-approves none of the lines and denies every secret read, protected write and tmux line (balanced preset)', async () => {
    const { config, rules } = await rendered();
    // The presets leave read-only commands to the hook's proof: no static Bash allow rule to fall back on.
    expect(rules).toEqual([]);
    const failures = THIRD.map((a) => judge(config, rules, a)).filter(Boolean);
    const denied = THIRD.filter((a) => classify(config, a.line).decision === 'deny').length;
    console.log(`third round: ${THIRD.length} lines, ${denied} denied, ${failures.length} failures`);
    expect(failures).toEqual([]);
  });

  it("never stays silent where the recipe's own Bash allow rule would approve the line", async () => {
    const { config, rules } = await rendered(['Bash(git log *)', 'Bash(cat *)', 'Bash(sort:*)', 'Bash(npm test)']);
    expect(rules.length).toBe(4);
    expect(THIRD.map((a) => judge(config, rules, a)).filter(Boolean)).toEqual([]);
    // Not read-only, and a rule would run it: a person decides. Without a matching rule, the hook leaves it to Claude Code.
    expect(classify(config, 'git log -1 --output=notes.txt').decision).toBe('ask');
    expect(classify(config, 'sort -o out.txt README.md').decision).toBe('ask');
    expect(classify(config, 'npm test').decision).toBe('ask');
    expect(classify(config, 'npm run build').decision).toBe('none');
    expect(classify(config, 'git log --oneline -3').decision).toBe('allow');
    // With the sandbox around every command, silence leaves the line to it; a catch-all rule is the recipe's wish to run everything.
    expect(classify({ ...config, sandboxed: true }, 'git log -1 --output=notes.txt').decision).toBe('none');
    expect(classify({ ...config, allowRules: ['Bash(*)'] }, 'npm test').decision).toBe('none');
  });

  it("asks about files that may hold secrets but are read for good reasons (a project's .env, the transcripts)", async () => {
    const { config } = await rendered();
    for (const line of ['cat .env', 'head -5 config/.env.production', 'cat ~/.claude/projects/-home-ada-work/0b1.jsonl', 'grep -r token ~/.claude/projects']) expect(classify(config, line).decision, line).toBe('ask');
    expect(classify(config, 'cat .env.example').decision).toBe('allow');
  });

  it('does not allow an unknown value where it can become an option', async () => {
    const { config } = await rendered();
    for (const line of ['find . $ARGS', 'ls $OPTS', 'sort $FLAGS data.json', 'git log $X']) expect(classify(config, line).decision, line).not.toBe('allow');
  });

  it('still allows the read-only near misses', async () => {
    const { config } = await rendered();
    const refused = NEAR_MISSES.map((line) => ({ line, d: classify(config, line) })).filter((r) => r.d.decision !== 'allow');
    expect(refused.map((r) => `${r.line}: ${r.d.decision} (${r.d.reason})`)).toEqual([]);
  });
});

describe('each attack does its harm when run for real (the oracle that the corpus is attacks)', () => {
  it('shows the harm of nearly every line, and the hook approves none of those', async () => {
    await rendered([], 'second');
    const second = home;
    const { config, rules } = await rendered();
    const template = home;
    const byClass = new Map<string, { lines: number; harmful: number }>();
    const harmless: string[] = [];
    const approved: string[] = [];
    // Each line takes a fresh home and a real run: one in four here (every class), all with `npm run harm`.
    const lines = THIRD.filter((x, i) => x.harm !== 'policy' && (process.env.HARM_ALL === '1' || i % 4 === 0));
    for (const a of lines) {
      const harm = runForReal(template, a.line, second);
      const did = a.harm === 'leak' ? harm.leaked.length > 0 : a.harm === 'write' ? harm.written.length > 0 : harm.ran;
      const c = byClass.get(a.class) ?? { lines: 0, harmful: 0 };
      c.lines++;
      if (did) c.harmful++;
      byClass.set(a.class, c);
      if (!did) harmless.push(a.line);
      else if (judge(config, rules, a)) approved.push(judge(config, rules, a)!);
    }
    console.log(`harm shown: ${[...byClass].map(([k, v]) => `${k} ${v.harmful}/${v.lines}`).join(', ')}; no harm shown by: ${harmless.map((l) => JSON.stringify(l)).join(' ')}`);
    expect(approved).toEqual([]);
    for (const [k, v] of byClass) expect(v.harmful / v.lines, k).toBeGreaterThan(0.6);
  }, 600_000);
});
