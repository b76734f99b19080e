import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { describeProblem, grammarProblem, ruleProblem, ruleWarning, type RuleList } from '../../src/permissions/rules.js';
import { FIXTURES } from '../helpers.js';

/**
 * Real verdicts of `claude doctor`, one file per Claude Code version (scripts/capture-claude.mjs):
 * "kept", "kept; warns: <its warning>" or "skipped: <its reason>".
 */
const captured = readdirSync(join(FIXTURES, 'claude-code')).map((version) => ({
  version,
  verdicts: JSON.parse(readFileSync(join(FIXTURES, 'claude-code', version, 'rule-verdicts.json'), 'utf8')) as Record<'allow' | 'deny', Record<string, string>>,
}));

describe.each(captured)("Claude Code $version's permission rule grammar, rule by rule", ({ version, verdicts }) => {
  const grammar = semver.gte(version, '2.1.332') ? 'current' : 'legacy';
  for (const list of ['allow', 'deny'] as const) {
    for (const [rule, verdict] of Object.entries(verdicts[list])) {
      it(`${list} ${JSON.stringify(rule)} -> ${verdict.slice(0, 60)}`, () => {
        const problem = grammarProblem(rule, list, grammar);
        if (verdict.startsWith('skipped: ')) expect(problem && describeProblem(problem)).toBe(verdict.slice('skipped: '.length));
        else expect(problem, problem && describeProblem(problem)).toBeUndefined();
        // What it warns about, buddy-init warns about (buddy-init also names tools no version knows).
        const warning = ruleWarning(rule, list);
        if (verdict.startsWith('kept; warns: ') && grammar === 'current') expect(warning).toBeDefined();
        if (verdict === 'kept' && grammar === 'current') expect(warning ?? '').not.toMatch(/file permission checks|not at the end|trailing :\*/);
      });
    }
  }
});

describe("Claude Code's permission rule grammar", () => {
  it('refuses, for a recipe that may meet any version, what any supported version skips, saying which', () => {
    expect(describeProblem(ruleProblem('Bash(git push:* --force)', 'deny')!)).toBe(
      'The :* pattern must be at the end. Move :* to the end for prefix matching, or use * for wildcard matching (Claude Code 2.1.197)',
    );
    expect(ruleProblem('Bash(git push:* --force)', 'deny', '2.1.332')).toBeUndefined();
    expect(describeProblem(ruleProblem('Bash(echo (a)) x', 'allow')!)).toMatch(/^Malformed Tool\(content\) rule.*\(Claude Code 2\.1\.332\+\)$/);
    expect(describeProblem(ruleProblem('Bash(:*)', 'allow')!)).toBe('Prefix cannot be empty before :*. Specify a command prefix before :*');
  });

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
