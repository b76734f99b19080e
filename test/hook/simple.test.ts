// The hook's wasm-free path (src/runtime/hook/simple.ts) must build exactly the tree tree-sitter-bash
// builds, or decline. Checked on the shipped bundle over the whole corpus and over thousands of lines
// generated from tokens chosen to sit on the subset's edges; every accepted line must also get the very
// same decision both ways. FUZZ=<lines> FUZZ_SEED=<n> widen the generated search.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from './corpus.js';
import { ROOT } from '../helpers.js';

type HookModule = typeof import('../../src/runtime/hook/main.js');
type Tree = NonNullable<ReturnType<HookModule['simpleSyntax']>>;
type Node = Tree['rootNode'];
let hook: HookModule;
let parser: Awaited<ReturnType<HookModule['loadBashParser']>>;

const HOME = '/home/ada';
const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: ['terraform destroy'], protectedPaths: [`${HOME}/.config/buddy-init/buddy/auth.env`] };

beforeAll(async () => {
  hook = (await import(join(ROOT, 'dist', 'runtime', 'hook.cjs'))) as HookModule;
  parser = await hook.loadBashParser();
});

/** A tree as plain data: what the analysis can see of it. */
function shape(n: Node | null): unknown {
  if (!n) return null;
  return {
    type: n.type,
    named: n.isNamed,
    span: [n.startIndex, n.endIndex],
    text: n.text,
    fields: ['name', 'body', 'redirect', 'descriptor', 'destination'].map((f) => n.childForFieldName(f)?.startIndex ?? null),
    children: n.children.map(shape),
  };
}

function compare(command: string): 'accepted' | 'declined' {
  const fast = hook.simpleSyntax(command);
  if (!fast) return 'declined';
  const real = parser.parse(command)!;
  try {
    expect(shape(fast.rootNode), command).toEqual(shape(real.rootNode as unknown as Node));
  } finally {
    real.delete();
  }
  const ctx = { cwd: `${HOME}/work`, home: HOME, config, deadline: performance.now() + 5000 };
  // Without a parser the classifier must manage on the simple tree alone, and agree with tree-sitter's.
  let withoutParser;
  try {
    withoutParser = hook.classifyCommand(command, ctx);
  } catch {
    withoutParser = undefined; // a nested script (sh -c '...') that needs the full parser
  }
  if (withoutParser) expect(withoutParser, command).toEqual(hook.classifyCommand(command, { ...ctx, parser }));
  return 'accepted';
}

/** A small deterministic generator (mulberry32), so a failure names a line that can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'ls', '-la', 'git', 'status', 'log', '--oneline', 'rm', '-rf', '/', '~', '~/x', '~root', 'cat', 'x.txt', 'sh', '-c', 'eval',
  'sudo', 'cd', '/tmp', '..', 'find', '.', '-delete', 'echo', 'a=b', 'A=1', '=x', 'x=', '5', '-5', '007', '1,2', '10.5', '0x1',
  "'a b'", "''", "'$HOME'", "'it''s'", "'", "x'y'", "'{print $1}'", "'a;b|c&&d'", "'#x'", "'\"'", "'\\'", "'a'b", "a'b c'", 'if', 'then', 'fi', 'for', 'in', 'do', 'done', 'time', 'export', 'local',
  'declare', 'function', '{', '}', '!', '[[', '[', ']', '#', 'x#y', '$x', '"q"', 'a\\ b', '>', '2>&1', '*', '?', '(', ')', '&',
  '"a b"', '""', '"$x"', '"a\\"b"', '"!x"', '"#"', 'x"y"', '"a"b', '>/dev/null', '2>/dev/null', '2>>/dev/null', '2>&1', '>&2', '1>&2',
  '2>&-', '>/dev/nullx', '2>/tmp/x', '&>/dev/null', '2> /dev/null', '12>&1', '>&/dev/null',
  '&&', '||', '|', ';', ';;', '|&', '%', '^', '@', ':', '+', ',', '-', '--', 'curl', 'http://x', 'bash', 'xargs', 'tee', 'a:b',
  '$HOME', '${HOME}', '$A$B', '"$HOME/x"', '"a $B c"', '"${A}x"', '$HOME/x', 'x$A', '$1', '$@', '$?', '"$"', '$', '${A:-x}', '${#A}',
  '"$(ls)"', '$(ls)', '`ls`', '"$A"/b', "'a'$B", "$A'b'", '=$A', '~/$A', '$A-1', '${A}1', '$A.txt', '$_x', '${A}_b', '"a$"', '"$A"',
  '> f', '>f', '2>f', '< in', '<in', '>>log', '2>> log', '> "$OUT"', '> $OUT/x', '<<EOF', '<<<x', '<&0', '<>f', '>|f', '> -', '> 5',
  '==', '=~', 'a==b', '"a\tb"', '" "', '"-x"', '"~"', '"\\$"', '$PATH:x', '"$A:$B"', '${A}${B}', '1$A', '-$A', '$A=1', 'A=$B',
];
const SEPARATORS = [' ', ' ', ' ', '', '\t', '  ', '\n'];
/** Parts glued into one word: where tree-sitter's concatenations have their quirks. */
const PARTS = ['==', '=~', '!=', 'a==', 'a', ':x', '/x', '.', '-', '-1', '1', '=', '~/', '@', '%', '"a"', '"a b"', '"$A"', '"x$A"', '"${A}"', "'q'", "''", '$A', '${A}', '$x_1', '""', '"a $B c"', '$', '$1', '"$"'];

