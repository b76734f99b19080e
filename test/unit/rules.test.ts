import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProblem, ruleProblem, ruleWarning, type RuleList } from '../../src/permissions/rules.js';
import { FIXTURES } from '../helpers.js';

/** Real verdicts of `claude doctor` (Claude Code 2.1.197): "accepted" / "no doctor warning" or the reason. */
const vectors = JSON.parse(readFileSync(join(FIXTURES, 'claude-code-permission-rule-validation.2.1.197.json'), 'utf8')) as Record<
  'allow' | 'deny',
  Record<string, string>
>;

/** The captured reason, without the capture's own notes and truncations. */
function expectedReason(verdict: string): string {
  return verdict.replace(/\s+\(contains.*$/, '').replace(/\s*\.\.\.$/, '');
}

describe("Claude Code's permission rule grammar", () => {
  for (const list of ['allow', 'deny'] as const) {
    for (const [rule, verdict] of Object.entries(vectors[list])) {
      const accepted = verdict === 'accepted' || verdict.startsWith('no doctor warning');
      it(`${list} ${JSON.stringify(rule)} -> ${accepted ? 'kept' : 'skipped'}`, () => {
        const problem = ruleProblem(rule, list);
        if (accepted) expect(problem).toBeUndefined();
        else expect(describeProblem(problem!)).toMatch(new RegExp(`^${expectedReason(verdict).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      });
    }
  }

  it('treats ask like deny: wildcards anywhere', () => {
    expect(ruleProblem('*', 'ask')).toBeUndefined();
    expect(ruleProblem('Bash(rm *)', 'ask')).toBeUndefined();
  });

  it('refuses the fork-bomb deny rule of the reference article (a phantom safeguard)', () => {
    expect(describeProblem(ruleProblem('Bash(:(){ :|:& };:*)', 'deny')!)).toMatch(/^Empty parentheses/);
  });

  it('refuses empty rules and empty tool names', () => {
    expect(ruleProblem('', 'allow')?.error).toBe('Permission rule cannot be empty');
    expect(ruleProblem('(ls)', 'deny')?.error).toBe('Tool name cannot be empty');
  });

  it.each<[string, RuleList]>([
    ['Bsh(ls)', 'deny'],
    ['Wirte(src/**)', 'allow'],
  ])('warns that %s can never match', (rule, list) => {
    expect(ruleWarning(rule, list)).toMatch(/never matches/);
  });

  it('does not warn for known tools and MCP tools', () => {
    for (const rule of ['Bash(ls *)', 'Read', 'WebFetch(domain:example.com)', 'mcp__srv__tool']) expect(ruleWarning(rule, 'allow')).toBeUndefined();
  });
});
