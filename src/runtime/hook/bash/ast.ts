/**
 * The syntax tree of a bash command line, as bash 5.2's own parser (parse.y) divides it. Words keep
 * their structure (quotes, expansions, nested scripts) rather than their text, so the expansion model
 * (expand.ts) never has to scan text a second time.
 */

export interface Span {
  start: number;
  end: number;
}

/** One piece of a word. `lit` is unquoted text: the only place brace, tilde and glob syntax is active. */
export type Part =
  | { t: 'lit'; text: string }
  /** `\c` outside quotes (one quoted character). */
  | { t: 'esc'; text: string }
  | { t: 'sq'; text: string }
  /** `$'...'`, decoded as bash decodes it. */
  | { t: 'ansi'; text: string }
  /** `"..."` (also `$"..."`): text in it is `lit` parts, but quoted. */
  | { t: 'dq'; parts: Part[] }
  | ParamPart
  /** `$(...)` and `` `...` ``: the script runs in a subshell and its output becomes text. */
  | { t: 'cmdsub'; body: Script; backtick: boolean }
  /** `$((...))` / `$[...]`: text evaluated as arithmetic (variables in it are evaluated recursively). */
  | { t: 'arith'; text: string; subs: Script[] }
  /** `<(...)` / `>(...)`: the script runs concurrently; the word is a /dev/fd path. */
  | { t: 'procsub'; dir: '<' | '>'; body: Script };

export interface ParamPart {
  t: 'param';
  /** Variable name, positional digits or special character (`@`, `*`, `#`, `?`, `-`, `$`, `!`, `0`). */
  name: string;
  /** `${...}` rather than `$name`. */
  braced: boolean;
  /** `${#name}` length, `${!name}` indirection. */
  prefix?: '#' | '!';
  /** `[subscript]` text, if any. */
  subscript?: string;
  /** Operator after the name (`:-`, `-`, `:=`, `#`, `%%`, `/`, `:`, `@`...), if any. */
  op?: string;
  /** The operator's word, parsed as an unquoted word would be (for nested scripts and known values). */
  operand?: Part[];
  /** The operand's source text. */
  operandText?: string;
  /** Scripts nested anywhere in the braces (operand, subscript, offsets). */
  subs: Script[];
}

export interface Word extends Span {
  /** Source text. */
  text: string;
  parts: Part[];
}

export type RedirectOp = '<' | '>' | '>>' | '>|' | '<>' | '<&' | '>&' | '&>' | '&>>' | '<<' | '<<-' | '<<<';

export interface Redirect extends Span {
  op: RedirectOp;
  /** Explicit descriptor (`2>`), or the variable of `{name}>`. */
  fd?: number;
  fdVar?: string;
  /** The file, descriptor or here-string word; for a here-document, its delimiter word. */
  target: Word;
  /** For `<<` / `<<-`: the body, a word of `lit` text (quoted delimiter) or double-quote-like parts. */
  heredoc?: { quoted: boolean; body: Word };
}

export interface Assignment extends Span {
  name: string;
  subscript?: string;
  append: boolean;
  /** Scalar value (absent for `name=` with nothing after it). */
  value?: Word;
  /** `name=(a b c)` */
  array?: Word[];
  /** Scripts nested in the subscript. */
  subs: Script[];
}

export interface SimpleCommand extends Span {
  type: 'simple';
  assignments: Assignment[];
  words: Word[];
  redirects: Redirect[];
}

interface Compound extends Span {
  redirects: Redirect[];
}

export interface CaseItem {
  patterns: Word[];
  body: Script;
}

export type Command =
  | SimpleCommand
  | (Compound & { type: 'subshell' | 'group'; body: Script })
  | (Compound & { type: 'if'; clauses: Array<{ test: Script; body: Script }>; otherwise?: Script })
  | (Compound & { type: 'while' | 'until'; test: Script; body: Script })
  | (Compound & { type: 'for' | 'select'; name: string; items?: Word[]; body: Script })
  | (Compound & { type: 'arith-for'; text: string; subs: Script[]; body: Script })
  | (Compound & { type: 'case'; subject: Word; items: CaseItem[] })
  | (Compound & { type: 'arith'; text: string; subs: Script[] })
  /** `[[ ... ]]`: its words, operators included, in order. */
  | (Compound & { type: 'cond'; words: Word[] })
  | (Compound & { type: 'function'; name: string; body: Command })
  | (Compound & { type: 'coproc'; name?: string; body: Command });

export interface Pipeline extends Span {
  negated: boolean;
  timed: boolean;
  commands: Command[];
}

export interface AndOr extends Span {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }>;
  /** Run in the background (`&`). */
  background: boolean;
}

/** A list of commands: a whole line, a subshell's body, a loop's body. */
export interface Script extends Span {
  items: AndOr[];
}

export interface ParseResult {
  script: Script;
  /** The line parses completely, as bash would (commands before a syntax error still run in bash). */
  error?: string;
  /** Constructs parsed here but whose meaning depends on more than the line (settings, bash version). */
  inexact: string[];
}
