// Builds what the package runs, with esbuild, after tsc has type-checked the sources:
//   dist/cli.mjs                  the CLI, one file with its dependencies (start-up: one file to load,
//                                 not hundreds to resolve)
//   dist/runtime/supervisor.mjs   the runtime pushed to targets: self-contained files, no
//   dist/runtime/hook.cjs         dependencies, Node >= 18. The hook is CommonJS (it starts faster)
//                                 and carries its own bash parser (no grammar file, no wasm)
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { build } = await import('esbuild');

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit', cwd: root });

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const common = { absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', legalComments: 'eof', logLevel: 'warning' };

await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  target: 'node20',
  sourcemap: true,
  // Half the bytes for V8 to parse at every start (about 55 ms of 200 here); names kept for messages.
  minify: true,
  keepNames: true,
  // ssh2's optional native crypto binding and cpu-features stay out: ssh2 falls back to pure JS.
  external: ['*.node', 'cpu-features'],
  // CommonJS dependencies inside an ES module bundle still ask for require, __filename and __dirname.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join(' '),
  },
});

const runtime = { ...common, outdir: 'dist/runtime', target: 'node18', banner: { js: `// buddy-init ${version} runtime, built from src/runtime. Self-contained: needs only node >= 18.` } };

await build({ ...runtime, entryPoints: { supervisor: 'src/runtime/supervisor/main.ts' }, outExtension: { '.js': '.mjs' } });
// The hook: CommonJS, because Node starts a CommonJS file ~10 ms sooner than an ES module.
// Minified: fewer bytes for V8 to read before every Bash call.
await build({ ...runtime, format: 'cjs', minify: true, outExtension: { '.js': '.cjs' }, entryPoints: { hook: 'src/runtime/hook/main.ts' } });
