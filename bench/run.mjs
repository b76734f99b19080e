// `npm run bench`: every benchmark, one after the other (they are noisy neighbours of each other).
// BENCH_SMOKE=1 runs a short version (few rounds), for CI.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const smoke = process.env.BENCH_SMOKE === '1';
for (const [file, rounds] of [['hook-latency.mjs', smoke ? 5 : 60]]) {
  const r = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit', env: { ...process.env, ROUNDS: String(rounds) } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
