// Builds what the package runs, with esbuild, after tsc has type-checked the sources:
//   dist/cli.mjs                  the CLI, one file with its dependencies (start-up: one file to load,
//                                 not hundreds to resolve)
//   dist/runtime/supervisor.mjs   the runtime pushed to targets: self-contained files, no
//   dist/runtime/hook.cjs         dependencies, Node >= 18. The hook is CommonJS (it starts faster)
//   dist/runtime/hook-grammar.cjs and its bash grammar a file of its own, read only when needed
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
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
const common = { absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', loader: { '.wasm': 'binary' }, legalComments: 'eof', logLevel: 'warning' };

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

// The grammar's two wasm binaries (2 MB) go in gzipped: fewer bytes to push and to read.
const gzippedWasm = {
  name: 'gzipped-wasm',
  setup(b) {
    b.onLoad({ filter: /\.wasm$/ }, (args) => {
      const packed = gzipSync(readFileSync(args.path), { level: 9 }).toString('base64');
      return { loader: 'js', contents: `import { gunzipSync } from 'node:zlib';\nexport default new Uint8Array(gunzipSync(Buffer.from(${JSON.stringify(packed)}, 'base64')));\n` };
    });
  },
};
const runtime = { ...common, outdir: 'dist/runtime', target: 'node18', banner: { js: `// buddy-init ${version} runtime, built from src/runtime. Self-contained: needs only node >= 18.` } };

await build({ ...runtime, entryPoints: { supervisor: 'src/runtime/supervisor/main.ts' }, outExtension: { '.js': '.mjs' } });
// The hook and its grammar: CommonJS, so the hook finds the grammar beside itself with require.
// web-tree-sitter asks for import.meta.url, which CommonJS has not: it gets this file's URL.
const commonjs = { ...runtime, format: 'cjs', outExtension: { '.js': '.cjs' } };
await build({ ...commonjs, entryPoints: { hook: 'src/runtime/hook/main.ts' }, external: ['./hook-grammar.cjs'] });
await build({
  ...commonjs,
  plugins: [gzippedWasm],
  entryPoints: { 'hook-grammar': 'src/runtime/hook/grammar.ts' },
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: `${runtime.banner.js}\nconst __importMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
});
