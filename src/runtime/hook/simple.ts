/**
 * The syntax tree of a plain command line, built without tree-sitter: most of what Claude runs is
 * `ls -la`, `git status`, `npm test 2>&1 | tail`, `cat "$HOME/x" > out`, and loading the bash grammar
 * (wasm) costs more than the rest of the hook together. For a deliberately small subset of bash (words
 * of safe characters, single-quoted text, double-quoted text with `$NAME` / `${NAME}` in it, those
 * expansions bare, words glued from these; the operators `|`, `&&`, `||`, `;`; redirections `>`, `>>`,
 * `<` to such a word and `N>&M` at the end of a command) this returns the very tree tree-sitter-bash
 * would (same node types, text, spans, fields and nesting, quirks included), so the one analysis in
 * commands.ts reads it; anything else returns undefined and goes to tree-sitter.
 * test/hook/simple.test.ts checks the two trees are identical over the whole corpus and thousands of
 * generated lines.
 */
import type { SyntaxNode, SyntaxTree } from './syntax.js';

/** A run of characters that mean nothing special to bash, in any position: a literal part of a word. */
const LITERAL = /[A-Za-z0-9_./:,@%+=~^-]+/y;
/** tree-sitter-bash reads these as a `number` node; other literals starting with a digit are left out. */
const NUMBER = /^-?[0-9]+$/;
const DIGIT_START = /^-?[0-9]/;
/** `==` and `=~` starting a word are test operators to tree-sitter, even outside `[[ ]]`. */
const TEST_OPERATOR = /^=[=~]/;
/** Words that are syntax in command position, or make tree-sitter read one (`[[`, `{` are not bare anyway). */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in', 'function', 'time', 'coproc', 'declare', 'typeset', 'local', 'readonly', 'export', 'unset']);
/** A command name: fewer characters still (tree-sitter fails on `a%b` or `x@y` in that position). */
const NAME = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/;
/** An assignment in command position (`A=1 cmd`) is its own node type: left to tree-sitter. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
/** A variable's name after `$` or inside `${}`; special parameters (`$1`, `$@`, `$?`) are left out. */
const VARIABLE = /[A-Za-z_][A-Za-z0-9_]*/y;
/**
 * Text inside double quotes with nothing to expand or escape, and not blank: tree-sitter folds a blank
 * run into the token after it (`" $A"` has no string_content), which is left to it.
 */
