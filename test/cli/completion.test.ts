// Issue 18: `completion` prints a script for bash, zsh or fish and exits 0; the bash one, sourced in a
// real bash with the words of a half-typed command line, offers buddy-init's real commands and flags
// (not yargs' `$0`, not `--y`). zsh and fish are checked by their own parsers where installed.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, tempDir, writeFile } from '../helpers.js';

const bin = tempDir('buddy-compl-');
writeFile(join(bin, 'buddy-init'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
chmodSync(join(bin, 'buddy-init'), 0o755);

/** COMPREPLY of the bash script for the words typed so far (the last one is being completed). */
function complete(...words: string[]): string[] {
  const script = runCli(['completion', 'bash']).stdout;
  const array = ['buddy-init', ...words].map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${array}); COMP_CWORD=${words.length}; _buddy_init_completions; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('completion', () => {
  it('prints a script for each shell and exits 0', () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = runCli(['completion', shell]);
      expect(r.code, `${shell}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('buddy-init --get-yargs-completions');
    }
    expect(runCli(['completion']).stdout).toContain('complete -o default -F _buddy_init_completions buddy-init');
    expect(runCli(['completion', 'tcsh']).code).toBe(2);
  });

  it('in a real bash: commands, then the flags of that command, then values', () => {
    const commands = complete('');
    expect(commands).toEqual(expect.arrayContaining(['validate', 'plan', 'apply', 'uninstall', 'status', 'doctor', 'completion']));
    expect(commands).not.toContain('$0');
    expect(complete('pl')).toEqual(['plan']);
    const flags = complete('apply', '--');
    expect(flags).toEqual(expect.arrayContaining(['--recipe', '--root', '--host', '--accept-new', '--keep-renamed', '--yes']));
    expect(flags.filter((f) => /^--.$/.test(f))).toEqual([]);
    expect(complete('completion', '')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
  });

  it('the zsh script parses in zsh (a test dependency); the fish one in fish where installed', () => {
    for (const [shell, flag] of [['zsh', '-n'], ['fish', '--no-execute']] as const) {
      if (shell === 'fish' && spawnSync('sh', ['-c', 'command -v fish']).status !== 0) continue;
      const file = writeFile(join(bin, `c.${shell}`), runCli(['completion', shell]).stdout);
      const r = spawnSync(shell, [flag, file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
  });
});
