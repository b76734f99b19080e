/**
 * Claude Code's permission rule grammar, as its settings loader checks it, in the two shapes the
 * supported versions have: observed with `claude doctor` on 2.1.197 and 2.1.332 over the rules of
 * test/fixtures/claude-rules/corpus.json (scripts/capture-claude.mjs writes the verdicts to
 * test/fixtures/claude-code/<version>/rule-verdicts.json; the tests compare every one).
 *
 * Claude Code skips an invalid rule with `Invalid permission rule "<rule>" was skipped: <error>. <hint>`
 * and keeps loading the rest of the file, so a bad deny rule becomes a phantom safeguard. We refuse such
 * a rule before anything is written, with Claude Code's own reason.
 */
import semver from 'semver';

export type RuleList = 'allow' | 'deny' | 'ask';

export interface RuleProblem {
  /** Claude Code's error sentence. */
  error: string;
  /** Claude Code's suggestion. */
  hint?: string;
  /** The Claude Code versions that skip the rule, when not every supported one does. */
  versions?: string;
}

const LOWERCASE_TOOL = 'Tool names must start with uppercase';

export function describeProblem(p: RuleProblem, rule?: string): string {
  // Claude Code's own hint for `npm run build` is to capitalise it ("Npm run build"); what was meant is
  // the shell command (`read` stays "Use Read": that one is a tool).
  const bare = rule?.trim() ?? '';
  const tool = bare[0]?.toUpperCase() + bare.slice(1);
  const command = bare && p.error === LOWERCASE_TOOL && !bare.includes('(') && !KNOWN_TOOLS.has(tool) ? `Did you mean "Bash(${bare})"?` : undefined;
  const hint = command ?? p.hint;
  const text = hint ? `${p.error}. ${hint}` : p.error;
  return p.versions ? `${text} (Claude Code ${p.versions})` : text;
}

/**
 * The grammars: `legacy` up to at least 2.1.197, `current` from 2.1.332 on (between the two, which one a
 * version has is not known, so both are applied).
 */
export type Grammar = 'legacy' | 'current';
const CURRENT_SINCE = '2.1.332';
const GRAMMAR_VERSIONS: Record<Grammar, string> = { legacy: '2.1.197', current: `${CURRENT_SINCE}+` };

/** The grammars a Claude Code version may use; with no version known (or a recipe for any target), both. */
export function grammarsFor(version?: string): Grammar[] {
  return version && semver.valid(version) && semver.gte(version, CURRENT_SINCE) ? ['current'] : ['legacy', 'current'];
}

/** Tools whose rule content is a gitignore-style path, where `:*` means nothing. */
const FILE_TOOLS = new Set(['Read', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'NotebookRead', 'Glob', 'Grep', 'LS']);

/**
 * Tool names the supported versions know (2.1.197 and 2.1.332 agree); a rule for another name is kept
 * but can never match. MultiEdit, LS, NotebookRead and SlashCommand are gone since at least 2.1.197.
 */
export const KNOWN_TOOLS = new Set([
  ...['Read', 'Edit', 'Write', 'NotebookEdit', 'Glob', 'Grep'],
  ...['Bash', 'BashOutput', 'KillShell', 'PowerShell', 'Monitor', 'LSP', 'WebFetch', 'WebSearch', 'ToolSearch'],
  ...['Task', 'Agent', 'SendMessage', 'TodoWrite', 'Skill', 'AskUserQuestion', 'EnterPlanMode', 'ExitPlanMode'],
  ...['EnterWorktree', 'ExitWorktree', 'PushNotification', 'RemoteTrigger', 'ScheduleWakeup', 'CronCreate', 'CronDelete', 'CronList'],
]);

export interface ParsedRule {
  tool: string;
  /** Text between the outer parentheses; undefined for a bare tool name. */
  content?: string;
}

