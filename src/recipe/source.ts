/**
 * A YAML file read with positions kept, so every later check can point at `file:line:col`.
 */
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import { InputError, type SourceLocation } from '../errors.js';

export type PathKey = string | number;

export interface YamlSource {
  file: string;
  value: unknown;
  /**
   * Location of the value at `path` (or of its key, with `key`), falling back to the nearest ancestor
   * that exists.
   */
  locate(path: readonly PathKey[], key?: boolean): SourceLocation;
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const message = firstError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`YAML: ${message}`, at(firstError.pos[0]));
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  return {
    file,
    value,
    locate(path, key = false) {
      for (let n = path.length; n >= 0; n--) {
        const node = nodeAt(doc, path.slice(0, n), key && n === path.length);
        if (node?.range) return at(node.range[0]);
      }
      return { file, line: 1, col: 1 };
    },
  };
}

/** The node at `path`; for a map entry with `key`, its key node (so "unknown key" points at the key). */
function nodeAt(doc: Document, path: readonly PathKey[], key: boolean): Node | undefined {
  if (path.length === 0) return (doc.contents as Node | null) ?? undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last));
    if (!pair) return undefined;
    return ((key ? pair.key : pair.value) ?? pair.key) as Node | undefined;
  }
  if (isSeq(parent) && typeof last === 'number') return parent.items[last] as Node | undefined;
  return undefined;
}
