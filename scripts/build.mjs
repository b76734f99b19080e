// Builds the CLI (tsc -> dist/) and the two runtime bundles pushed to targets (esbuild ->
// dist/runtime/supervisor.mjs and dist/runtime/hook.mjs: single files, no dependencies, Node >= 18).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { build } = await import('esbuild');

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });

const { version } = JSON.parse((await import('node:fs')).readFileSync(join(root, 'package.json'), 'utf8'));
await build({
  absWorkingDir: root,
  entryPoints: { supervisor: 'src/runtime/supervisor/main.ts', hook: 'src/runtime/hook/main.ts' },
  outdir: 'dist/runtime',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  loader: { '.wasm': 'binary' },
  legalComments: 'eof',
  banner: { js: `// buddy-init ${version} runtime, built from src/runtime. Self-contained: needs only node >= 18.` },
  logLevel: 'warning',
});
