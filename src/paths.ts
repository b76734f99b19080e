/** Where this package's own files are, whether run from a clone (dist/) or from the npm registry. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** This file runs as part of dist/cli.mjs (or as src/paths.ts in tests): one level below the package root. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
export const RECIPES_DIR = join(PACKAGE_ROOT, 'recipes');
export const RUNTIME_DIR = join(PACKAGE_ROOT, 'dist', 'runtime');
