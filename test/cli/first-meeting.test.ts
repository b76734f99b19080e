// Issue 18: the CLI as a new user meets it, in the folder where the wizard wrote buddy.yaml: the default
// recipe everywhere, --json errors as objects, an inventory checked before any host is reached.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const write = (dir: string, name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('buddy.yaml is the recipe when none is named', () => {
  it('validate, render, plan, status, doctor and export read ./buddy.yaml', () => {
    const dir = tempDir('buddy-default-');
    write(dir, 'buddy.yaml', 'name: here\nworkdir: ~/buddy\n');
    const root = join(dir, 'root');
    expect(runCli(['validate'], { cwd: dir }).stdout).toMatch(/^ok buddy\.yaml: buddy "here", 0 permission rules$/m);
    for (const argv of [['render', '--out', 'out'], ['plan', '--root', root], ['status', '--root', root], ['doctor', '--root', root], ['export', 'cloud-init']]) {
      const r = runCli(argv, { cwd: dir });
      expect(r.stderr, argv.join(' ')).not.toMatch(/Missing required argument|buddy\.yaml: no such file/);
      expect(r.stdout + r.stderr, argv.join(' ')).toMatch(/here/);
    }
    // Elsewhere, the missing default is named, with the way out.
    const empty = runCli(['plan'], { cwd: tempDir('buddy-default-') });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('error: buddy.yaml: no such file (give --recipe the path of a recipe; `buddy-init` with no command writes one)\n');
  });
});

describe('--json errors', () => {
  it('are a list of objects with file, line, column and message, one per problem', () => {
    const dir = tempDir('buddy-json-');
    write(dir, 'buddy.yaml', 'name: Bad\npermissions:\n  allow: ["npm run build"]\npermisions: {}\n');
    const r = runCli(['validate', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const { ok, errors } = JSON.parse(r.stdout);
    expect(ok).toBe(false);
    expect(errors).toEqual([
      { file: 'buddy.yaml', line: 1, column: 7, message: expect.stringMatching(/^name: must be 2-40 lowercase/) },
      { file: 'buddy.yaml', line: 3, column: 11, message: expect.stringContaining('Did you mean "Bash(npm run build)"?') },
      { file: 'buddy.yaml', line: 4, column: 1, message: 'permisions: unknown field "permisions" (did you mean "permissions"?)' },
    ]);
    // An error with no place in a file is one object with its message.
    const flag = JSON.parse(runCli(['plan', '--json', '--recipe', join(dir, 'none.yaml')], { cwd: dir }).stdout);
    expect(flag.errors).toEqual([{ message: expect.stringMatching(/none\.yaml: no such file/) }]);
  });
});

describe('validate --inventory', () => {
  const dir = tempDir('buddy-inventory-');
  write(dir, 'base.yaml', 'name: base\nworkdir: ~/buddy\nchannels:\n  telegram: { token: { env: BUDDY_INV_UNSET }, allowFrom: ["42"] }\n');

  it("checks every host's recipe with its overrides, without reaching any host", () => {
    const inv = write(dir, 'ok.yaml', 'defaults: { recipe: ./base.yaml }\nhosts:\n  a: { host: ada@a.invalid, overrides: { name: alpha } }\n  b: { host: local, overrides: { name: beta } }\n');
    const r = runCli(['validate', '--inventory', inv], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ok .*ok\.yaml: 2 hosts \(a: buddy "alpha", 0 permission rules; b: buddy "beta", 0 permission rules\)/);
    // The unset secret variable: a warning once (both hosts share the recipe), an error with --strict.
    expect(r.stderr.match(/BUDDY_INV_UNSET is not set/g)).toHaveLength(1);
    expect(runCli(['validate', '--strict', '--inventory', inv], { cwd: dir }).code).toBe(2);
  });

  it('reports every bad override at its line in the inventory, and a missing recipe where the inventory names it', () => {
    const bad = write(dir, 'bad.yaml', 'defaults: { recipe: ./base.yaml }\nhosts:\n  a:\n    host: ada@a.invalid\n    overrides: { name: Alpha }\n  b:\n    host: local\n    overrides: { workdri: ~/x }\n');
    const r = runCli(['validate', '--inventory', bad], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:5:24: name: must be 2-40 lowercase/);
    expect(r.stderr).toMatch(/bad\.yaml:8:18: workdri: unknown field "workdri" \(did you mean "workdir"\?\)/);
    const missing = write(dir, 'missing.yaml', 'hosts:\n  a: { host: local, recipe: ./nope.yaml }\n');
    const m = runCli(['validate', '--inventory', missing], { cwd: dir });
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/^error: .*missing\.yaml:2:29: hosts\.a\.recipe: \.\/nope\.yaml: no such file$/m);
    const none = runCli(['validate', '--inventory', join(dir, 'absent.yaml')], { cwd: dir });
    expect(none.stderr).toMatch(/absent\.yaml: no such file \(the inventory; give --inventory its path\)/);
  });
});
