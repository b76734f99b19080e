// Shared by the benchmarks: timing of whole processes, side by side, with robust statistics.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export function timeProcess(argv, input) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
}

export const fmt = (x) => x.toFixed(1);

/** Runs the candidates interleaved (A B C A B C ...) so machine noise hits all of them alike. */
export function interleaved(candidates, rounds) {
  const samples = Object.fromEntries(candidates.map((c) => [c.name, []]));
  for (let i = 0; i < rounds; i++) for (const c of candidates) samples[c.name].push(c.run(i));
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
}

export function machine() {
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, node ${process.version}`;
}
