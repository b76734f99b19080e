// The recipe's sandbox as the settings file claude gets with --settings: what each posture, toolchain and
// target turns into, and the refusals. What Claude Code and the kernel make of the file is proven with
// the real client in test/client/sandbox.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { computeChange } from '../../src/plan/index.js';
import { loadRecipe, type SecretValues } from '../../src/recipe/index.js';
import { TOOLCHAINS } from '../../src/recipe/toolchains.js';
import { renderBuddy, type Rendering } from '../../src/render/index.js';
import type { SandboxSettings } from '../../src/render/sandbox.js';
import { compile, matchTokens } from '../../src/runtime/hook/glob.js';
import { HOME_SECRETS } from '../../src/runtime/shared/secretFiles.js';
import { remoteHosts, sandboxRequirement, type Facts } from '../../src/target/index.js';
import { FIXTURES, linuxFacts, macFacts, tempDir, writeFile } from '../helpers.js';

const runtime = { version: '9.9.9', supervisor: '// supervisor', hook: '// hook' };
const SECRETS: SecretValues = new Map([
  ['channels.discord.token', 'DISCORD-SECRET-TOKEN-VALUE'],
  ['auth.oauthToken', 'sk-ant-oat01-OAUTH-SECRET-VALUE'],
]);

function render(yaml: string, facts: Facts = linuxFacts()): Rendering {
  const file = writeFile(join(tempDir(), 'r.yaml'), yaml);
  return renderBuddy(loadRecipe(file).recipe, facts, { secrets: SECRETS, runtime, now: 0 });
}
const fileOf = (r: Rendering, suffix: string) => {
  const a = r.artifacts.find((x) => x.path.endsWith(suffix));
  return a ? computeChange(a, undefined, undefined).after : undefined;
};
const sandboxOf = (r: Rendering) => {
  const text = fileOf(r, '/.config/buddy-init/jarvis/claude-settings.json');
  return text === undefined ? undefined : (JSON.parse(text) as { sandbox: SandboxSettings }).sandbox;
};
const supervisor = (r: Rendering) => JSON.parse(fileOf(r, 'supervisor.json')!) as { claude: { args: string[] }; env: Record<string, string> };
/** Claude Code's `//path` (absolute) as a plain path. */
const plain = (list: string[]) => list.map((p) => p.slice(1));
const base = 'name: jarvis\nworkdir: ~/work\n';