const STRING_CONTENT = /[^"$`\\!\n]*[^"$`\\!\n \t][^"$`\\!\n]*/y;
/** `>f`, `2>> log`, `< in`, `2>&1`, `>&2`: the operator of a redirection, with its descriptor. */
const REDIRECT = /([0-9]?)(>>|>&|>|<)/y;
/** After a redirection operator: `<<`, `<&`, `<>`, `>|`, `>&-`... are other syntax. */
const REDIRECT_TAIL = /[<>&|(]/;
const SEPARATOR = /[ \t|;&]/;

interface Token {
  kind: 'word' | 'op' | 'redirect';
  text: string;
  start: number;
  end: number;
  /** For a word or redirect: its subtree, built as the line is read. */
  node?: SyntaxNode;
}
let nextId = 1;

class Node implements SyntaxNode {
  readonly id = -nextId++; // negative: never equal to a tree-sitter node id
  readonly isMissing = false;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  private readonly fields: Map<string, SyntaxNode>;

  constructor(
    private readonly source: string,
    readonly type: string,
    readonly isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    children: Array<{ node: SyntaxNode; field?: string }> = [],
  ) {
    this.children = children.map((c) => c.node);
    this.namedChildren = this.children.filter((c) => c.isNamed);
    this.fields = new Map();
    for (const c of children) if (c.field && !this.fields.has(c.field)) this.fields.set(c.field, c.node); // the first, as tree-sitter
  }

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  childForFieldName(name: string): SyntaxNode | null {
    return this.fields.get(name) ?? null;
  }
}

/** Matches a sticky regex exactly at `index`. */
function matchAt(re: RegExp, source: string, index: number): RegExpExecArray | null {
  re.lastIndex = index;
  return re.exec(source);
}

/** Reads the words and redirections of a plain line; undefined at the first thing outside the subset. */
class Reader {
  constructor(private readonly source: string) {}

  private node(type: string, named: boolean, start: number, end: number, children: SyntaxNode[] = []): SyntaxNode {
    return new Node(this.source, type, named, start, end, children.map((node) => ({ node })));
  }

  /** Whether the character at `end` would join the token before it (bash reads them as one word). */
  private glued(end: number): boolean {
    return end < this.source.length && !SEPARATOR.test(this.source[end]!);
  }

  /** `$NAME` or `${NAME}`; nothing else that starts with `$`. */
  private expansion(at: number): SyntaxNode | undefined {
    const braced = this.source[at + 1] === '{';
    const name = matchAt(VARIABLE, this.source, at + (braced ? 2 : 1));
    if (!name) return undefined;
    const nameEnd = name.index + name[0].length;
    const variable = this.node('variable_name', true, name.index, nameEnd);
    if (!braced) return this.node('simple_expansion', true, at, nameEnd, [this.node('$', false, at, at + 1), variable]);
    if (this.source[nameEnd] !== '}') return undefined; // ${A:-x}, ${#A}, ${A[0]}: other syntax
    return this.node('expansion', true, at, nameEnd + 1, [this.node('${', false, at, at + 2), variable, this.node('}', false, nameEnd, nameEnd + 1)]);
  }

  /** A double-quoted string of literal text and `$NAME` / `${NAME}`. */
  private string(at: number): SyntaxNode | undefined {
    const parts = [this.node('"', false, at, at + 1)];
    let i = at + 1;
    while (this.source[i] !== '"') {
      const part = this.source[i] === '$' ? this.expansion(i) : matchAt(STRING_CONTENT, this.source, i) && this.node('string_content', true, i, STRING_CONTENT.lastIndex);
      if (!part) return undefined;
      parts.push(part);
      i = part.endIndex;
    }
    parts.push(this.node('"', false, i, i + 1));
    return this.node('string', true, at, i + 1, parts);
  }

  /** One part of a word: a literal run, a quoted string or an expansion. */
  private part(at: number): SyntaxNode | undefined {
    const ch = this.source[at];
    if (ch === '$') return this.expansion(at);
    if (ch === '"') return this.string(at);
    if (ch === "'") {
      const end = this.source.indexOf("'", at + 1) + 1;
      return end > 0 && !this.source.slice(at, end).includes('\n') ? this.node('raw_string', true, at, end) : undefined;
    }
    const literal = matchAt(LITERAL, this.source, at)?.[0];
    if (!literal || (DIGIT_START.test(literal) && !NUMBER.test(literal)) || TEST_OPERATOR.test(literal)) return undefined;
    return this.node(NUMBER.test(literal) ? 'number' : 'word', true, at, at + literal.length);
  }

  /** A word up to the next separator: one part, or a concatenation of several. */
  word(at: number): SyntaxNode | undefined {
    const parts: SyntaxNode[] = [];
    for (let i = at; i < this.source.length && !SEPARATOR.test(this.source[i]!); ) {
      const part = this.part(i);
      if (!part) return undefined;
      parts.push(part);
      i = part.endIndex;
    }
    if (parts.length <= 1) return parts[0];
    // tree-sitter splits a word where an expansion comes third or later and more follows (`a:$B+`,
    // `$A/x$B/y`): such words are left to it.
    if (parts.some((p, index) => index >= 2 && index < parts.length - 1 && p.text.includes('$'))) return undefined;
    return this.node('concatenation', true, at, parts[parts.length - 1]!.endIndex, parts);
  }

  /**
   * `N>&M` (a descriptor, nothing glued on) or an operator and the one word it reads or writes, from the
   * REDIRECT match at its start.
   */
  redirect(start: RegExpExecArray): SyntaxNode | undefined {
    const { index: at, 1: descriptor = '', 2: operator = '' } = start;
    const opStart = at + descriptor.length;
    const opEnd = opStart + operator.length;
    if (REDIRECT_TAIL.test(this.source[opEnd] ?? '')) return undefined;
    let destination: SyntaxNode | undefined;
    if (operator === '>&') {
      destination = /[0-9]/.test(this.source[opEnd] ?? '') && !this.glued(opEnd + 1) ? this.node('number', true, opEnd, opEnd + 1) : undefined;
    } else {
      let i = opEnd;
      while (this.source[i] === ' ' || this.source[i] === '\t') i++;
      destination = this.word(i);
    }
    if (!destination) return undefined;
    return new Node(this.source, 'file_redirect', true, at, destination.endIndex, [
      ...(descriptor ? [{ node: this.node('file_descriptor', true, at, opStart), field: 'descriptor' }] : []),
      { node: this.node(operator, false, opStart, opEnd) },
      { node: destination, field: 'destination' },
    ]);
  }
}

function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  const reader = new Reader(source);
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      tokens.push({ kind: 'op', text: two, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (ch === '|' || ch === ';') {
      if (source[i + 1] === '&' || source[i + 1] === ';') return undefined; // |& and ;; are other syntax
      tokens.push({ kind: 'op', text: ch, start: i, end: i + 1 });
      i++;
      continue;
    }
    // A destination word runs to the next separator, so nothing can be glued after a redirection.
    const redirect = matchAt(REDIRECT, source, i);
    const node = redirect ? reader.redirect(redirect) : reader.word(i);
    if (!node) return undefined;
    tokens.push({ kind: redirect ? 'redirect' : 'word', text: node.text, start: i, end: node.endIndex, node });
    i = node.endIndex;
  }
  return tokens;
}

/**
 * The tree tree-sitter-bash would give `source`, when `source` is in the plain subset; otherwise
 * undefined. A single-quoted word may hold any character but a quote or newline: its content is literal.
 */
export function simpleSyntax(source: string): SyntaxTree | undefined {
  const tokens = tokenize(source);
  if (!tokens?.length) return undefined;
  let at = 0;
  const node = (type: string, named: boolean, start: number, end: number, children: Array<{ node: SyntaxNode; field?: string }> = []) =>
    new Node(source, type, named, start, end, children);
  const leaf = (t: Token): SyntaxNode => t.node ?? node(t.text, false, t.start, t.end);
  /** Wraps `body` with the redirections that follow it, as tree-sitter does. */
  const redirected = (body: SyntaxNode, redirects: Token[]) =>
    node('redirected_statement', true, body.startIndex, redirects[redirects.length - 1]!.end, [
      { node: body, field: 'body' },
      ...redirects.map((r) => ({ node: leaf(r), field: 'redirect' })),
    ]);
  /**
   * Redirections after a statement's later command: tree-sitter hangs them on the whole statement so
   * far (`a && b > f` redirects the list), so they wait here for the statement's end. Until then the
   * statement must not go on (what tree-sitter does with `a && b > f && c` is left to it).
   */
  let trailing: Token[] = [];
  /**
   * One command, with the redirections after its words (none before or between them). tree-sitter drops
   * a `-` argument before one, so such a command is left to it too.
   */
  const command = (first: boolean): SyntaxNode | undefined => {
    if (trailing.length) return undefined;
    const words: Token[] = [];
    const redirects: Token[] = [];
    for (let t = tokens[at]; t && t.kind !== 'op'; t = tokens[++at]) {
      if (t.kind === 'redirect') redirects.push(t);
      else if (redirects.length) return undefined;
      else words.push(t);
    }
    if (redirects.length && words.some((w) => w.text === '-')) return undefined;
    const [name, ...args] = words;
    // A name that starts with a reserved word (`time%x`, `local@x`) is one tree-sitter splits or fails on.
    if (!name || name.node?.type !== 'word' || !NAME.test(name.text) || RESERVED.has(/^[A-Za-z_][A-Za-z0-9_]*/.exec(name.text)?.[0] ?? '') || ASSIGNMENT.test(name.text)) return undefined;
    const nameNode = node('command_name', true, name.start, name.end, [{ node: leaf(name) }]);
    const cmd = node('command', true, name.start, words[words.length - 1]!.end, [
      { node: nameNode, field: 'name' },
      ...args.map((a) => ({ node: leaf(a), field: 'argument' })),
    ]);
    if (!redirects.length) return cmd;
    if (first) return redirected(cmd, redirects);
    trailing = redirects;
    return cmd;
  };
  /** Commands joined by `|`: one flat pipeline node, as tree-sitter builds it. */
  const pipeline = (first: boolean): SyntaxNode | undefined => {
    const parts: SyntaxNode[] = [];
    for (;;) {
      const c = command(first && parts.length === 0);
      if (!c) return undefined;
      parts.push(c);
      if (tokens[at]?.text !== '|') break;
      parts.push(leaf(tokens[at++]!));
    }
    return parts.length === 1 ? parts[0] : node('pipeline', true, parts[0]!.startIndex, parts[parts.length - 1]!.endIndex, parts.map((p) => ({ node: p })));
  };
  /** `&&` and `||` bind left to right: ((a && b) || c). */
  const list = (): SyntaxNode | undefined => {
    let left = pipeline(true);
    while (left && (tokens[at]?.text === '&&' || tokens[at]?.text === '||')) {
      const op = leaf(tokens[at++]!);
      const right = pipeline(false);
      if (!right) return undefined;
      left = node('list', true, left.startIndex, right.endIndex, [{ node: left }, { node: op }, { node: right }]);
    }
    return left;
  };

  const statements: SyntaxNode[] = [];
  while (at < tokens.length) {
    let s = list();
    if (!s || (trailing.length && at < tokens.length && tokens[at]!.text !== ';')) return undefined;
    if (trailing.length) s = redirected(s, trailing);
    trailing = [];
    statements.push(s);
    if (at === tokens.length) break;
    if (tokens[at]!.text !== ';') return undefined;
    statements.push(leaf(tokens[at++]!));
  }
  const rootNode = node('program', true, 0, source.length, statements.map((s) => ({ node: s })));
  return { rootNode, delete: () => {} };
}
