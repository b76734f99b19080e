// bash itself as the judge (test/hook/oracle/): the corpus, the attack lines and generated lines are
// run by the real bash in a sandbox, and compared with the shipped hook. Structural: where the hook's
// parser says it models a line exactly, every command bash ran is in its model. Decisional: where the
// hook allows a line, every command bash ran is allowed on its own, and bash wrote nothing.
// `npm run fuzz` runs the same over many more lines (ORACLE_LINES widens this one).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BashSandbox } from './oracle/bash.js';
import { LineGenerator, random } from './oracle/generate.js';
import { judgeLine, SANDBOX_HOME, type Hook, type LineReport } from './oracle/judge.js';
import { ATTACKS } from './attacks.js';
import { CORPUS } from './corpus.js';
import { EVERYDAY } from './everyday.js';
import { THIRD } from './third.js';
import { ROOT } from '../helpers.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
let hook: Hook;
let sandbox: BashSandbox;
const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [`${SANDBOX_HOME}/.claude/channels/discord/.env`] };

/** Lines where a parser and bash are known to disagree, each checked against bash here. */
const TRICKY = [
  "echo $'\\\\' ; touch x #'", "echo $'a\\'b' ; touch x #'", 'echo `echo \\`touch x\\``', 'cat <<EOF | sh\ntouch x\nEOF', "cat <<'EOF' && touch x\nbody\nEOF", 'cat <<-EOF\n\ttouch x\n\tEOF\ntouch y',
  'echo "$(cat <<EOF\n)\nEOF\n)"', 'echo $(cat <<EOF)\nbody\nEOF\n', 'echo ${x:-$(touch x)}', 'echo "${x:-\'$(touch x)\'}"', "echo '${x:-$(touch x)}'", 'echo $((1+$(touch x)))', 'echo {a,$(touch x)}',
  'ls \\\n; touch x', 'echo a\\\n#b; touch x', 'echo # ; touch x\ntouch y', 'echo a#b; touch x', 'x=1 y=$(touch x) echo', 'f() { touch x; }; ls', 'case x in x) touch x;; esac', 'for i in $(touch x); do :; done',
  '[[ $(touch x) == y ]]', 'echo <(touch x) >(touch y)', 'coproc touch x', 'echo $"$(touch x)"', 'time touch x', '! touch x', 'echo hi >$(touch x)', 'cat <<< $(touch x)', 'eval "touch x"', 'eval $\'touch x\'',
  // Found by the long run (npm run fuzz): bash's printer joins commands after a here-document in $(...);
  // brace expansion lengthens a $name; quoted and prefixed builtins.
  'echo "$(cat <<E\nab\nE\n{ echo 1 ; touch x; })"', 'x=$(cat <<E | { ls ; ! touch x; }\nab\nE\n)', 'echo $HOME{a,b} $x{1..3} $HOME{Z..a}', 'HOMEa=x; cat $HOME{a,}',
  'builtin eval "touch x"', 'command -p eval "touch x"', 'command -v touch', '"cd" /tmp; touch x', 'for i in a b; do ls; \\cd ..; done',
  "jq $'\\xaa' f",
];

beforeAll(async () => {
  const mod = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
  hook = {
    classify: (command, cwd) => mod.classifyCommand(command, { cwd, home: SANDBOX_HOME, config, deadline: performance.now() + 5000 }),
    analyze: (command, cwd) => mod.analyzeLine(command, { cwd, home: SANDBOX_HOME, userHome: () => undefined, budget: { spend() {} } as never }),
  };
  sandbox = new BashSandbox();
});

afterAll(() => sandbox?.dispose());

function judgeAll(lines: string[]): { reports: LineReport[]; summary: string } {
  const reports = lines.map((line) => judgeLine(line, hook, sandbox));
  const count = (f: (r: LineReport) => boolean) => reports.filter(f).length;
  const summary = `${reports.length} lines: ${count((r) => r.exact)} modelled exactly, ${count((r) => r.missed.length > 0)} with a command the model missed; ${count((r) => r.decision.decision === 'allow')} allowed, ${count((r) => r.unsafe.length > 0)} of them unsafe; ${count((r) => r.decision.decision === 'deny')} denied, ${count((r) => r.decision.decision === 'ask')} asked; ${count((r) => r.untraceable === true)} not judged (they change the trace)`;
  return { reports, summary };
}

const problems = (reports: LineReport[]) =>
  reports.flatMap((r) => [...r.missed.map((e) => `${JSON.stringify(r.line)}: bash ran ${JSON.stringify(e.words)}, the model does not list it`), ...r.unsafe.map((u) => `${JSON.stringify(r.line)} allowed, yet ${u}`)]);

describe('bash as the oracle', () => {
  it('agrees on the corpus, the attacks (both rounds), the everyday commands and the known tricky lines', () => {
    const third = THIRD.map((a) => a.line.replaceAll('{H}', SANDBOX_HOME));
    const { reports, summary } = judgeAll([...CORPUS.map(([c]) => c), ...ATTACKS.filter((a) => a.class !== 'time').map((a) => a.line), ...EVERYDAY, ...TRICKY, ...third]);
    console.log(`oracle, fixed lines: ${summary}`);
    expect(problems(reports)).toEqual([]);
  }, 600_000);

  it('agrees on generated lines', () => {
    const n = Number(process.env.ORACLE_LINES ?? 1200);
    const gen = new LineGenerator(random(20261202));
    const { reports, summary } = judgeAll(Array.from({ length: n }, () => gen.line()));
    console.log(`oracle, ${n} generated lines: ${summary}`);
    expect(problems(reports)).toEqual([]);
    // The generator is made to reach the interesting cases: enough lines must be modelled, allowed.
    expect(reports.filter((r) => r.exact).length).toBeGreaterThan(n / 4);
    expect(reports.filter((r) => r.decision.decision === 'allow').length).toBeGreaterThan(n / 50);
  }, 900_000);
});
