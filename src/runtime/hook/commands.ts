/**
 * Walks a tree-sitter-bash tree and lists everything that would run: every simple command (in lists,
 * pipelines, subshells, substitutions, function bodies, loops), every redirection, every construct that
 * keeps a command line from being read-only, and every reason not to trust the parse at all.
 */
import { posix } from 'node:path';
import type { SyntaxNode as Node } from './syntax.js';
import { evaluateWord, type KnownVariables, type Word } from './words.js';

export interface Redirect {
  operator: string;
  target?: Word;
  /** Directory relative targets resolve against, when known. */
  cwd?: string;
  /** For here-documents: whether the body is expanded (unquoted delimiter) and holds $ or `. */
  heredocExpands?: boolean;
}

export interface SimpleCommand {
  node: Node;
  name?: Word;
  args: Word[];
  /** `NAME=value` prefixes. */
  assignments: Array<{ name: string; value?: Word }>;
  /** Working directory at this point, when the command line made it knowable (`cd /x && ...`). */
  cwd?: string;
  known: KnownVariables;
}

export interface FunctionInfo {
  name: string;
  /** Command names called in the body. */
  calls: string[];
  /** The body starts background jobs or pipelines (what makes recursion a fork bomb). */
  spawns: boolean;
}

export interface Analysis {
  commands: SimpleCommand[];
  /** Each pipeline as the first command of each of its stages. */
  pipelines: SimpleCommand[][];
  redirects: Redirect[];
  /** Understood constructs that keep the line from being provably read-only. */
  notReadOnly: string[];
  /** Reasons the parse itself cannot be trusted; the hook then asks a person. */
  untrusted: string[];
  functions: FunctionInfo[];
}

interface Scope {
  cwd?: string;
  vars: Map<string, string | undefined>;
  home: string;
}

const MAX_DEPTH = 200;

const TRANSPARENT = new Set(['program', 'list', 'compound_statement', 'negated_command', 'do_group', 'elif_clause', 'else_clause', 'case_item']);
const CONTROL_FLOW = new Set(['if_statement', 'while_statement', 'for_statement', 'c_style_for_statement', 'case_statement', 'test_command']);
const WORD_TYPES = new Set([
  'word', 'string', 'raw_string', 'ansi_c_string', 'translated_string', 'concatenation', 'simple_expansion', 'expansion',
  'command_substitution', 'process_substitution', 'arithmetic_expansion', 'brace_expression', 'number', 'extglob_pattern',
]);
/** Every other named node type of tree-sitter-bash that may appear; anything outside these is unknown. */
const KNOWN = new Set([
  ...TRANSPARENT, ...CONTROL_FLOW, ...WORD_TYPES,
  'pipeline', 'command', 'command_name', 'redirected_statement', 'subshell', 'variable_assignment', 'variable_assignments',
  'declaration_command', 'unset_command', 'function_definition', 'file_redirect', 'heredoc_redirect', 'herestring_redirect',
  'heredoc_body', 'heredoc_start', 'heredoc_end', 'heredoc_content', 'file_descriptor', 'comment', 'string_content',
  'variable_name', 'special_variable_name', 'array', 'subscript', 'binary_expression', 'unary_expression',
  'ternary_expression', 'postfix_expression', 'parenthesized_expression', 'test_operator', 'regex',
]);

