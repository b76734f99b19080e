// Hook latency: the shipped hook bundle per call (one whole process, as Claude Code runs it), against
// bare `node -e 0` and a minimal python3 stdlib hook, interleaved in one run; then the worst cases over
// pathological inputs, each of which must be answered within the hook's 1 s budget.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, interleaved, machine, rounds, stats, table, timeProcess } from './lib.js';
import { buildHome } from '../test/hook/harm.js';
import { THIRD } from '../test/hook/third.js';

const root = process.cwd();
const hook = join(root, 'dist', 'runtime', 'hook.cjs');
const n = rounds(60, 5);
// Three rotations: plain words and operators; expansions and redirections; compound lines (loops,
// here-documents, command substitution, globs, tests) - all read by the hook's one parser.
const plain = ['ls -la', 'cd /tmp && git log --oneline | head -5', 'npm test 2>&1 | tail -20', 'rm -rf ~', 'git commit -m "fix the build"', "sed -n '1,20p' file.txt && awk '{print $1}' f"];
const expanded = ['ls -la $HOME', 'echo "$HOME" > /tmp/x', 'git diff --stat "$BASE"', 'cd "$REPO" && npm test > /tmp/test.log 2>&1', 'cat ${XDG_CONFIG_HOME}/app/config.json', 'grep -rn "TODO: $USER" src | wc -l'];
const compound = ['for f in *.ts; do wc -l "$f"; done', 'find . -name "*.log" | xargs -I{} wc -l {}', 'cat <<EOF\nhi\nEOF', 'echo "$(date)"', 'ls *.ts', '[ -f package.json ] && cat package.json'];
const input = (command: string) => JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: '/tmp', session_id: 'bench' });
// The system's python3, not a version manager's shim in front of it (pyenv's costs more than python).
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// The policy as apply renders it for a buddy without a sandbox (token files protected, the recipe's own
// Bash allow rule handed on), so every check a real call makes is paid for here.
const home = homedir();
const config = join(mkdtempSync(join(tmpdir(), 'buddy-hook-bench-')), 'hook.json');
writeFileSync(config, JSON.stringify({ safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [`${home}/.config/buddy-init/bench/auth.env`, `${home}/.claude/.credentials.json`, `${home}/.claude/channels/discord/.env`], allowRules: ['Bash(npm test)'], sandboxed: false }));
const hookCall = (command: string) => timeProcess([process.execPath, hook, '--config', config], input(command)).ms;

const result = interleaved(
  [
    { name: 'node -e 0', run: () => timeProcess([process.execPath, '-e', '0']).ms },
    { name: 'hook.cjs, plain words and operators', run: (i) => hookCall(plain[i % plain.length]!) },
    { name: 'hook.cjs, expansions, redirections to files', run: (i) => hookCall(expanded[i % expanded.length]!) },
    { name: 'hook.cjs, loops, here-documents, substitutions, globs', run: (i) => hookCall(compound[i % compound.length]!) },
    { name: 'python3 stdlib hook (reference)', run: (i) => timeProcess([python, join(root, 'bench', 'reference-hook.py')], input(plain[i % plain.length]!)).ms },
  ],
  n,
);
const base = result['node -e 0']!.median;
console.log(`hook latency, ${n} calls each, interleaved, on ${machine()}\n`);
console.log(table(['what', 'median ms', 'p95 ms', 'min', 'max', 'median / node -e 0'], Object.entries(result).map(([name, s]) => [name, fmt(s.median), fmt(s.p95), fmt(s.min), fmt(s.max), `${(s.median / base).toFixed(2)}x`])));

// The inputs that once took seconds (catastrophic backtracking, huge brace lists), and the largest
// a line may be. Each whole call, decision included.
const pathological: Record<string, string> = {
  '42 stars then Q in a path (regex backtracking)': `cat /home/ada/${'*'.repeat(42)}Q`,
  'unterminated {,,, of 99k characters': `echo {${',,,'.repeat(33_000)}`,
  'brace expansion of 2^20 words': `echo ${'{a,b}'.repeat(20)}`,
  'nesting 3000 deep': `${'echo $('.repeat(3000)}ls${')'.repeat(3000)}`,
  '10k-char command': `echo ${'a b '.repeat(2500)}`,
  '5000 piped commands': `${'cat | '.repeat(5000)}cat`,
  '20000 quoted expansions': `echo ${'"$x"'.repeat(20_000)}`,
  'glob over / to any depth': 'cat /**/*.env',
  'braces nested 49k deep': `echo ${'{'.repeat(49_000)}${'}'.repeat(49_000)}`,
  'python code with 10k string literals': `python3 -c '${'system("'.repeat(10_000)}'`,
  '99k characters (at the limit)': `echo ${'x'.repeat(99_000)}`,
  '200 KB (over the limit)': `echo ${'x'.repeat(200_000)}`,
  'unterminated quotes x1000': '"'.repeat(1001),
};
const rows = Object.entries(pathological).map(([name, command]) => {
  const runs = Array.from({ length: process.env.BENCH_SMOKE === '1' ? 2 : 5 }, () => timeProcess([process.execPath, hook, '--config', config], input(command)));
  const decision = runs[0]!.stdout ? (JSON.parse(runs[0]!.stdout) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision : 'none';
  const s = stats(runs.map((r) => r.ms));
  if (s.max > 1500) throw new Error(`${name}: ${fmt(s.max)} ms, over the budget`);
  return [name, fmt(s.median), fmt(s.max), decision];
});
console.log(`\nworst cases (budget: 1 s of work, then an ask)\n\n${table(['pathological input', 'median ms', 'max ms', 'decision'], rows)}`);

// The third round's corpus (test/hook/third.ts) in a home laid out as a buddy's (secrets, protected
// files, cloned repositories), each line a whole call: the answer and its time.
const thirdHome = buildHome();
const thirdLines = THIRD.filter((_, i) => process.env.BENCH_SMOKE !== '1' || i % 20 === 0);
const thirdRuns = thirdLines.map((a) => {
  const input = JSON.stringify({ tool_name: 'Bash', tool_input: { command: a.line.replaceAll('{H}', thirdHome) }, cwd: join(thirdHome, 'work'), session_id: 'bench' });
  const r = timeProcess([process.execPath, hook, '--config', config], input, { ...process.env, HOME: thirdHome });
  return { ms: r.ms, decision: r.stdout ? (JSON.parse(r.stdout) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision : 'none' };
});
const thirdStats = stats(thirdRuns.map((r) => r.ms));
const count = (d: string) => thirdRuns.filter((r) => r.decision === d).length;
console.log(`\nthe third round's corpus, ${thirdRuns.length} lines, whole calls: median ${fmt(thirdStats.median)} ms, p95 ${fmt(thirdStats.p95)}, max ${fmt(thirdStats.max)}; ${count('deny')} denied, ${count('ask')} asked, ${count('none')} left to Claude Code, ${count('allow')} allowed`);
if (thirdStats.max > 1500) throw new Error(`a line of the third round took ${fmt(thirdStats.max)} ms, over the budget`);
