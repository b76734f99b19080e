/**
 * The source reads top-down: no module imports, directly or through others, a module that imports it
 * back (type-only imports included, since they tie files together for a reader all the same). The
 * imports are read by TypeScript's own pre-processor, not by a pattern of ours.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each file's local imports and re-exports, as files. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
      const local = importedFiles
        .map((i) => i.fileName)
        .filter((name) => name.startsWith('.'))
        .map((name) => resolve(dirname(file), name).replace(/\.js$/, '.ts'));
      return [file, local.filter((f) => known.has(f))];
    }),
  );
}

/** Strongly connected groups of two or more files (Tarjan), or a file importing itself. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || graph.get(v)!.includes(v)) found.push(group);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import structure', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(graph).map((c) => c.sort())).toEqual([['a', 'b', 'c']]);
  });

  it('src/ has no import cycles', () => {
    const files = sourceFiles(SRC);
    const graph = importGraph(files);
    // The graph is read at all: the CLI's entry reaches most of the tree.
    expect([...graph.values()].flat().length).toBeGreaterThan(files.length);
    expect(cycles(graph).map((group) => group.map((f) => relative(SRC, f)).sort().join(' <-> '))).toEqual([]);
  });

  it('src/plan reads in layers: record/ below compute/ below write/', () => {
    const graph = importGraph(sourceFiles(SRC));
    const layer = (file: string) => ['record', 'compute', 'write'].indexOf(relative(join(SRC, 'plan'), file).split('/')[0]!);
    const upward = [...graph].flatMap(([file, deps]) =>
      layer(file) < 0 ? [] : deps.filter((d) => layer(d) > layer(file)).map((d) => `${relative(SRC, file)} -> ${relative(SRC, d)}`),
    );
    expect([...graph.keys()].filter((f) => layer(f) >= 0).length).toBeGreaterThan(20);
    expect(upward).toEqual([]);
  });
});
