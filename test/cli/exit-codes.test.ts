// Issue 18: one exit-code table for every command, as docs/operations.md gives it: 0 ok, 1 a machine failed,
// 2 bad input (recipe, flag, rule, secret reference, unknown host name), 130 cancelled (the wizard's
// tests cover Ctrl-C). Each command is run the right way, with a missing recipe file, with an unknown
// flag, and where it can fail on a machine, against a --root that cannot be made.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile } from '../helpers.js';

const dir = tempDir('buddy-exit-');
const root = join(dir, 'root');
const good = writeFile(join(dir, 'good.yaml'), 'name: exits\nworkdir: ~/work\n');
const badRule = writeFile(join(dir, 'bad.yaml'), 'name: exits\npermissions:\n  allow: ["bash(ls"]\n');
const unsetSecret = writeFile(join(dir, 'secret.yaml'), 'name: exits\nchannels:\n  discord:\n    token: { env: BUDDY_EXIT_UNSET }\n    allowFrom: ["1"]\n');
const env = { BUDDY_EXIT_UNSET: undefined };
const code = (...args: string[]) => runCli(args, { env }).code;

/** Commands that take a recipe and can run under --root, with the arguments that make them succeed. */
const ROOTED: Array<[string, string[]]> = [
  ['plan', []],
  ['apply', ['--yes']],
  ['status', []],
  ['restart', []],
  ['logs', []],
  ['attach', []],
  ['uninstall', ['--yes']],
];

describe('exit codes', () => {
  it('0 when it worked', () => {
    expect(code('validate', '--recipe', good)).toBe(0);
    expect(code('schema')).toBe(0);
    expect(code('render', '--recipe', good, '--out', join(dir, 'out'))).toBe(0);
    expect(code('--version')).toBe(0);
    expect(code('--help')).toBe(0);
    for (const [command, extra] of ROOTED) expect(code(command, '--recipe', good, '--root', root, ...extra), command).toBe(0);
    expect(code('uninstall', '--recipe', good, '--root', root, '--yes'), 'a second uninstall: nothing to do').toBe(0);
  });

  it('2 for bad input, whatever the command', () => {
    const recipeCommands = ['validate', 'render', 'plan', 'apply', 'uninstall', 'status', 'doctor', 'restart', 'logs', 'attach'];
    for (const command of recipeCommands) {
      expect(code(command, '--recipe', join(dir, 'missing.yaml'), '--root', root, '--yes'), `${command}: missing recipe file`).toBe(2);
      expect(code(command, '--recipe', badRule, '--root', root, '--yes'), `${command}: a rule Claude Code skips`).toBe(2);
      expect(code(command, '--recipe', good, '--root', root, '--bogus-flag'), `${command}: unknown flag`).toBe(2);
    }
    expect(code('plan'), 'plan without --recipe').toBe(2);
    const typo = runCli(['apply', '--recipie', good, '--keep-renammed', '--bogus-flag']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('error: Unknown arguments: recipie (did you mean --recipe?), keep-renammed (did you mean --keep-renamed?), bogus-flag (see buddy-init --help)\n');
    expect(code('apply', '--recipe', unsetSecret, '--root', root, '--yes'), 'an unset secret variable').toBe(2);
    // validate does not read secrets: an unset variable is a warning at its line, an error with --strict.
    const warned = runCli(['validate', '--recipe', unsetSecret], { env });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/secret\.yaml:4:12: channels\.discord\.token: environment variable BUDDY_EXIT_UNSET is not set/);
    expect(code('validate', '--strict', '--recipe', unsetSecret), 'validate --strict, an unset secret variable').toBe(2);
    expect(code('plan', '--recipe', good, '--root', ''), 'an empty --root').toBe(2);
    expect(code('plan', '--recipe', good, '--host', 'ada@no-such-host.invalid'), 'an unknown host name').toBe(2);
    expect(code('no-such-command'), 'an unknown command').toBe(2);
    // What people type first (issue 28.13): a misspelt command gets the nearest one, a long flag with one
    // dash is said as that (yargs alone reads -recipe as -r -e -c and names e, c, p).
    expect(runCli(['statsu']).stderr).toBe('error: Unknown command: statsu (did you mean status?) (see buddy-init --help)\n');
    const oneDash = runCli(['plan', '-recipe', good]);
    expect(oneDash.code).toBe(2);
    expect(oneDash.stderr).toBe('error: -recipe: long options take two dashes: --recipe (see buddy-init --help)\n');
    for (const flag of ['-h', '--help']) expect(runCli([flag]).stdout, flag).toMatch(/^buddy-init <command> \[options\]/);
    for (const flag of ['-v', '--version']) expect(runCli([flag]).stdout.trim(), flag).toMatch(/^\d+\.\d+\.\d+/);
    expect(runCli(['init', '--help']).stdout).toMatch(/The wizard/);
    expect(code('export', 'cloud-init', '--recipe', join(dir, 'missing.yaml')), 'export: missing recipe').toBe(2);
  });

  it('1 when a machine failed', () => {
    // A root under a file cannot be made: the write fails on the machine, not in the input.
    const file = writeFile(join(dir, 'a-file'), 'x');
    expect(code('apply', '--recipe', good, '--root', join(file, 'root'), '--yes')).toBe(1);
    expect(code('plan', '--recipe', good, '--host', 'ada@127.0.0.1:1'), 'connection refused').toBe(1);
  });
});
