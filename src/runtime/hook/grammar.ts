/**
 * The bash grammar: tree-sitter-bash running on web-tree-sitter (WebAssembly, no native build), both
 * embedded in the bundle (gzipped; inflated only when this module is first imported, which main.ts does
 * only for lines simple.ts leaves to it). V8 is told to stay on its baseline wasm compiler (Liftoff):
 * the optimizing tier costs ~0.9 s of start-up for a parse that takes a millisecond.
 */
import { setFlagsFromString } from 'node:v8';
import { Language, Parser } from 'web-tree-sitter';
import runtimeWasm from 'web-tree-sitter/web-tree-sitter.wasm';
import bashWasm from 'tree-sitter-bash/tree-sitter-bash.wasm';

let parser: Parser | undefined;

export async function loadBashParser(): Promise<Parser> {
  if (!parser) {
    setFlagsFromString('--liftoff-only'); // must precede the first wasm compile
    await Parser.init({ wasmBinary: runtimeWasm });
    const bash = await Language.load(bashWasm);
    parser = new Parser();
    parser.setLanguage(bash);
  }
  return parser;
}
