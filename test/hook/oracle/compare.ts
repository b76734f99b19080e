/**
 * The hook's model of a line against what bash ran. Every command bash ran must be one the model
 * lists, with arguments the model allows: a known argument must be exactly that word, an unknown one
 * stands for one word (quoted) or any number of words (unquoted). The model may list more (branches not
 * taken); it may never list less.
 */
import { UNKNOWN, type Arg } from '../../../src/runtime/hook/bash/expand.js';
import type { LineModel } from '../../../src/runtime/hook/lineModel.js';
import { isCommandEntry, type BashRun, type TraceEntry } from './bash.js';

/** Entries of the line itself (the sandbox's own `eval` of it left out). */
export function commandsRun(line: string, run: BashRun): TraceEntry[] {
  const entries = run.entries.filter((e, i) => !(i === 0 && e.words[0] === 'eval' && e.words[1] === line));
  return entries.filter(isCommandEntry);
}

function argMatches(arg: Arg, word: string): boolean {
  if (arg.exact) return arg.text === word;
  if (!arg.text.includes(UNKNOWN)) return true; // a glob: any word
  const re = new RegExp(`^${arg.text.split(UNKNOWN).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`);
  return re.test(word);
}

/** Whether the model's argv can produce `words`. */
export function argvMatches(argv: readonly Arg[], words: readonly string[]): boolean {
  // reach[j]: the first i model arguments can produce the first j words.
  let reach = new Array<boolean>(words.length + 1).fill(false);
  reach[0] = true;
  for (const arg of argv) {
    const next = new Array<boolean>(words.length + 1).fill(false);
    for (let j = 0; j <= words.length; j++) {
      if (!reach[j]) continue;
      if (arg.many) {
        next[j] = true;
        for (let k = j; k < words.length; k++) next[k + 1] = true;
      } else if (j < words.length && argMatches(arg, words[j]!)) next[j + 1] = true;
    }
    reach = next;
  }
  return reach[words.length]!;
}

/** Commands bash ran that the model does not account for. */
export function unaccounted(model: LineModel, entries: readonly TraceEntry[]): TraceEntry[] {
  return entries.filter((e) => !model.invocations.some((inv) => argvMatches(inv.argv, e.words)));
}
