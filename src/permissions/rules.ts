/**
 * Claude Code's permission rule grammar, as its settings loader checks it (observed on 2.1.197 with
 * `claude doctor`; test/fixtures/claude-code-permission-rule-validation.2.1.197.json holds the verdicts).
 *
 * Claude Code skips an invalid rule with `Invalid permission rule "<rule>" was skipped: <error>. <hint>`
 * and keeps loading the rest of the file, so a bad deny rule becomes a phantom safeguard. We refuse such
 * a rule before anything is written, with Claude Code's own reason.
 */

export type RuleList = 'allow' | 'deny' | 'ask';

export interface RuleProblem {
  /** Claude Code's error sentence. */
  error: string;
  /** Claude Code's suggestion. */
  hint?: string;
}

export function describeProblem(p: RuleProblem): string {
  return p.hint ? `${p.error}. ${p.hint}` : p.error;
}

/** Tools whose rule content is a gitignore-style path, where `:*` means nothing. */
const FILE_TOOLS = new Set(['Read', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'NotebookRead', 'Glob', 'Grep', 'LS']);

/** Tool names Claude Code 2.1 knows; a rule for another name is kept but can never match. */
export const KNOWN_TOOLS = new Set([
  ...FILE_TOOLS,
  'Bash',
  'BashOutput',
  'KillShell',
  'WebFetch',
  'WebSearch',
  'Task',
  'Agent',
  'TodoWrite',
  'Skill',
  'SlashCommand',
  'ExitPlanMode',
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

function parenthesesBalanced(rule: string): boolean {
  let depth = 0;
  for (const ch of rule) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function mcpServerPrefix(tool: string): string | undefined {
  return /^(mcp__[^_*]+(?:_[^_*]+)*__)/.exec(tool)?.[1];
}

/**
 * Returns why Claude Code would skip `rule` in the given list, or undefined when it keeps the rule.
 * The order of the checks follows Claude Code's, so the reason is the one it would print.
 */
export function ruleProblem(rule: string, list: RuleList): RuleProblem | undefined {
  if (rule.trim() === '') return { error: 'Permission rule cannot be empty' };
  if (!parenthesesBalanced(rule)) {
    return {
      error: 'Mismatched parentheses',
      hint: 'Ensure all opening parentheses have matching closing parentheses',
    };
  }
  const { tool, content } = parseRule(rule);
  // Claude Code looks for "()" anywhere in the rule, so `Bash(node -e "f()")` is refused too
  // (anthropics/claude-code#67503). We mirror the verdict: the rule would be skipped either way.
  if (rule.includes('()')) {
    const name = tool.trim() || 'Bash';
    return {
      error: 'Empty parentheses',
      hint: `Either specify a pattern or use just "${name}" without parentheses`,
    };
  }
  if (tool.trim() === '') return { error: 'Tool name cannot be empty' };

  const isMcp = tool.startsWith('mcp__');
  if (tool.includes('*') && list === 'allow') {
    const prefix = mcpServerPrefix(tool);
    if (!prefix || prefix.includes('*')) {
      return {
        error: `Wildcard tool name "${tool}" is not supported in allow rules`,
        hint:
          'An allow pattern must name the scope it widens - globs are permitted only in the tool position after a ' +
          'literal mcp__<server>__ prefix. Deny and ask rules accept wildcards anywhere',
      };
    }
  }
  if (!isMcp && /^[a-z]/.test(tool)) {
    const fixed = tool[0]!.toUpperCase() + tool.slice(1);
    return { error: 'Tool names must start with uppercase', hint: `Use "${fixed}"` };
  }
  if (content === undefined) return undefined;

  if (isMcp) {
    const server = /^mcp__(.+?)__/.exec(tool)?.[1] ?? tool.slice('mcp__'.length);
    return {
      error: 'MCP rules do not support patterns in parentheses',
      hint: `Use "${tool}" without parentheses, or use "mcp__${server}__*" for all tools`,
    };
  }
  if (tool === 'Bash' && content.includes(':*')) {
    if (content.indexOf(':*') !== content.length - 2) {
      return {
        error: 'The :* pattern must be at the end',
        hint: 'Move :* to the end for prefix matching, or use * for wildcard matching',
      };
    }
    if (content.slice(0, -2).trim() === '') {
      return { error: 'Prefix cannot be empty before :*', hint: 'Specify a command prefix before :*' };
    }
  }
  if (FILE_TOOLS.has(tool) && content.endsWith(':*')) {
    return {
      error: 'The ":*" syntax is only for Bash prefix rules',
      hint: 'Use glob patterns like "*" or "**" for file matching',
    };
  }
  if (tool === 'WebFetch' && !content.startsWith('domain:')) {
    return { error: 'WebFetch permissions must use "domain:" prefix', hint: 'Use "domain:hostname" format' };
  }
  return undefined;
}

/**
 * Rules Claude Code keeps but that cannot do what they look like they do. These are warnings, not
 * errors: a newer Claude Code may know a tool we do not.
 */
export function ruleWarning(rule: string, list: RuleList): string | undefined {
  const { tool } = parseRule(rule);
  if (tool.includes('*') || tool.startsWith('mcp__')) return undefined;
  if (!KNOWN_TOOLS.has(tool)) {
    return `tool "${tool}" is not one Claude Code knows, so this ${list} rule never matches anything`;
  }
  return undefined;
}