describe('the sandbox settings', () => {
  it('is on by default, cannot be left for an unsandboxed run, and claude gets the file with --settings', () => {
    const r = render(base);
    const s = sandboxOf(r)!;
    expect(s).toMatchObject({ enabled: true, failIfUnavailable: true, allowUnsandboxedCommands: false, autoAllowBashIfSandboxed: false });
    expect(s.network.strictAllowlist).toBe(true);
    expect(supervisor(r).claude.args).toEqual(['--settings', '/home/ada/.config/buddy-init/jarvis/claude-settings.json']);
    // The env scrub would make Claude Code ask before every sandboxed command (measured): the sandbox does its work.
    expect(supervisor(r).env.CLAUDE_CODE_SUBPROCESS_ENV_SCRUB).toBeUndefined();
    expect(s.credentials.envVars).toEqual(
      ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'DISCORD_BOT_TOKEN', 'TELEGRAM_BOT_TOKEN'].map((name) => ({ name, mode: 'deny' })),
    );
  });

  it.each([
    ['balanced', true],
    ['open', true],
    ['strict', false],
  ])('under %s, a sandboxed command runs without asking: %s', (preset, auto) => {
    expect(sandboxOf(render(`${base}extends: ${preset}\n`))!.autoAllowBashIfSandboxed).toBe(auto);
  });

  it('sandbox: false renders no file, no --settings, and the env scrub where it can run', () => {
    const r = render(`${base}extends: balanced\nsandbox: false\n`);
    expect(sandboxOf(r)).toBeUndefined();
    expect(supervisor(r).claude.args).toEqual([]);
    expect(supervisor(r).env.CLAUDE_CODE_SUBPROCESS_ENV_SCRUB).toBe('1');
  });

  it('writes: the workdir, its git root, the named toolchains\' caches and what the recipe adds; nothing else', () => {
    const r = render(`${base}sandbox:\n  toolchains: [node, rust]\n  write: [~/data, /srv/shared]\n`, linuxFacts({ workdirGitRoot: '/home/ada' }));
    const expected = ['/home/ada/work', '/home/ada', '/home/ada/data', '/srv/shared', ...[...TOOLCHAINS.node.caches, ...TOOLCHAINS.rust.caches].map((c) => `/home/ada/${c}`)];
    expect(plain(sandboxOf(r)!.filesystem.allowWrite).sort()).toEqual(expected.sort());
    // The sandbox opens only folders that exist: the supervisor makes each before claude starts.
    expect((JSON.parse(fileOf(r, 'supervisor.json')!) as { sandboxDirs: string[] }).sandboxDirs.sort()).toEqual(expected.sort());
  });

  it('reaches only the toolchains\' registries, the git remotes\' hosts and the recipe\'s domains', () => {
    const facts = linuxFacts({ workdirRemotes: ['git@github.com:ada/app.git', 'https://gitlab.example.com/ada/app.git'] });
    const r = render(`${base}sandbox:\n  toolchains: [python]\n  domains: ['*.internal.example', api.github.com]\n`, facts);
    expect(sandboxOf(r)!.network.allowedDomains).toEqual(['*.internal.example', 'api.github.com', 'files.pythonhosted.org', 'github.com', 'gitlab.example.com', 'pypi.org']);
    const off = render(`${base}sandbox:\n  gitRemotes: false\n`, facts);
    expect(sandboxOf(off)!.network.allowedDomains).toEqual([]);
  });

  it('keeps what runs outside the sandbox unwritable, even when the workdir is the home folder', () => {
    const r = render('name: jarvis\nworkdir: ~\nchannels:\n  discord:\n    token: { env: T }\n    marketplace: ~/mkt\n');
    const fs = sandboxOf(r)!.filesystem;
    expect(plain(fs.allowWrite)).toContain('/home/ada');
    for (const p of ['.bashrc', '.profile', '.ssh', '.config/systemd', '.config/buddy-init', '.local/share/buddy-init', '.claude', '.claude.json', '.local/bin', '.bun', '.tmux.conf', 'mkt']) {
      expect(plain(fs.denyWrite)).toContain(`/home/ada/${p}`);
    }
  });

  it("denies reading the hook's secrets table, the buddy's own token files among them, and what the recipe adds", () => {
    const r = render(`name: jarvis\nworkdir: ~/work\nauth:\n  oauthToken: { env: O }\nchannels:\n  discord:\n    token: { env: T }\nsandbox:\n  denyRead: [~/private]\n`);
    const denied = plain(sandboxOf(r)!.filesystem.denyRead);
    for (const p of HOME_SECRETS.filter((x) => !x.startsWith('!'))) expect(denied).toContain(`/home/ada/${p}`);
    expect(denied).toContain('/home/ada/private');
    // Every file the hook protects by name falls under one of the sandbox's patterns (a folder, or a glob).
    const hook = JSON.parse(fileOf(r, 'hook.json')!) as { protectedPaths: string[] };
    const covered = (path: string) =>
      denied.some((pattern) => {
        const parts = pattern.split('/').filter(Boolean);
        const names = path.split('/').filter(Boolean);
        return parts.length <= names.length && parts.every((part, i) => matchTokens(compile(part), names[i]!));
      });
    expect(hook.protectedPaths.length).toBeGreaterThan(2);
    for (const p of hook.protectedPaths) expect(covered(p), p).toBe(true);
    expect(covered('/home/ada/.local/state/buddy-init/jarvis/seal.key')).toBe(true);
    expect(covered('/home/ada/work/README.md')).toBe(false);
  });

  it('validates against the settings JSON Schema from SchemaStore', () => {
    const schema = JSON.parse(readFileSync(join(FIXTURES, 'claude-code-settings.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    const r = render(`${base}extends: balanced\nsandbox:\n  toolchains: [node, go, java]\n  domains: [example.com]\n`);
    const settings = JSON.parse(fileOf(r, 'claude-settings.json')!);
    expect(validate(settings), JSON.stringify(validate.errors)).toBe(true);
  });

  it('renders for macOS (Seatbelt) the same lists under the Mac home', () => {
    const r = render('name: jarvis\nos: macos\nworkdir: ~/work\nsandbox:\n  toolchains: [node]\n', macFacts());
    const s = sandboxOf(r)!;
    expect(plain(s.filesystem.allowWrite)).toContain('/Users/ada/work');
    expect(plain(s.filesystem.denyWrite)).toContain('/Users/ada/Library/LaunchAgents');
    expect(s.network.allowedDomains).toContain('registry.npmjs.org');
  });
});

describe('where the sandbox cannot run', () => {
  const { bwrap, socat, ...rest } = linuxFacts().tools;
  const cases: Array<[string, Partial<Facts>, RegExp]> = [
    ['no bubblewrap', { tools: { ...rest, socat } }, /bubblewrap not found.*fix: sudo apt-get install -y bubblewrap socat/],
    ['no socat', { tools: { ...rest, bwrap } }, /socat not found/],
    ['AppArmor (Ubuntu 24.04)', { sandbox: { probe: 'bwrap: setting up uid map: Permission denied', apparmorRestrictsUserns: 1 } }, /AppArmor restricts unprivileged user namespaces.*apparmor_parser -r/],
    ['user namespaces off', { sandbox: { probe: 'bwrap: No permissions to creating new namespace', maxUserNamespaces: 0 } }, /user.max_user_namespaces = 0.*sysctl/],
    ['a container', { sandbox: { probe: 'bwrap: Creating new namespace failed: Operation not permitted', maxUserNamespaces: 15000 } }, /Operation not permitted.*a container\?/],
  ];
  it.each(cases)('%s: apply refuses with the fix, unless the recipe says sandbox: false', (_, facts, message) => {
    expect(() => render(base, linuxFacts(facts))).toThrow(message);
    expect(() => render(base, linuxFacts(facts))).toThrow(/or set sandbox: false in the recipe/);
    expect(() => render(`${base}sandbox: false\n`, linuxFacts(facts))).not.toThrow();
  });

  it('a probe that started bubblewrap is ok; facts assumed without one are not refused', () => {
    expect(sandboxRequirement(linuxFacts({ sandbox: { probe: 'ok' } })).ok).toBe(true);
    expect(sandboxRequirement(linuxFacts()).ok).toBe(true);
    expect(sandboxRequirement(macFacts({ sandbox: { probe: 'sandbox-exec: execvp() failed' } })).ok).toBe(false);
  });
});

describe('the recipe section', () => {
  const loadError = (yaml: string) => {
    const file = writeFile(join(tempDir(), 'r.yaml'), yaml);
    try {
      loadRecipe(file);
    } catch (err) {
      return ((err as { line?: string }).line ?? (err as Error).message).replaceAll(file, "r.yaml");
    }
    throw new Error('loaded');
  };
  it.each([
    ['sandbox:\n  domains: [https://registry.npmjs.org/]\n', /r\.yaml:4:13: .*must be a host name such as registry\.npmjs\.org/],
    ['sandbox:\n  toolchains: [cobol]\n', /r\.yaml:4:16: sandbox\.toolchains\.0: .*"node"/],
    ['sandbox:\n  write: [relative/path]\n', /r\.yaml:4:11: .*absolute path or start with ~\//],
    ['sandbox: true\n', /r\.yaml:3:10: sandbox: must be false \(no sandbox\) or the sandbox's settings/],
    ['claude:\n  args: [--settings, /tmp/x.json]\n', /r\.yaml:4:10: .*buddy-init gives claude its own --settings/],
  ])('%j is refused at its line and column', (yaml, message) => {
    expect(loadError(`${base}${yaml}`)).toMatch(message);
  });
});

describe("the git remotes' hosts", () => {
  it('reads every URL form git takes', () => {
    expect(
      remoteHosts([
        'https://github.com/ada/app.git',
        'git@github.com:ada/app.git',
        'ssh://git@Git.Example.com:2222/ada/app.git',
        'https://token@gitlab.example.com/x.git',
        'git://[2001:db8::1]/x.git',
        'file:///srv/repo.git',
        '/srv/repo.git',
        '../sibling',
      ]),
    ).toEqual(['github.com', 'git.example.com', 'gitlab.example.com', '[2001:db8::1]']);
  });
});