export function resolvePath(value: string, scope: { cwd?: string; home: string }): string | undefined {
  let path = value;
  if (path === '~' || path.startsWith('~/')) path = scope.home + path.slice(1);
  if (!path.startsWith('/')) {
    if (scope.cwd === undefined) return undefined;
    path = posix.join(scope.cwd, path);
  }
  const normal = posix.normalize(path);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

export function analyze(root: Node, cwd: string | undefined, home: string): Analysis {
  const analysis: Analysis = { commands: [], pipelines: [], redirects: [], notReadOnly: [], untrusted: [], functions: [] };
  const literalRanges: Array<[number, number]> = [];
  const fork = (s: Scope): Scope => ({ ...s, vars: new Map(s.vars) });

  const word = (n: Node, scope: Scope, depth: number): Word => {
    visitSubstitutions(n, scope, depth);
    return evaluateWord(n, scope.vars);
  };

  /** Commands inside $(...), <(...), `...` of a word run in subshells: every one of them counts. */
  const visitSubstitutions = (n: Node, scope: Scope, depth: number): void => {
    if (depth > MAX_DEPTH) return tooDeep();
    if (n.type === 'raw_string') literalRanges.push([n.startIndex, n.endIndex]);
    if (n.type === 'command_substitution' || n.type === 'process_substitution') {
      const inner = fork(scope);
      for (const c of n.namedChildren) if (c) visit(c, inner, depth + 1);
      return;
    }
    if (n.type === 'arithmetic_expansion') analysis.notReadOnly.push('arithmetic expansion');
    if (n.type === 'expansion' && /^\$\{[^}]*?(:?=)/.test(n.text) && !/^\$\{#/.test(n.text)) {
      analysis.notReadOnly.push('assigning expansion ${var=value}');
    }
    check(n);
    for (const c of n.children) if (c) visitSubstitutions(c, scope, depth + 1);
  };

  const tooDeep = () => {
    if (!analysis.untrusted.includes('nested too deeply')) analysis.untrusted.push('nested too deeply');
  };

  const check = (n: Node): void => {
    if (n.isMissing) analysis.untrusted.push(`incomplete: missing ${n.type}`);
    else if (n.type === 'ERROR') analysis.untrusted.push(`does not parse near "${n.text.slice(0, 40)}"`);
    else if (n.isNamed && !KNOWN.has(n.type)) analysis.untrusted.push(`unknown construct ${n.type}`);
  };

  const redirect = (n: Node, scope: Scope, depth: number): void => {
    const operator = n.children.find((c) => c && !c.isNamed)?.type ?? '';
    if (n.type === 'heredoc_redirect') {
      const start = n.namedChildren.find((c) => c?.type === 'heredoc_start')?.text ?? '';
      const body = n.namedChildren.find((c) => c?.type === 'heredoc_body');
      const quoted = /['"\\]/.test(start);
      if (body && quoted) literalRanges.push([body.startIndex, body.endIndex]);
      if (body && !quoted) visitSubstitutions(body, scope, depth + 1);
      analysis.redirects.push({ operator, heredocExpands: Boolean(body && !quoted && /[$`]/.test(body.text)) });
      for (const c of n.namedChildren) if (c && c.type !== 'heredoc_body') check(c);
      return;
    }
    const dest = n.childForFieldName('destination') ?? n.namedChildren.find((c) => c && WORD_TYPES.has(c.type));
    for (const c of n.children) if (c) check(c);
    analysis.redirects.push({
      operator,
      ...(dest ? { target: word(dest, scope, depth + 1) } : {}),
      ...(scope.cwd !== undefined ? { cwd: scope.cwd } : {}),
    });
  };

  const simpleCommand = (n: Node, scope: Scope, depth: number): SimpleCommand => {
    const cmd: SimpleCommand = { node: n, args: [], assignments: [], known: new Map(scope.vars), ...(scope.cwd !== undefined ? { cwd: scope.cwd } : {}) };
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'variable_assignment') {
        const value = c.childForFieldName('value');
        cmd.assignments.push({ name: c.childForFieldName('name')?.text ?? '', ...(value ? { value: word(value, scope, depth + 1) } : {}) });
      } else if (c.type === 'command_name') {
        const inner = c.namedChildren[0];
        if (inner) cmd.name = word(inner, scope, depth + 1);
      } else if (c.type === 'file_redirect' || c.type === 'herestring_redirect' || c.type === 'heredoc_redirect') {
        if (c.type === 'herestring_redirect') {
          for (const w of c.namedChildren) if (w) word(w, scope, depth + 1);
        } else redirect(c, scope, depth);
      } else if (c.type === 'comment') {
        continue;
      } else {
        cmd.args.push(word(c, scope, depth + 1));
      }
    }
    analysis.commands.push(cmd);
    trackDirectory(cmd, scope);
    return cmd;
  };

  /** `cd /x && rm -rf *` removes /x/*: follow literal cd so later relative paths resolve. */
  const trackDirectory = (cmd: SimpleCommand, scope: Scope): void => {
    const name = cmd.name?.value;
    if (name !== 'cd' && name !== 'pushd') return;
    const args = cmd.args.filter((a) => !(a.value ?? '').startsWith('-') || a.value === '-');
    if (args.length === 0) scope.cwd = scope.home;
    else if (args[0]!.value !== undefined && args[0]!.value !== '-') scope.cwd = resolvePath(args[0]!.value, scope);
    else delete scope.cwd;
  };

  const assign = (n: Node, scope: Scope, depth: number): void => {
    const name = n.childForFieldName('name')?.text;
    const value = n.childForFieldName('value');
    const w = value ? word(value, scope, depth + 1) : undefined;
    if (name) scope.vars.set(name, value ? w?.value : '');
  };

  const visit = (n: Node, scope: Scope, depth: number): SimpleCommand | undefined => {
    if (depth > MAX_DEPTH) {
      tooDeep();
      return undefined;
    }
    check(n);
    if (n.type === 'comment' || !n.isNamed) return undefined;
    if (n.type === 'command') return simpleCommand(n, scope, depth);
    if (n.type === 'redirected_statement') {
      const body = n.childForFieldName('body');
      const first = body ? visit(body, scope, depth + 1) : undefined;
      for (const c of n.namedChildren) if (c && c !== body && c.id !== body?.id) redirectOrWord(c, scope, depth);
      return first;
    }
    if (n.type === 'pipeline') {
      const stages: SimpleCommand[] = [];
      for (const c of n.namedChildren) {
        if (!c) continue;
        const first = visit(c, fork(scope), depth + 1); // every stage runs in its own subshell
        if (first) stages.push(first);
      }
      analysis.pipelines.push(stages);
      return stages[0];
    }
    if (n.type === 'subshell') return visitAll(n, fork(scope), depth);
    if (n.type === 'variable_assignment' || n.type === 'variable_assignments') {
      analysis.notReadOnly.push('variable assignment');
      if (n.type === 'variable_assignment') assign(n, scope, depth);
      else for (const c of n.namedChildren) if (c) assign(c, scope, depth);
      return undefined;
    }
    if (n.type === 'declaration_command' || n.type === 'unset_command') {
      analysis.notReadOnly.push(n.type === 'unset_command' ? 'unset' : 'declaration');
      for (const c of n.namedChildren) {
        if (c?.type === 'variable_assignment') assign(c, scope, depth);
        else if (c?.type === 'variable_name' || c?.type === 'word') scope.vars.set(c.text, undefined);
        else if (c) visitSubstitutions(c, scope, depth + 1);
      }
      return undefined;
    }
    if (n.type === 'function_definition') {
      analysis.notReadOnly.push('function definition');
      const body = n.childForFieldName('body');
      const before = analysis.commands.length;
      if (body) visit(body, fork(scope), depth + 1);
      analysis.functions.push({
        name: n.childForFieldName('name')?.text ?? '',
        calls: analysis.commands.slice(before).flatMap((c) => (c.name?.value ? [c.name.value] : [])),
        spawns: Boolean(body && /[&|]/.test(body.text)),
      });
      return undefined;
    }
    if (CONTROL_FLOW.has(n.type)) analysis.notReadOnly.push(n.type.replace(/_/g, ' '));
    if (TRANSPARENT.has(n.type) || CONTROL_FLOW.has(n.type) || n.type === 'ERROR') return visitAll(n, scope, depth);
    if (WORD_TYPES.has(n.type) || n.type === 'file_redirect' || n.type === 'heredoc_redirect') {
      redirectOrWord(n, scope, depth);
      return undefined;
    }
    return visitAll(n, scope, depth);
  };

  const redirectOrWord = (n: Node, scope: Scope, depth: number) => {
    if (n.type === 'file_redirect' || n.type === 'heredoc_redirect') redirect(n, scope, depth);
    else if (n.type === 'herestring_redirect') for (const w of n.namedChildren) w && word(w, scope, depth + 1);
    else visitSubstitutions(n, scope, depth + 1);
  };

  const visitAll = (n: Node, scope: Scope, depth: number): SimpleCommand | undefined => {
    let first: SimpleCommand | undefined;
    for (const c of n.children) {
      if (!c) continue;
      if (!c.isNamed) {
        check(c);
        continue;
      }
      // `a && b && c` nests list in list; a long chain is wide, not deep, so it does not count as depth.
      const r = visit(c, scope, c.type === 'list' && n.type === 'list' ? depth : depth + 1);
      first ??= r;
    }
    return first;
  };

  visit(root, { ...(cwd !== undefined ? { cwd } : {}), vars: new Map([['HOME', home]]), home }, 0);

  // A backslash-newline joins lines; tree-sitter and bash can disagree on what it joins, so only a
  // literal one (inside single quotes or a quoted here-document) is trusted.
  const source = root.text;
  for (const m of source.matchAll(/(\\+)\n/g)) {
    if (m[1]!.length % 2 === 0) continue;
    const at = m.index! + m[1]!.length - 1;
    if (!literalRanges.some(([s, e]) => at >= s && at < e)) {
      analysis.untrusted.push('backslash-newline outside single quotes');
      break;
    }
  }
  return analysis;
}
