/**
 * `npm run fuzz -- [--lines N] [--seed S] [--hook path/to/hook.cjs]`: the long run of both oracles
 * over generated lines (the test suite runs a bounded number). Prints counts, and every line that
 * diverges. A hook bundle of another version can be judged too (the decisional oracle only, where it
 * has no model to compare).
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BashSandbox } from './bash.js';
import { LineGenerator, random } from './generate.js';
import { judgeLine, SANDBOX_HOME, type Hook } from './judge.js';
import { CORPUS } from '../corpus.js';
import { ATTACKS } from '../attacks.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const lines = Number(arg('lines', '20000'));
const seed = Number(arg('seed', '1'));
const bundle = resolve(arg('hook', 'dist/runtime/hook.cjs'));

const mod = createRequire(import.meta.url)(bundle) as {
  classifyCommand: (c: string, ctx: object) => { decision: string; reason: string };
  analyzeLine?: (c: string, ctx: object) => unknown;
  loadBashParser?: () => Promise<unknown>;
};
const parser = mod.loadBashParser ? await mod.loadBashParser() : undefined;
const config = { safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [`${SANDBOX_HOME}/.claude/channels/discord/.env`] };
const hook: Hook = {
  classify: (command, cwd) => mod.classifyCommand(command, { cwd, home: SANDBOX_HOME, config, deadline: performance.now() + 5000, ...(parser ? { parser } : {}) }) as ReturnType<Hook['classify']>,
  analyze: (command, cwd) =>
    (mod.analyzeLine
      ? mod.analyzeLine(command, { cwd, home: SANDBOX_HOME, userHome: () => undefined, budget: { spend() {} } })
      : { invocations: [], error: 'no model in this bundle', inexact: [], opaque: [] }) as ReturnType<Hook['analyze']>,
};

const sandbox = new BashSandbox();
const gen = new LineGenerator(random(seed));
const counts = { lines: 0, exact: 0, missed: 0, allowed: 0, unsafe: 0, denied: 0, asked: 0, bashErrors: 0, untraceable: 0 };
const started = Date.now();
const all = [...CORPUS.map(([c]) => c), ...ATTACKS.filter((a) => a.class !== 'time').map((a) => a.line), ...Array.from({ length: lines }, () => gen.line())];
for (const line of all) {
  const r = judgeLine(line, hook, sandbox);
  counts.lines++;
  if (r.exact) counts.exact++;
  if (r.bashError) counts.bashErrors++;
  if (r.untraceable) counts.untraceable++;
  if (r.decision.decision === 'allow') counts.allowed++;
  if (r.decision.decision === 'deny') counts.denied++;
  if (r.decision.decision === 'ask') counts.asked++;
  if (r.missed.length) {
    counts.missed++;
    console.log(`MISSED ${JSON.stringify(line)}\n  bash ran: ${r.missed.map((e) => JSON.stringify(e.words)).join(' ')}`);
  }
  if (r.unsafe.length) {
    counts.unsafe++;
    console.log(`UNSAFE ALLOW ${JSON.stringify(line)}\n  ${r.unsafe.join('\n  ')}`);
  }
  if (counts.lines % 1000 === 0) console.error(`${counts.lines} lines, ${Math.round((Date.now() - started) / 1000)} s`);
}
sandbox.dispose();
console.log(JSON.stringify({ hook: bundle, seed, ...counts, seconds: Math.round((Date.now() - started) / 1000) }));
