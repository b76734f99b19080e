/** Shared by the benchmarks: timing whole processes side by side, with robust statistics. */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface Stats {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function timeProcess(argv: string[], input?: string, env?: NodeJS.ProcessEnv): { ms: number; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout.slice(-2000)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0]!, max: s[s.length - 1]! };
}

export const fmt = (x: number, digits = 1): string => x.toFixed(digits);

/** Runs the candidates interleaved (A B C A B C ...) so machine noise hits all of them alike. */
export function interleaved(candidates: Array<{ name: string; run: (i: number) => number }>, rounds: number): Record<string, Stats> {
  const samples: Record<string, number[]> = Object.fromEntries(candidates.map((c) => [c.name, []]));
  for (let i = 0; i < rounds; i++) for (const c of candidates) samples[c.name]!.push(c.run(i));
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
}

export function machine(): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, node ${process.version}`;
}

export const rounds = (full: number, smoke = 3): number => (process.env.BENCH_SMOKE === '1' ? smoke : Number(process.env.ROUNDS ?? full));

export function table(header: string[], rows: Array<Array<string | number>>): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
