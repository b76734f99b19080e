// Hook latency: the shipped hook bundle per call, against bare `node -e 0` and a minimal python3 stdlib
// hook, interleaved in one run; then the worst case over pathological inputs.
import { join } from 'node:path';
import { fmt, interleaved, machine, rounds, stats, table, timeProcess } from './lib.js';

const root = process.cwd();
const hook = join(root, 'dist', 'runtime', 'hook.mjs');
const n = rounds(60, 5);
// Plain lines are the ones simple.ts reads without the bash grammar; the others need tree-sitter.
const plain = ['ls -la', 'cd /tmp && git log --oneline | head -5', 'npm test 2>&1 | tail -20', 'rm -rf ~', 'git commit -m "fix the build"', "sed -n '1,20p' file.txt && awk '{print $1}' f"];
const parsed = ['ls -la $HOME', 'echo "$HOME" > /tmp/x', 'for f in *.ts; do wc -l "$f"; done', 'git diff --stat "$BASE"', 'find . -name "*.log" | xargs -I{} wc -l {}', 'cat <<EOF\nhi\nEOF'];
const input = (command: string) => JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: '/tmp', session_id: 'bench' });
const hookCall = (command: string) => timeProcess([process.execPath, hook], input(command)).ms;

const result = interleaved(
  [
    { name: 'node -e 0', run: () => timeProcess([process.execPath, '-e', '0']).ms },
    { name: 'buddy-init hook.mjs, plain lines', run: (i) => hookCall(plain[i % plain.length]!) },
    { name: 'buddy-init hook.mjs, lines that need the grammar', run: (i) => hookCall(parsed[i % parsed.length]!) },
    { name: 'buddy-init hook.mjs, both alternately', run: (i) => hookCall(i % 2 ? parsed[(i >> 1) % parsed.length]! : plain[(i >> 1) % plain.length]!) },
    { name: 'python3 stdlib hook (reference)', run: (i) => timeProcess(['python3', join(root, 'bench', 'reference-hook.py')], input(plain[i % plain.length]!)).ms },
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