describe('simple syntax (the hook without tree-sitter)', () => {
  it('builds the same tree as tree-sitter-bash, or declines, for every corpus line', () => {
    const outcomes = CORPUS.map(([command]) => compare(command));
    // It must carry real weight: a good part of the corpus is plain enough.
    expect(outcomes.filter((o) => o === 'accepted').length).toBeGreaterThan(50);
  });

  it('builds the same tree, or declines, for 10000 generated lines on the edges of its subset', () => {
    const next = random(Number(process.env.FUZZ_SEED ?? 8));
    let accepted = 0;
    for (let i = 0; i < Number(process.env.FUZZ ?? 10000); i++) {
      const length = 1 + Math.floor(next() * 7);
      let line = '';
      const pick = (list: string[]) => list[Math.floor(next() * list.length)]!;
      for (let j = 0; j < length; j++) line += (j ? pick(SEPARATORS) : '') + pick(TOKENS);
      if (compare(line) === 'accepted') accepted++;
    }
    expect(accepted).toBeGreaterThan(250);
  });

  it('builds the same tree, or declines, for 5000 generated words glued from several parts', () => {
    const next = random(Number(process.env.FUZZ_SEED ?? 8));
    let accepted = 0;
    for (let i = 0; i < Number(process.env.FUZZ ?? 10000) / 2; i++) {
      let word = '';
      for (let j = 1 + Math.floor(next() * 5); j > 0; j--) word += PARTS[Math.floor(next() * PARTS.length)];
      if (compare(`echo ${word}${next() < 0.3 ? ' y' : ''}`) === 'accepted') accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('declines what it does not model: special parameters, substitutions, heredocs, globs, keywords, assignments', () => {
    for (const line of ['echo "$1"', 'echo $(pwd)', 'echo "${A:-x}"', 'ls 2>&1 x', 'ls > f g', 'cat <<EOF', 'ls *', 'if true; then ls; fi', 'A=1 ls', 'export A=1', 'ls &', 'ls\nrm x', "echo it's", 'a |& b', '{ ls; }', '(ls)', 'ls # c', '', '   ']) {
      expect(hook.simpleSyntax(line), JSON.stringify(line)).toBeUndefined();
    }
  });

  it('decides plain lines without loading the grammar: read-only allowed, catastrophic denied', () => {
    const ctx = { cwd: `${HOME}/work`, home: HOME, config, deadline: performance.now() + 5000 };
    expect(hook.classifyCommand('git log --oneline | head -5', ctx).decision).toBe('allow');
    expect(hook.classifyCommand('ls -la /etc 2>/dev/null', ctx).decision).toBe('allow');
    expect(hook.classifyCommand('npm test 2>&1 | tail -20', ctx).decision).toBe('none');
    expect(hook.classifyCommand('rm -rf ~', ctx).decision).toBe('deny');
    expect(hook.classifyCommand(`cat ${HOME}/.config/buddy-init/buddy/auth.env`, ctx).decision).toBe('deny');
    expect(hook.classifyCommand('npm test', ctx).decision).toBe('none');
    expect(hook.classifyCommand('ls "$HOME/src" > /dev/null', ctx).decision).toBe('allow');
    expect(() => hook.classifyCommand('for f in *; do rm "$f"; done', ctx)).toThrow();
  });
});
