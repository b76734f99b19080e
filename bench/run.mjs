// `npm run bench`: every benchmark, one after the other (they would be noisy neighbours in parallel).
// The benchmarks are TypeScript that share the test suite's harness (the VPS, the stand-in claude), so
// each is bundled with esbuild first. BENCH_SMOKE=1 runs a short version (few rounds), for CI.
//   npm run bench                 all        npm run bench -- hook     only those whose name matches
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: join(here, '..') });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
// The test suite's system packages (the VPS needs them too) plus Ansible; then dist/ from the sources,
// so the figures are those of the code in front of you.
step('sh', [join(here, '..', 'scripts', 'test-deps.sh'), 'bench']);
step(process.execPath, [join(here, '..', 'scripts', 'build.mjs')]);
const { build } = await import('esbuild');
// One level below the package root, like dist/: the bundled sources find the package (templates,
// recipes, dist/) relative to themselves, and their external dependencies in its node_modules.
const out = join(here, '..', '.bench');
mkdirSync(out, { recursive: true });
const only = process.argv[2];
const benches = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort();
for (const file of benches) {
  const bundle = join(out, file.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(here, file)], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  console.log(`\n## ${file}\n`);
  step(process.execPath, [bundle]);
}
