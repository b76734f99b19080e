// Hook latency: the shipped hook bundle per call, against bare `node -e 0` and a minimal python3 stdlib
// hook, interleaved in one run; then the worst case over pathological inputs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, interleaved, machine, rounds, stats, table, timeProcess } from './lib.js';

const root = process.cwd();
const hook = join(root, 'dist', 'runtime', 'hook.cjs');
const n = rounds(60, 5);
// Three rotations: plain words and operators, and lines with expansions and redirections to files (both
// read by simple.ts without the bash grammar), and lines that need tree-sitter.
const plain = ['ls -la', 'cd /tmp && git log --oneline | head -5', 'npm test 2>&1 | tail -20', 'rm -rf ~', 'git commit -m "fix the build"', "sed -n '1,20p' file.txt && awk '{print $1}' f"];
const expanded = ['ls -la $HOME', 'echo "$HOME" > /tmp/x', 'git diff --stat "$BASE"', 'cd "$REPO" && npm test > /tmp/test.log 2>&1', 'cat ${XDG_CONFIG_HOME}/app/config.json', 'grep -rn "TODO: $USER" src | wc -l'];
const grammar = ['for f in *.ts; do wc -l "$f"; done', 'find . -name "*.log" | xargs -I{} wc -l {}', 'cat <<EOF\nhi\nEOF', 'echo "$(date)"', 'ls *.ts', '[ -f package.json ] && cat package.json'];
const input = (command: string) => JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: '/tmp', session_id: 'bench' });
// The floor of the grammar path: the grammar file alone, loaded, and one parse; no stdin, no hook, no decision.
const floor = `require(${JSON.stringify(join(root, 'dist', 'runtime', 'hook-grammar.cjs'))}).loadBashParser().then((p) => p.parse('ls $HOME').delete());`;
// The system's python3, not a version manager's shim in front of it (pyenv's costs more than python).
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// Each rotation must take the path it is named for, or the figures would mean something else.
const { simpleSyntax } = (await import(hook)) as { simpleSyntax(line: string): unknown };
for (const [lines, fast] of [[plain, true], [expanded, true], [grammar, false]] as const) {
  for (const line of lines) if (!simpleSyntax(line) === fast) throw new Error(`${JSON.stringify(line)} is not a line ${fast ? 'simple.ts reads' : 'that needs the grammar'}`);
}
const hookCall = (command: string) => timeProcess([process.execPath, hook], input(command)).ms;

const result = interleaved(
  [
    { name: 'node -e 0', run: () => timeProcess([process.execPath, '-e', '0']).ms },
    { name: 'hook.cjs, plain words and operators', run: (i) => hookCall(plain[i % plain.length]!) },
    { name: 'hook.cjs, expansions, redirections to files', run: (i) => hookCall(expanded[i % expanded.length]!) },
    { name: 'hook.cjs, lines that need the grammar', run: (i) => hookCall(grammar[i % grammar.length]!) },
    { name: 'tree-sitter alone: grammar loaded, one parse', run: () => timeProcess([process.execPath, '-e', floor]).ms },
    { name: 'python3 stdlib hook (reference)', run: (i) => timeProcess([python, join(root, 'bench', 'reference-hook.py')], input(plain[i % plain.length]!)).ms },
  ],
  n,
);
const base = result['node -e 0']!.median;
console.log(`hook latency, ${n} calls each, interleaved, on ${machine()}\n`);
console.log(table(['what', 'median ms', 'p95 ms', 'min', 'max', 'median / node -e 0'], Object.entries(result).map(([name, s]) => [name, fmt(s.median), fmt(s.p95), fmt(s.min), fmt(s.max), `${(s.median / base).toFixed(2)}x`])));

const pathological: Record<string, string> = {
  'nesting 3000 deep': `${'echo $('.repeat(3000)}ls${')'.repeat(3000)}`,
  '10k-char command': `echo ${'a b '.repeat(2500)}`,
  '500 chained commands': Array.from({ length: 500 }, (_, i) => `ls f${i}`).join(' && '),
  '200 KB (over the limit)': `echo ${'x'.repeat(200_000)}`,
  'unterminated quotes x1000': '"'.repeat(1001),
};
const rows = Object.entries(pathological).map(([name, command]) => {
  const runs = Array.from({ length: process.env.BENCH_SMOKE === '1' ? 2 : 5 }, () => timeProcess([process.execPath, hook], input(command)));
  const decision = runs[0]!.stdout ? (JSON.parse(runs[0]!.stdout) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision : 'none';
  const s = stats(runs.map((r) => r.ms));
  return [name, fmt(s.median), fmt(s.max), decision];
});
console.log(`\nworst cases\n\n${table(['pathological input', 'median ms', 'max ms', 'decision'], rows)}`);
