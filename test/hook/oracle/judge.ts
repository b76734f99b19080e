/**
 * Both oracles over one line. Structural: where the hook's parser says it models the line exactly,
 * every command bash ran is one the model lists. Decisional: where the hook allows the line, every
 * command bash ran (with the directory it ran in) is allowed on its own too, and bash wrote no file.
 * A line is run twice, with every missing command failing and then succeeding, to take both sides of
 * `&&` and `||`.
 */
import type { Decision } from '../../../src/runtime/hook/classify.js';
import type { LineModel } from '../../../src/runtime/hook/lineModel.js';
import { isArrayAssignment, SANDBOX_CWD, SANDBOX_HOME, type BashSandbox, type TraceEntry } from './bash.js';
import { commandsRun, unaccounted } from './compare.js';

export interface Hook {
  classify(command: string, cwd: string): Decision;
  analyze(command: string, cwd: string): LineModel;
}

export interface LineReport {
  line: string;
  decision: Decision;
  /** The parser claims to model the line exactly. */
  exact: boolean;
  /** Commands bash ran that the model does not list (only counted where it claims to be exact). */
  missed: TraceEntry[];
  /** What bash did that an allow does not cover. */
  unsafe: string[];
  /** bash refused the line. */
  bashError: boolean;
  /** The line changes the trace the oracle reads (PS4, BASH_XTRACEFD, xtrace): not judged. */
  untraceable?: boolean;
}

/** What the oracle's trace depends on: a line touching it cannot be judged by that trace. */
const TAMPERS = /PS4|BASH_XTRACEFD|xtrace|set\s+[-+][a-zA-Z]*x|7[<>]|&\s*7/;

const quote = (w: string) => `'${w.replace(/'/g, "'\\''")}'`;

export function judgeLine(line: string, hook: Hook, sandbox: BashSandbox): LineReport {
  const model = hook.analyze(line, SANDBOX_CWD);
  const decision = hook.classify(line, SANDBOX_CWD);
  const exact = !model.error && !model.inexact.length && !model.opaque.length;
  if (TAMPERS.test(line)) return { line, decision, exact, missed: [], unsafe: [], bashError: false, untraceable: true };
  const runs = [sandbox.run(line, 1), sandbox.run(line, 0)];
  const report: LineReport = { line, decision, exact, missed: [], unsafe: [], bashError: runs[0]!.syntaxError };
  for (const run of runs) {
    // A run stopped by its limits (an endless loop) leaves a trace its many processes wrote at once.
    if (run.stopped) continue;
    const ran = commandsRun(line, run);
    if (exact) report.missed.push(...unaccounted(model, ran));
    if (decision.decision !== 'allow') continue;
    if (run.written.length) report.unsafe.push(`bash wrote ${run.written.join(', ')}`);
    for (const e of run.entries.filter((x, i) => !(i === 0 && x.words[0] === 'eval' && x.words[1] === line))) {
      if (/^(for|select|case|\[\[|\(\()$/.test(e.words[0]!) || isArrayAssignment(e)) continue;
      // An assignment bash traced (`x=1`) is judged as the assignment, not as a command named `x=1`.
      const assignment = e.words.length === 1 ? /^([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=)(.*)$/s.exec(e.words[0]!) : null;
      // A process substitution's /dev/fd/N stands for the substitution (whose commands are judged
      // on their own, as bash ran them), not for whatever file descriptor N holds in another process.
      const substituted = /[<>]\(/.test(line);
      const word = (w: string) => (substituted && /^\/dev\/fd\/([3-9]|\d\d+)$/.test(w) ? '<(:)' : quote(w));
      const alone = assignment ? assignment[1]! + quote(assignment[2]!) : e.words.map(word).join(' ');
      const d = hook.classify(alone, e.cwd || SANDBOX_CWD);
      if (d.decision !== 'allow') report.unsafe.push(`bash ran ${JSON.stringify(e.words)} in ${e.cwd}, which alone is ${d.decision}: ${d.reason}`);
    }
  }
  return report;
}

export { SANDBOX_CWD, SANDBOX_HOME };
