// Writes schema/recipe.schema.json (what `buddy-init schema` prints) for editors and fresh clones.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = execFileSync(process.execPath, [join(root, 'bin', 'buddy-init.js'), 'schema'], { encoding: 'utf8' });
writeFileSync(join(root, 'schema', 'recipe.schema.json'), schema);
