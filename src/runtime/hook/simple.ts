/**
 * The syntax tree of a plain command line, built without tree-sitter: most of what Claude runs is
 * `ls -la`, `git status`, `npm test 2>&1 | tail`, and loading the bash grammar (wasm) costs more than
 * the rest of the hook together. For a deliberately small subset of bash (bare words of safe characters,
 * whole single- or double-quoted words without expansions, the operators `|`, `&&`, `||`, `;`, and
 * redirections to /dev/null or between descriptors at the end of a command) this returns the very tree
 * tree-sitter-bash would (same node types, text, spans and nesting), so the one analysis in commands.ts
 * reads it; anything else returns undefined and goes to tree-sitter. test/hook/simple.test.ts checks the
 * two trees are identical over the whole corpus and thousands of generated lines.
 */
import type { SyntaxNode, SyntaxTree } from './syntax.js';

/** Characters of a bare word that mean nothing special to bash, in any position. */
const BARE = /^[A-Za-z0-9_./:,@%+=~^-]+$/;
/** tree-sitter-bash reads these as a `number` node; other words starting with a digit are left out. */
const NUMBER = /^-?[0-9]+$/;
const DIGIT_START = /^-?[0-9]/;
/** Words that are syntax in command position, or make tree-sitter read one (`[[`, `{` are not bare anyway). */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in', 'function', 'time', 'coproc', 'declare', 'typeset', 'local', 'readonly', 'export', 'unset']);
/** A command name: fewer characters still (tree-sitter fails on `a%b` or `x@y` in that position). */
const NAME = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/;
/** An assignment in command position (`A=1 cmd`) is its own node type: left to tree-sitter. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;

/** A double-quoted word with nothing to expand or escape inside. Sticky: matched at a given index. */
const LITERAL_STRING = /"[^"$`\\!\n]*"/y;
/** `>/dev/null`, `2>>/dev/null`, `2>&1`, `>&2`: redirections that write nowhere new. */
const REDIRECT = /([0-9]?)(>>|>&|>)(\/dev\/null|[0-9])/y;
const SEPARATOR = /[ \t|;&]/;

interface Token {
  kind: 'word' | 'raw_string' | 'string' | 'number' | 'op' | 'redirect';
  text: string;
  start: number;
  end: number;
  /** For a redirect: its descriptor (may be empty) and operator. */
  parts?: { descriptor: string; operator: string };
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

function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  /** Whether the character at `end` would join the token before it (bash reads them as one word). */
  const glued = (end: number) => end < source.length && !SEPARATOR.test(source[end]!);
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
    const redirect = matchAt(REDIRECT, source, i);
    if (redirect) {
      const [text, descriptor = '', operator = '', target = ''] = redirect;
      // >& takes a descriptor, > and >> take /dev/null; anything glued after is another construct.
      if ((operator === '>&') !== /^[0-9]$/.test(target) || glued(i + text.length)) return undefined;
      tokens.push({ kind: 'redirect', text, start: i, end: i + text.length, parts: { descriptor, operator } });
      i += text.length;
      continue;
    }
    let end = i;
    if (ch === "'" || ch === '"') {
      // A whole quoted word (single: literal content; double: nothing to expand), nothing glued on.
      const length = ch === "'" ? source.indexOf("'", i + 1) + 1 - i : (matchAt(LITERAL_STRING, source, i)?.[0].length ?? 0);
      end = i + length;
      if (length < 2 || source.slice(i, end).includes('\n') || glued(end)) return undefined;
      tokens.push({ kind: ch === "'" ? 'raw_string' : 'string', text: source.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    while (end < source.length && !SEPARATOR.test(source[end]!)) end++;
    const text = source.slice(i, end);
    if (BARE.test(text) && (!DIGIT_START.test(text) || NUMBER.test(text))) {
      tokens.push({ kind: NUMBER.test(text) ? 'number' : 'word', text, start: i, end });
    } else {
      return undefined;
    }
    i = end;
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
  const leaf = (t: Token): SyntaxNode => {
    if (t.kind === 'string') {
      const content = t.end - t.start > 2 ? [{ node: node('string_content', true, t.start + 1, t.end - 1) }] : [];
      return node('string', true, t.start, t.end, [{ node: node('"', false, t.start, t.start + 1) }, ...content, { node: node('"', false, t.end - 1, t.end) }]);
    }
    if (t.kind === 'redirect') {
      const { descriptor, operator } = t.parts!;
      const opStart = t.start + descriptor.length;
      const opEnd = opStart + operator.length;
      return node('file_redirect', true, t.start, t.end, [
        ...(descriptor ? [{ node: node('file_descriptor', true, t.start, opStart), field: 'descriptor' }] : []),
        { node: node(operator, false, opStart, opEnd) },
        { node: node(operator === '>&' ? 'number' : 'word', true, opEnd, t.end), field: 'destination' },
      ]);
    }
    return node(t.kind === 'op' ? t.text : t.kind, t.kind !== 'op', t.start, t.end);
  };
  /**
   * One command, with the redirections after its words (none before or between them). tree-sitter hangs
   * trailing redirections on everything before them in the statement (`a && b 2>&1` wraps the list),
   * so only a statement's first command may have them here; it also drops a `-` argument before one.
   */
  const command = (first: boolean): SyntaxNode | undefined => {
    const words: Token[] = [];
    const redirects: Token[] = [];
    for (let t = tokens[at]; t && t.kind !== 'op'; t = tokens[++at]) {
      if (t.kind === 'redirect') redirects.push(t);
      else if (redirects.length) return undefined;
      else words.push(t);
    }
    if (redirects.length && (!first || words.some((w) => w.text === '-'))) return undefined;
    const [name, ...args] = words;
    // A name that starts with a reserved word (`time%x`, `local@x`) is one tree-sitter splits or fails on.
    if (!name || name.kind !== 'word' || !NAME.test(name.text) || RESERVED.has(/^[A-Za-z_][A-Za-z0-9_]*/.exec(name.text)?.[0] ?? '') || ASSIGNMENT.test(name.text)) return undefined;
    const nameNode = node('command_name', true, name.start, name.end, [{ node: leaf(name) }]);
    const cmd = node('command', true, name.start, words[words.length - 1]!.end, [
      { node: nameNode, field: 'name' },
      ...args.map((a) => ({ node: leaf(a), field: 'argument' })),
    ]);
    if (!redirects.length) return cmd;
    return node('redirected_statement', true, cmd.startIndex, redirects[redirects.length - 1]!.end, [
      { node: cmd, field: 'body' },
      ...redirects.map((r) => ({ node: leaf(r), field: 'redirect' })),
    ]);
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
    const s = list();
    if (!s) return undefined;
    statements.push(s);
    if (at === tokens.length) break;
    if (tokens[at]!.text !== ';') return undefined;
    statements.push(leaf(tokens[at++]!));
  }
  const rootNode = node('program', true, 0, source.length, statements.map((s) => ({ node: s })));
  return { rootNode, delete: () => {} };
}
