// `npm test`: the fast tier (unit, CLI, wizard, documentation captures; vitest.config.ts says which).
// `npm run test:all` (`--all`): every test, as CI runs it. Either way it first installs missing system
// packages the tests need, builds, and type-checks the tests; with file names, it runs those files.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const args = process.argv.slice(2);
const all = args[0] === '--all';
const files = all ? args.slice(1) : args;
step('sh', [join(root, 'scripts', 'test-deps.sh')]);
step(process.execPath, [join(root, 'scripts', 'build.mjs')]);
step(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.check.json')]);
step(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...(all || files.length ? [] : ['--project', 'fast']), ...files]);
