/**
 * What the analysis reads of a syntax tree: the part of web-tree-sitter's Node it uses, so a tree built
 * by simple.ts (no wasm) and one parsed by tree-sitter go through the same code.
 */
export interface SyntaxNode {
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly children: ReadonlyArray<SyntaxNode | null>;
  readonly namedChildren: ReadonlyArray<SyntaxNode | null>;
  readonly namedChildCount: number;
  childForFieldName(name: string): SyntaxNode | null;
}

/** A parse result: its root, and a way to free it (tree-sitter trees live in wasm memory). */
export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  delete(): void;
}
