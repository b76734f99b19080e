// The sandbox's price, and what it buys, with the real Claude Code (newest) on this machine. A buddy is
// rendered into a home of its own here (buddy-init's own settings, hook and sandbox, as apply writes
// them), and `claude -p` runs whole sessions of Bash calls the fake Messages API scripts (TOOL SEQUENCE),
// the way an agent works through a task. From the API's side, each call's time is from the request that
// asked for it to the one that brought its result back: the hook, Claude Code's checks, the sandbox's
// start and the command itself.
//  1. overhead per command: `true` and `git status` in the sandbox, under the env scrub (what runs where
//     there is no sandbox: it also starts bubblewrap, for a PID namespace) and with neither; interleaved;
//  2. how many of a coding session's commands run without a person: under balanced with the sandbox,
//     and without it (the posture before it).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { claudePrint, FakeAnthropic, NEWEST, realClaude } from '../test/client/claude.js';
import { tempDir, writeFile } from '../test/helpers.js';
import { buddyHere, type BuddyHere } from '../test/buddyHere.js';
import { fmt, machine, rounds, stats, table } from './lib.js';

/** Commands of coding sessions as Claude Code runs them: exploring, building, testing, editing, committing. */
const SESSIONS: Record<string, string[]> = {
  'a Node.js change': [
    'ls -la', 'cat package.json', 'git status', 'git log --oneline -5', 'grep -rn "add" src', 'find src -name "*.js"', 'head -20 src/math.js',
    'npm install --no-audit --no-fund', 'npm test', 'node src/cli.js 2 3', 'mkdir -p src/lib', 'cp src/math.js src/lib/math.js', 'sed -i "s/a + b/b + a/" src/lib/math.js',
    "cat > src/lib/util.js <<'EOF'\nexports.twice = (x) => x * 2;\nEOF", 'node -e "console.log(require(\'./src/lib/util\').twice(4))"', 'npm test 2>&1 | tail -5', 'npm run lint',
    'git diff --stat', 'git add -A', 'git commit -qm "Add util"', 'git log --oneline -1',
  ],
  'a Python fix': [
    'ls py', 'cat py/calc.py', 'python3 -m pytest -q py 2>&1 | tail -3 || python3 -m unittest discover -s py -q', 'python3 -c "import sys; print(sys.version)"', 'grep -n "def " py/calc.py',
    'sed -i "s/return a-b/return a - b/" py/calc.py', 'python3 -m unittest discover -s py -q', 'python3 py/calc.py', 'wc -l py/*.py', 'git diff py', 'git add py && git commit -qm "Tidy calc"',
  ],
  'a build and clean-up': [
    'make', 'ls dist', 'cat dist/out.txt', 'make clean', 'rm -rf dist node_modules/.cache', 'du -sh .', 'echo "build notes" >> NOTES.md', 'touch .env.example', 'mv NOTES.md docs-notes.md',
    'for f in src/*.js; do node --check "$f"; done', 'tar czf /tmp/backup.tgz src', 'git stash list', 'git checkout -b feature/x', 'git branch --show-current', 'env | grep -c PATH', 'which node git make',
    'curl -sS -m 5 https://registry.npmjs.org/left-pad -o /dev/null; echo $?',
  ],
};

const project = (home: string) => {
  const work = join(home, 'work');
  const file = (rel: string, text: string) => writeFile(join(work, rel), text);
  file('package.json', JSON.stringify({ name: 'app', version: '1.0.0', scripts: { test: 'node test.js', lint: 'node --check src/math.js' } }, null, 2));
  file('src/math.js', 'exports.add = (a, b) => a + b;\n');
  file('src/cli.js', "const { add } = require('./math');\nconsole.log(add(Number(process.argv[2]), Number(process.argv[3])));\n");
  file('test.js', "require('assert').strictEqual(require('./src/math').add(1, 2), 3); console.log('ok');\n");
  file('Makefile', 'all:\n\tmkdir -p dist && echo built > dist/out.txt\nclean:\n\trm -rf dist\n');
  file('py/calc.py', 'def sub(a, b):\n    return a-b\n\nif __name__ == "__main__":\n    print(sub(3, 1))\n');
  file('py/test_calc.py', 'import unittest\nfrom calc import sub\n\nclass T(unittest.TestCase):\n    def test_sub(self):\n        self.assertEqual(sub(3, 1), 2)\n');
  const git = (...args: string[]) => spawnSync('git', ['-C', work, ...args], { env: { ...process.env, HOME: home } });
  git('init', '-q');
  git('config', 'user.email', 'ada@example.org');
  git('config', 'user.name', 'Ada');
  git('add', '-A');
  git('commit', '-qm', 'start');
};

