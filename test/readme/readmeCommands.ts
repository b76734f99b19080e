/** The README's commands, read from README.md itself, so the tests run what a newcomer is told to. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from '../helpers.js';

/** The commands of the first sh block under `heading` in README.md, comments and blank lines left out. */
export function readmeCommands(heading: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`${heading}\n`));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** `npx buddy-init ...` as npx runs it in the clone (this checkout's CLI): its arguments. */
export const asRun = (command: string): string[] => {
  expect(command).toMatch(/^npx buddy-init( |$)/);
  return command.split(' ').slice(2);
};
