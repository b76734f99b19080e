// `npm run fuzz -- [--lines N] [--seed S] [--hook path/to/hook.cjs]`: the long run of the bash oracle
// (test/hook/oracle/fuzz.ts) over generated lines. Builds dist/ first, bundles the runner with esbuild.
// Needs root (the oracle's sandbox is a chroot with its own namespaces).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step(process.execPath, [join(root, 'scripts', 'build.mjs')]);
const { build } = await import('esbuild');
mkdirSync(join(root, '.bench'), { recursive: true });
const bundle = join(root, '.bench', 'fuzz.mjs');
await build({ entryPoints: [join(root, 'test', 'hook', 'oracle', 'fuzz.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
step(process.execPath, [bundle, ...process.argv.slice(2)]);
