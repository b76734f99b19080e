// apply with a long rule list, end to end (the CLI under --root): the three-way merge of
// settings.local.json and its record must stay linear. For 1,000 and 10,000 allow rules (a generated
// recipe, each rule distinct): the first apply, a no-op re-apply and a re-apply with one rule changed,
// plus the same with 10,000 ids in the chat allowlist (a file with a secret: its record is sealed, so the
// merge unseals it). Wall time of the whole process and its peak RSS (/usr/bin/time).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, discordToken, tempDir, writeFile } from '../test/helpers.js';
import { fmt, machine, rounds, stats, table } from './lib.js';

const n = rounds(5, 1);

function recipeText(rules: number, ids: number, changed: boolean): string {
  const allow = Array.from({ length: rules }, (_, i) => `    - "Bash(tool${i === 1 && changed ? 'X' : i} --flag:*)"`).join('\n');
  const allowFrom = Array.from({ length: ids }, (_, i) => `'${1000000 + i}'`).join(', ');
  return `name: big\nworkdir: ~/work\npermissions:\n  allow:\n${allow}\n` + (ids ? `channels:\n  discord:\n    token: { env: BENCH_TOKEN }\n    allowFrom: [${allowFrom}]\n` : '');
}

/** One apply: wall seconds and peak RSS in MB. */
function apply(recipe: string, root: string): { s: number; mb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, 'apply', '--yes', '--recipe', recipe, '--root', root], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', BENCH_TOKEN: discordToken('bench') } });
  if (r.status !== 0) throw new Error(r.stderr);
  const [s, kb] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { s: s!, mb: kb! / 1024 };
}

const rows: Array<Array<string | number>> = [];
for (const [rules, ids] of [[1000, 0], [10000, 0], [10000, 10000]] as const) {
  const samples: Record<string, number[]> = { first: [], 'no-op': [], 'one changed': [] };
  let mb = 0;
  for (let i = 0; i < n; i++) {
    const dir = tempDir('buddy-bench-merge-');
    const recipe = join(dir, 'big.yaml');
    const root = join(dir, 'root');
    writeFile(recipe, recipeText(rules, ids, false));
    for (const [step, text] of [['first', undefined], ['no-op', undefined], ['one changed', recipeText(rules, ids, true)]] as const) {
      if (text) writeFile(recipe, text);
      const r = apply(recipe, root);
      samples[step]!.push(r.s);
      mb = Math.max(mb, r.mb);
    }
    // The merge kept every rule: the file holds them all.
    const settings = JSON.parse(readFileSync(join(root, process.env.HOME ?? '/root', 'work/.claude/settings.local.json'), 'utf8'));
    if (settings.permissions.allow.length < rules) throw new Error(`only ${settings.permissions.allow.length} rules in the file`);
  }
  for (const [step, s] of Object.entries(samples)) {
    const st = stats(s);
    rows.push([`${rules} rules${ids ? `, ${ids} chat ids` : ''}`, step, fmt(st.median, 2), fmt(st.min, 2), fmt(st.max, 2), fmt(mb, 0)]);
  }
}
console.log(`apply with long lists under --root; ${n} rounds; ${machine()}\n`);
console.log(table(['recipe', 'apply', 'median s', 'min', 'max', 'peak RSS MB'], rows));
