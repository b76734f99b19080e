/**
 * The syntax tree of a plain command line, built without tree-sitter: most of what Claude runs is
 * `ls -la`, `git status`, `grep -rn x src | head`, and loading the bash grammar (wasm) costs more than
 * the rest of the hook together. For a deliberately small subset of bash (bare words of safe characters,
 * whole single-quoted words, and the operators `|`, `&&`, `||`, `;`) this returns the very tree
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

interface Token {
  kind: 'word' | 'raw_string' | 'number' | 'op';
  text: string;
  start: number;
  end: number;
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
    this.fields = new Map(children.flatMap((c) => (c.field ? [[c.field, c.node] as const] : [])));
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

function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
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
    let end = i;
    if (ch === "'") {
      // A whole single-quoted word (its content is literal, spaces included): nothing glued to either side.
      end = source.indexOf("'", i + 1) + 1;
      if (end === 0 || source.slice(i, end).includes('\n') || (end < source.length && !/[ \t|;&]/.test(source[end]!))) return undefined;
      tokens.push({ kind: 'raw_string', text: source.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    while (end < source.length && !/[ \t|;&]/.test(source[end]!)) end++;
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
  const leaf = (t: Token) => node(t.kind === 'op' ? t.text : t.kind, t.kind !== 'op', t.start, t.end);

  const command = (): SyntaxNode | undefined => {
    const words: Token[] = [];
    while (at < tokens.length && tokens[at]!.kind !== 'op') words.push(tokens[at++]!);
    const [name, ...args] = words;
    // A name that starts with a reserved word (`time%x`, `local@x`) is one tree-sitter splits or fails on.
    if (!name || name.kind !== 'word' || !NAME.test(name.text) || RESERVED.has(/^[A-Za-z_][A-Za-z0-9_]*/.exec(name.text)?.[0] ?? '') || ASSIGNMENT.test(name.text)) return undefined;
    const nameNode = node('command_name', true, name.start, name.end, [{ node: leaf(name) }]);
    return node('command', true, name.start, words[words.length - 1]!.end, [
      { node: nameNode, field: 'name' },
      ...args.map((a) => ({ node: leaf(a), field: 'argument' })),
    ]);
  };
  /** Commands joined by `|`: one flat pipeline node, as tree-sitter builds it. */
  const pipeline = (): SyntaxNode | undefined => {
    const parts: SyntaxNode[] = [];
    for (;;) {
      const c = command();
      if (!c) return undefined;
      parts.push(c);
      if (tokens[at]?.text !== '|') break;
      parts.push(leaf(tokens[at++]!));
    }
    return parts.length === 1 ? parts[0] : node('pipeline', true, parts[0]!.startIndex, parts[parts.length - 1]!.endIndex, parts.map((p) => ({ node: p })));
  };
  /** `&&` and `||` bind left to right: ((a && b) || c). */
  const list = (): SyntaxNode | undefined => {
    let left = pipeline();
    while (left && (tokens[at]?.text === '&&' || tokens[at]?.text === '||')) {
      const op = leaf(tokens[at++]!);
      const right = pipeline();
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
