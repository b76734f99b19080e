// Hook latency: the shipped hook bundle per call, against bare `node -e 0` and a minimal python3 stdlib
// hook, interleaved in one run; then the worst case over pathological inputs.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved, machine, stats, timeProcess } from './lib.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const hook = join(root, 'dist', 'runtime', 'hook.mjs');
const rounds = Number(process.env.ROUNDS ?? 30);
const commands = [
  'ls -la',
  'cd /tmp && git log --oneline | head -5',
  'grep -rn TODO src | sort | uniq -c',
  'rm -rf ~',
  'npm test',
  "sed -n '1,20p' file.txt && awk '{print $1}' f",
];
const input = (command) => JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: '/tmp', session_id: 'bench' });

const result = interleaved(
  [
    { name: 'node -e 0', run: () => timeProcess([process.execPath, '-e', '0']).ms },
    { name: 'buddy-init hook.mjs', run: (i) => timeProcess([process.execPath, hook], input(commands[i % commands.length])).ms },
    { name: 'python3 stdlib hook', run: (i) => timeProcess(['python3', join(root, 'bench', 'reference-hook.py')], input(commands[i % commands.length])).ms },
  ],
  rounds,
);

const pathological = {
  'nesting 3000 deep': `${'echo $('.repeat(3000)}ls${')'.repeat(3000)}`,
  '10k-char command': `echo ${'a b '.repeat(2500)}`,
  '500 chained commands': Array.from({ length: 500 }, (_, i) => `ls f${i}`).join(' && '),
  '200 KB (over the limit)': `echo ${'x'.repeat(200_000)}`,
  'unterminated quotes x1000': '"'.repeat(1001),
};
const worst = Object.fromEntries(
  Object.entries(pathological).map(([name, command]) => {
    const runs = Array.from({ length: 5 }, () => timeProcess([process.execPath, hook], input(command)));
    const decision = runs[0].stdout ? JSON.parse(runs[0].stdout).hookSpecificOutput.permissionDecision : 'none';
    return [name, { ...stats(runs.map((r) => r.ms)), decision }];
  }),
);

const base = result['node -e 0'].median;
console.log(`# hook latency (${rounds} calls each, interleaved) on ${machine()}`);
console.log('| what | median ms | p95 ms | min | max | median / node -e 0 |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, s] of Object.entries(result)) {
  console.log(`| ${name} | ${fmt(s.median)} | ${fmt(s.p95)} | ${fmt(s.min)} | ${fmt(s.max)} | ${(s.median / base).toFixed(2)}x |`);
}
console.log('\n| pathological input | median ms | max ms | decision |');
console.log('| --- | --- | --- | --- |');
for (const [name, s] of Object.entries(worst)) console.log(`| ${name} | ${fmt(s.median)} | ${fmt(s.max)} | ${s.decision} |`);
