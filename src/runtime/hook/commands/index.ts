/**
 * The command tables, looked up by name. A built-in table always wins: the recipe's safeVerbs add
 * commands that have none, and its subcommandSafe adds subcommands to a tool's list, but neither can
 * switch a built-in check off.
 */
import { FILE_TOOLS } from './files.js';
import { git } from './git.js';
import { readerTable } from './readers.js';
import { TEXT_TOOLS } from './text.js';
import { toolTable } from './tools.js';
import { buddysTmux, RUNNERS } from './runners.js';
import { no, ok, type Call, type Table, type Use } from './types.js';

export type { Call, Use } from './types.js';
export { isWrapper, runsNothing, unwrap, type Unwrapped } from './wrappers.js';

/** What `call.verb` does with `call.args`; undefined when no table knows the command. */
export function lookUp(call: Call): Use | undefined {
  const { verb } = call;
  const buddy = verb === 'tmux' ? buddysTmux(call.args) : undefined;
  if (buddy) return { ...no(buddy), denied: buddy };
  const readOnly: Table | undefined = verb === 'git' ? git : TEXT_TOOLS[verb] ?? FILE_TOOLS[verb] ?? readerTable(verb) ?? toolTable(verb, call.subcommandSafe[verb]);
  const runner = RUNNERS[verb];
  if (readOnly) {
    const use = readOnly(call);
    // A tool's read-only forms first (tmux ls, docker ps, node --version); what else it does from its runner table.
    if (!use.notReadOnly || !runner) return use;
  }
  if (runner) return runner(call);
  if (call.safeVerbs.has(verb)) return ok();
  return undefined;
}
