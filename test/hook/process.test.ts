import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, tempDir } from '../helpers.js';

// The bundle copied away from node_modules: it must run with plain node and nothing else beside it.
const dir = tempDir('buddy-hook-');
const HOOK = join(dir, 'hook.cjs');
copyFileSync(join(ROOT, 'dist', 'runtime', 'hook.cjs'), HOOK);
/** What each captured Claude Code version sends a PreToolUse hook (scripts/capture-claude.mjs); the newest is the base of the calls below. */
const captures = readdirSync(join(FIXTURES, 'claude-code'))
  .sort(semver.compare)
  .map((version) => ({ version, stdin: JSON.parse(readFileSync(join(FIXTURES, 'claude-code', version, 'pretooluse-stdin.json'), 'utf8')).stdin }));
const captured = captures[captures.length - 1]!.stdin;

function runHook(input: string | object, args: string[] = []) {
  const r = spawnSync(process.execPath, [HOOK, ...args], {
    input: typeof input === 'string' ? input : JSON.stringify(input),
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: '/home/ada' },
    timeout: 20_000,
  });
  const out = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  return { code: r.status, out, stderr: r.stderr };
}
const call = (command: string) => ({ ...captured, tool_input: { command, description: 'test' } });

describe('hook process', () => {
  it.each(captures)('answers the PreToolUse input Claude Code $version sends, in its output format', ({ stdin }) => {
    expect(stdin.tool_input.command).toBe('ls -la');
    const r = runHook(stdin);
    expect(r.code).toBe(0);
    expect(r.out).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', permissionDecisionReason: 'buddy-init: read-only: ls' },
    });
  });

  it('denies with a reason Claude sees', () => {
    const r = runHook(call('rm -rf ~'));
    expect(r.out.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(r.out.hookSpecificOutput.permissionDecisionReason).toMatch(/^buddy-init safety hook denied this: rm deletes \/home\/ada, your home folder/);
  });

  it('prints nothing when Claude Code should decide', () => {
    const r = runHook(call('npm test'));
    expect(r.code).toBe(0);
    expect(r.out).toBeUndefined();
  });

  it('stays out of other tools', () => {
    expect(runHook({ ...captured, tool_name: 'Edit', tool_input: { file_path: 'x' } }).out).toBeUndefined();
  });

  it.each([
    ['bad JSON', '{"tool_name": "Bash", '],
    ['no command', { ...captured, tool_input: {} }],
    ['empty stdin', ''],
  ])('fails closed on %s: an explicit ask and a line on stderr', (_what, input) => {
    const r = runHook(input);
    expect(r.code).toBe(0);
    expect(r.out.hookSpecificOutput.permissionDecision).toBe('ask');
    expect(r.stderr).toMatch(/^buddy-init hook: .*asking instead of deciding/);
  });

  it('fails closed when its policy file cannot be read', () => {
    const r = runHook(call('ls'), ['--config', join(dir, 'missing.json')]);
    expect(r.out.hookSpecificOutput.permissionDecision).toBe('ask');
  });

  it('bounds pathological input: deep nesting and huge lines never end in allow', () => {
    const deep = `${'echo $('.repeat(3000)}ls${')'.repeat(3000)}`;
    const huge = `echo ${'a'.repeat(200_000)}`;
    const wide = Array.from({ length: 500 }, (_, i) => `ls f${i}`).join(' && ');
    for (const command of [deep, huge]) {
      const r = runHook(call(command));
      expect(r.code).toBe(0);
      expect(r.out?.hookSpecificOutput.permissionDecision).toBe('ask');
    }
    expect(runHook(call(wide)).out.hookSpecificOutput.permissionDecision).toBe('allow');
  });

  it('writes an audit line per decision to a 0600 log', () => {
    const config = join(dir, 'hook.json');
    const log = join(dir, 'state', 'audit.jsonl');
    writeFileSync(config, JSON.stringify({ safeVerbs: [], subcommandSafe: {}, hardDeny: [], protectedPaths: [], auditLog: log }));
    runHook(call('ls'), ['--config', config]);
    runHook(call('rm -rf /'), ['--config', config]);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.command, l.decision])).toEqual([
      ['ls', 'allow'],
      ['rm -rf /', 'deny'],
    ]);
    expect(lines[0]).toMatchObject({ session: captured.session_id, cwd: captured.cwd });
    expect(statSync(log).mode & 0o777).toBe(0o600);
  });

  it('applies the recipe tables from its policy file', () => {
    const config = join(dir, 'tables.json');
    writeFileSync(config, JSON.stringify({ safeVerbs: ['mytool'], subcommandSafe: { kubectl: ['get'] }, hardDeny: ['kubectl delete'], protectedPaths: [] }));
    const decision = (c: string) => runHook(call(c), ['--config', config]).out?.hookSpecificOutput.permissionDecision;
    expect(decision('mytool --anything')).toBe('allow');
    expect(decision('kubectl get pods')).toBe('allow');
    expect(decision('kubectl apply -f x')).toBeUndefined();
    expect(decision('kubectl delete pod x')).toBe('deny');
  });
});

describe('buddy-init hook', () => {
  it('runs the same bundle from the CLI', async () => {
    const { runCli } = await import('../helpers.js');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'buddy-init.js'), 'hook'], {
      input: JSON.stringify(call('cat /etc/hostname | wc -c')),
      encoding: 'utf8',
    });
    expect(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision).toBe('allow');
    expect(runCli(['hook', '--help']).stdout).toMatch(/PreToolUse/);
  });
});