/** Splits `Tool(content)`; anything else is a bare tool name (which may itself hold wildcards). */
export function parseRule(rule: string): ParsedRule {
  const m = /^([^(]*)\(([\s\S]*)\)$/.exec(rule);
  return m ? { tool: m[1]!, content: m[2]! } : { tool: rule };
}

/** Parentheses balance, a backslash-escaped one not counting (Claude Code writes `\(` itself). */
function parenthesesBalanced(rule: string): boolean {
  let depth = 0;
  for (let i = 0; i < rule.length; i++) {
    const ch = rule[i];
    if (ch === '\\') i++;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function mcpServerPrefix(tool: string): string | undefined {
  return /^(mcp__[^_*]+(?:_[^_*]+)*__)/.exec(tool)?.[1];
}

/** The shape checks, where the grammars differ. */
function shapeProblem(rule: string, grammar: Grammar): RuleProblem | undefined {
  if (grammar === 'current') {
    if (!/[()]/.test(rule)) return undefined;
    const { content, tool } = parseRule(rule);
    if (content === undefined) {
      return {
        error: 'Malformed Tool(content) rule',
        hint: 'Rules take the form Tool or Tool(content) and must end at the closing ")"; parentheses inside the content are literal',
      };
    }
    return content === '' ? emptyParentheses(tool) : undefined;
  }
  if (!parenthesesBalanced(rule)) {
    return { error: 'Mismatched parentheses', hint: 'Ensure all opening parentheses have matching closing parentheses' };
  }
  // 2.1.197 looks for "()" anywhere in the rule, so `Bash(node -e "f()")` is refused too
  // (anthropics/claude-code#67503).
  return rule.includes('()') ? emptyParentheses(parseRule(rule).tool) : undefined;
}

const emptyParentheses = (tool: string): RuleProblem => ({
  error: 'Empty parentheses',
  hint: `Either specify a pattern or use just "${tool.trim() || 'Bash'}" without parentheses`,
});

/** Why one grammar skips `rule`; the order of the checks follows Claude Code's, so the reason is its own. */
export function grammarProblem(rule: string, list: RuleList, grammar: Grammar): RuleProblem | undefined {
  if (rule.trim() === '') return { error: 'Permission rule cannot be empty' };
  const shape = shapeProblem(rule.trim(), grammar);
  if (shape) return shape;
  const { tool, content } = parseRule(rule);
  if (tool.trim() === '') return { error: 'Tool name cannot be empty' };

  const isMcp = tool.startsWith('mcp__');
  if (tool.includes('*') && list === 'allow') {
    const prefix = mcpServerPrefix(tool);
    if (!prefix || prefix.includes('*')) {
      return {
        error: `Wildcard tool name "${tool}" is not supported in allow rules`,
        hint:
          'An allow pattern must name the scope it widens — globs are permitted only in the tool position after a ' +
          'literal mcp__<server>__ prefix. Deny and ask rules accept wildcards anywhere',
      };
    }
  }
  if (!isMcp && /^[a-z]/.test(tool)) {
    const fixed = tool[0]!.toUpperCase() + tool.slice(1);
    return { error: LOWERCASE_TOOL, hint: `Use "${fixed}"` };
  }
  if (content === undefined) return undefined;

  if (isMcp) {
    const server = /^mcp__(.+?)__/.exec(tool)?.[1] ?? tool.slice('mcp__'.length);
    const rest = tool.slice(`mcp__${server}__`.length);
    return {
      error: 'MCP rules do not support patterns in parentheses',
      hint:
        grammar === 'legacy'
          ? `Use "${tool}" without parentheses, or use "mcp__${server}__*" for all tools`
          : `Use "${tool}" without parentheses. For all tools of a server, use "mcp__${server}__*" for the server "${server}", or "${tool}__*" for a server named "${server}__${rest}"`,
    };
  }
  if (tool === 'Bash' && content.includes(':*')) {
    // A :* in the middle of a rule that does not end in :*: 2.1.197 skips it; 2.1.332 keeps it (as a
    // literal : and a * wildcard) and warns. Both keep `psql:* DROP:*`.
    if (grammar === 'legacy' && !content.endsWith(':*')) {
      return { error: 'The :* pattern must be at the end', hint: 'Move :* to the end for prefix matching, or use * for wildcard matching' };
    }
    if (content.endsWith(':*') && content.slice(0, -2).trim() === '') {
      return { error: 'Prefix cannot be empty before :*', hint: 'Specify a command prefix before :*' };
    }
  }
  if (FILE_TOOLS.has(tool) && content.endsWith(':*')) {
    return { error: 'The ":*" syntax is only for Bash prefix rules', hint: 'Use glob patterns like "*" or "**" for file matching' };
  }
  if (tool === 'WebFetch' && content !== '*' && !content.startsWith('domain:')) {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(content)
      ? { error: 'WebFetch permissions use domain format, not URLs', hint: 'Use "domain:hostname" format' }
      : { error: 'WebFetch permissions must use "domain:" prefix', hint: 'Use "domain:hostname" format' };
  }
  return undefined;
}

/**
 * Why Claude Code would skip `rule` in the given list, or undefined when it keeps it. With a version,
 * that version's grammar; without one (a recipe, for any target and any later update), every supported
 * version's: a rule one of them skips is refused, saying which.
 */
export function ruleProblem(rule: string, list: RuleList, claudeVersion?: string): RuleProblem | undefined {
  const grammars = grammarsFor(claudeVersion);
  const problems = grammars.map((g) => [g, grammarProblem(rule, list, g)] as const).filter(([, p]) => p);
  if (problems.length === 0) return undefined;
  const [grammar, problem] = problems[problems.length - 1]!; // the newest grammar's reason first
  return problems.length === grammars.length ? problem : { ...problem!, versions: GRAMMAR_VERSIONS[grammar] };
}

/**
 * Rules Claude Code keeps but that cannot do what they look like they do: what 2.1.332 warns about, and
 * tools no supported version knows. Warnings, not errors: a newer Claude Code may know a tool we do not.
 */
export function ruleWarning(rule: string, list: RuleList): string | undefined {
  const { tool, content } = parseRule(rule.trim());
  if (tool.includes('*') || tool.startsWith('mcp__')) return undefined;
  if (content !== undefined && (tool === 'Write' || tool === 'MultiEdit' || tool === 'Glob')) {
    const by = tool === 'Glob' ? 'Read' : 'Edit';
    return `${tool}(...) rules are not matched by Claude Code's file permission checks, only ${by}(path) rules are: use ${by}(${content})`;
  }
  if (tool === 'Bash' && content !== undefined) {
    if (content.includes(':*') && !content.endsWith(':*')) return 'a :* that is not at the end is matched as a literal ":" and a * wildcard, not as a prefix';
    if (content.endsWith(':*') && content.slice(0, -2).replaceAll(':*', '').includes('*')) {
      return 'mixing * with a trailing :* makes Claude Code match a literal prefix: the * is not expanded';
    }
  }
  if (!KNOWN_TOOLS.has(tool)) {
    return `tool "${tool}" is not one Claude Code knows, so this ${list} rule never matches anything`;
  }
  return undefined;
}