/** A buddy rendered into a fresh home here, with a project to work on; `extra` is added to its recipe. */
async function buddy(sandbox: boolean, extra = ''): Promise<BuddyHere> {
  const home = tempDir('buddy-bench-sandbox-');
  project(home);
  return buddyHere(home, `name: bench\nextends: balanced\nworkdir: ~/work\n${sandbox ? 'sandbox:\n  toolchains: [node, python]\n' : 'sandbox: false\n'}${extra}`);
}

const api = await new FakeAnthropic().start('127.0.0.1');
const bin = realClaude(NEWEST).binary;

/** One `claude -p` session running `commands`; each call's time and result, in order. */
function session(b: BuddyHere, commands: string[]): Array<{ ms: number; text: string; isError: boolean }> {
  const since = api.requests().length;
  const prompt = `TOOL SEQUENCE ${JSON.stringify(commands.map((command) => ({ command, description: 'Work on the task' })))}`;
  const { results } = claudePrint(bin, { api, home: b.home, project: b.work, prompt, args: b.args, env: b.env, timeoutMs: 600_000 });
  const asked = api.requests().slice(since).filter((r) => r.body.tools?.length);
  return results.map((r, i) => ({ ...r, ms: r.at - asked[i]!.at }));
}

// 1. Overhead.
const n = rounds(40, 4);
const variants = [
  ['in the sandbox', await buddy(true)],
  ['env scrub only (no sandbox)', await buddy(false)],
  ['neither', await buddy(false, 'claude:\n  env: { CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: "0" }\n')],
] as const;
const per: Record<string, number[]> = {};
for (const command of ['true', 'git status']) {
  for (let i = 0; i < Math.ceil(n / 10); i++) {
    for (const [name, b] of variants) {
      const key = `\`${command}\`, ${name}`;
      (per[key] ??= []).push(...session(b, Array(10).fill(command)).map((r) => r.ms));
    }
  }
}
console.log(`sandbox overhead, real Claude Code ${NEWEST}, ${n} calls each (sessions of 10, interleaved), on ${machine()}\n`);
console.log(table(['command', 'median ms', 'p95 ms', 'min', 'max'], Object.entries(per).map(([k, v]) => { const s = stats(v); return [k, fmt(s.median), fmt(s.p95), fmt(s.min), fmt(s.max)]; })));

// 2. What runs without a person. Print mode cannot show a prompt: what would ask is refused, and said.
const NEEDS_PERSON = /requires approval|needs approval|can't be checked|cannot be checked|haven't granted|buddy-init: /;
/** A command that ran, and met the sandbox's refusal on the way (a write, a read or a host it may not). */
const REFUSED = /Read-only file system|Permission denied|Operation not permitted|CONNECT tunnel failed|sandbox_violations/;
const verdict = (r: { text: string; isError: boolean }) => (/buddy-init safety hook denied/.test(r.text) ? 'denied' : r.isError && NEEDS_PERSON.test(r.text) && !/^Exit code/.test(r.text) ? 'person' : 'ran');
const rows: Array<Array<string | number>> = [];
const asked: string[] = [];
for (const [posture, b] of [['balanced, sandbox on', await buddy(true)], ['balanced, no sandbox (before)', await buddy(false)]] as const) {
  let total = 0;
  let ran = 0;
  let refused = 0;
  let person = 0;
  let denied = 0;
  for (const [name, commands] of Object.entries(SESSIONS)) {
    const results = session(b, commands);
    results.forEach((r, i) => {
      const v = verdict(r);
      total++;
      if (v === 'ran') {
        ran++;
        if (REFUSED.test(r.text)) refused++;
      }
      else if (v === 'person') {
        person++;
        if (posture.startsWith('balanced, sandbox')) asked.push(`${name}: ${commands[i]!.split('\n')[0]} -> ${r.text.split('\n')[0]!.slice(0, 100)}`);
      } else denied++;
    });
  }
  rows.push([posture, total, `${ran} (${fmt((100 * ran) / total, 0)} %)`, refused, person, denied]);
}
console.log(`\nBash commands of three coding sessions (${Object.values(SESSIONS).flat().length} commands), run by the agent:\n`);
console.log(table(['posture', 'commands', 'ran without a person', 'of which met a refusal', 'needed a person', 'denied'], rows));
if (asked.length) console.log(`\nwhat still needed a person with the sandbox on:\n${asked.map((a) => `- ${a}`).join('\n')}`);
api.stop();
