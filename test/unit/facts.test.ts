// The facts probe, run by a real sh against tool layouts built in a temp dir: which version each tool
// reports, and that Claude Code is not started when its install layout already says its version.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProbe, PROBE_SCRIPT } from '../../src/target/facts.js';
import { tempDir, writeFile } from '../helpers.js';

/** An executable that records being run (in `<home>/ran`) and prints `output`. */
function program(path: string, home: string, output: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFile(path, `#!/bin/sh\ntouch ${join(home, 'ran')}\necho '${output}'\n`);
  spawnSync('chmod', ['755', path]);
}

function probe(home: string, bin: string) {
  const r = spawnSync('sh', ['-c', PROBE_SCRIPT, 'buddy-init-probe', 'bench', '~/work'], {
    env: { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: home },
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  return { facts: parseProbe(r.stdout), ran: existsSync(join(home, 'ran')) };
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}

describe('facts probe', () => {
  it('reads the version of an npm-installed Claude Code from its package.json, without starting it', () => {
    const home = tempDir();
    const pkg = join(home, 'lib', 'node_modules', '@anthropic-ai', 'claude-code');
    program(join(pkg, 'bin', 'claude.exe'), home, '9.9.9 (Claude Code)');
    writeFile(join(pkg, 'package.json'), '{\n  "name": "@anthropic-ai/claude-code",\n  "version": "2.1.197",\n  "bin": { "claude": "bin/claude.exe" }\n}\n');
    link('../lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe', join(home, 'bin', 'claude'));
    const { facts, ran } = probe(home, join(home, 'bin'));
    expect(facts.tools.claude).toEqual({ path: join(home, 'bin', 'claude'), version: '2.1.197' });
    expect(ran).toBe(false);
  });

  it("reads the native installer's version from the versions/ file name (found on ~/.local/bin)", () => {
    const home = tempDir();
    program(join(home, '.local', 'share', 'claude', 'versions', '2.1.201'), home, '9.9.9 (Claude Code)');
    link(join(home, '.local', 'share', 'claude', 'versions', '2.1.201'), join(home, '.local', 'bin', 'claude'));
    const { facts, ran } = probe(home, join(home, 'empty'));
    expect(facts.tools.claude?.version).toBe('2.1.201');
    expect(ran).toBe(false);
  });

  it('asks the binary when the layout says nothing, or names another package', () => {
    const home = tempDir();
    program(join(home, 'bin', 'claude'), home, '2.0.5 (Claude Code)');
    expect(probe(home, join(home, 'bin')).facts.tools.claude?.version).toBe('2.0.5');

    const other = tempDir();
    const pkg = join(other, 'node_modules', 'claude-code');
    program(join(pkg, 'cli.js'), other, '2.0.7 (Claude Code)');
    writeFile(join(pkg, 'package.json'), '{ "name": "claude-code-fork", "version": "1.0.0" }\n');
    link(join(pkg, 'cli.js'), join(other, 'bin', 'claude'));
    const { facts, ran } = probe(other, join(other, 'bin'));
    expect(facts.tools.claude?.version).toBe('2.0.7');
    expect(ran).toBe(true);
  });

  it('finds npm by its path only: asking its version would cost a Node.js start on every plan', () => {
    const home = tempDir();
    program(join(home, 'bin', 'npm'), home, '9.2.0');
    const { facts, ran } = probe(home, join(home, 'bin'));
    expect(facts.tools.npm).toEqual({ path: join(home, 'bin', 'npm') });
    expect(ran).toBe(false);
  });

  it('reports every tool asked side by side, none lost or mixed up', () => {
    const home = tempDir();
    program(join(home, 'bin', 'claude'), home, '2.1.0 (Claude Code)');
    program(join(home, 'bin', 'bun'), home, '1.1.30');
    program(join(home, 'bin', 'tmux'), home, 'tmux 3.4');
    const { facts } = probe(home, join(home, 'bin'));
    const node = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim().slice(1);
    expect(facts.tools.claude?.version).toBe('2.1.0');
    expect(facts.tools.bun?.version).toBe('1.1.30');
    expect(facts.tools.tmux).toEqual({ path: join(home, 'bin', 'tmux'), version: '3.4.0' });
    expect(facts.tools.node?.version).toBe(node);
    expect(facts.user).toBeTruthy();
  });
});

describe('facts probe: the sandbox and the git remotes', () => {
  it("lists the workdir's git remotes", () => {
    const home = tempDir();
    const work = join(home, 'work');
    mkdirSync(work);
    for (const args of [['init', '-q'], ['remote', 'add', 'origin', 'git@github.com:ada/app.git'], ['remote', 'add', 'mirror', 'https://gitlab.example.com/ada/app.git']]) {
      expect(spawnSync('git', ['-C', work, ...args]).status).toBe(0);
    }
    expect(probe(home, join(home, 'bin')).facts.workdirRemotes?.sort()).toEqual(['git@github.com:ada/app.git', 'https://gitlab.example.com/ada/app.git']);
  });

  it('starts bubblewrap as Claude Code does: ok on this machine', () => {
    const home = tempDir();
    const { facts } = probe(home, join(home, 'bin'));
    expect(facts.sandbox?.probe).toBe('ok');
    expect(facts.sandbox?.maxUserNamespaces).toBeGreaterThan(0);
  });

  it("reports bubblewrap's own words when it cannot start", () => {
    const home = tempDir();
    // A bubblewrap that fails the way it does where user namespaces are refused.
    writeFile(join(home, 'bin', 'bwrap'), "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n");
    spawnSync('chmod', ['755', join(home, 'bin', 'bwrap')]);
    expect(probe(home, join(home, 'bin')).facts.sandbox?.probe).toBe('bwrap: setting up uid map: Permission denied');
  });
});
