#!/usr/bin/env node
// Thin launcher: the CLI is compiled into dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('buddy-init: dist/ is missing; run `npm install` (or `npm run build`) in the package folder\n');
  process.exit(1);
}
await import(main.href);
