import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { computeChange } from '../../src/plan/index.js';
import { loadRecipe, type SecretValues } from '../../src/recipe/index.js';
import { renderBuddy, type Artifact, type Rendering } from '../../src/render/index.js';
import type { Facts } from '../../src/target/index.js';
import { FIXTURES, linuxFacts, macFacts, ROOT, tempDir, writeFile } from '../helpers.js';

const runtime = { version: '9.9.9', supervisor: '// supervisor', hook: '// hook' };
const SECRETS: SecretValues = new Map([
  ['channels.discord.token', 'DISCORD-SECRET-TOKEN-VALUE'],
  ['channels.telegram.token', 'TELEGRAM-SECRET-TOKEN-VALUE'],
  ['auth.oauthToken', 'sk-ant-oat01-OAUTH-SECRET-VALUE'],
  ['auth.apiKey', 'sk-ant-api03-APIKEY-SECRET-VALUE-0123456789'],
]);

function render(yaml: string, facts: Facts = linuxFacts()): Rendering {
  const file = writeFile(join(tempDir(), 'r.yaml'), yaml);
  return renderBuddy(loadRecipe(file).recipe, facts, { secrets: SECRETS, runtime, now: NOW });
}

const byPath = (r: Rendering, suffix: string): Artifact => {
  const a = r.artifacts.find((x) => x.path.endsWith(suffix));
  if (!a) throw new Error(`no artifact ending in ${suffix}: ${r.artifacts.map((x) => x.path).join(', ')}`);
  return a;
};
const contentOf = (a: Artifact) => computeChange(a, undefined, undefined).after;

const NOW = Date.parse('2026-12-03T08:00:00Z');
const discordRecipe = `name: jarvis\nextends: balanced\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: T }\n    allowFrom: ['1']\n    groups:\n      '99': { requireMention: true }\nauth:\n  oauthToken: { env: O }\nsupervisor: { tick: 20 }\n`;

describe('render: systemd', () => {
  const r = render(discordRecipe);
  const unit = contentOf(byPath(r, '/.config/systemd/user/jarvis.service'));

  it('writes a notify unit with a watchdog of four ticks and no start limit', () => {
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^NotifyAccess=all$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^RestartSec=10$/m);
    expect(unit).toMatch(/^WatchdogSec=80$/m);
    expect(unit).toMatch(/^StartLimitIntervalSec=0$/m);
    expect(unit).toMatch(/^WantedBy=default\.target$/m);
  });

  it('keeps the default kill mode and explains why tmux survives', () => {
    expect(unit).not.toMatch(/^KillMode=/m);
    expect(unit).toMatch(/# KillMode stays at its default .* scope/s);
  });

  it('runs the versioned supervisor with the target node', () => {
    expect(unit).toContain('ExecStart=/usr/bin/node /home/ada/.local/share/buddy-init/9.9.9/supervisor.mjs --config /home/ada/.config/buddy-init/jarvis/supervisor.json');
    expect(unit).toMatch(/^WorkingDirectory=\/home\/ada\/work$/m);
  });

  it('gives the supervisor its pinned tmux session, channels and auth file', () => {
    const config = JSON.parse(contentOf(byPath(r, 'jarvis/supervisor.json')));
    expect(config).toMatchObject({
      session: 'jarvis',
      tmuxSocket: 'buddy-init-jarvis',
      workdir: '/home/ada/work',
      claude: { bin: '/home/ada/.local/bin/claude', channels: ['discord@claude-plugins-official'] },
      envFile: '/home/ada/.config/buddy-init/jarvis/auth.env',
      tickSeconds: 20,
      watchdogSeconds: 80,
      scope: true,
      trustKey: '/home/ada/work',
    });
  });

  it('keeps secrets in 0600 files and out of every other file', () => {
    const auth = byPath(r, 'auth.env');
    expect(auth.mode).toBe(0o600);
    expect(contentOf(auth)).toContain(`CLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat01-OAUTH-SECRET-VALUE`);
    const token = byPath(r, '.claude/channels/discord/buddies/jarvis/.env');
    expect(token.mode).toBe(0o600);
    expect(contentOf(token)).toBe('DISCORD_BOT_TOKEN=DISCORD-SECRET-TOKEN-VALUE\n');
    for (const a of r.artifacts.filter((x) => x.display !== 'secret')) {
      expect(contentOf(a)).not.toMatch(/SECRET-VALUE|SECRET-TOKEN/);
    }
  });

  it('writes an allowlist access policy so no pairing is needed', () => {
    const access = JSON.parse(contentOf(byPath(r, 'channels/discord/buddies/jarvis/access.json')));
    expect(access).toEqual({ dmPolicy: 'allowlist', allowFrom: ['1'], groups: { '99': { requireMention: true, allowFrom: [] } } });
  });

  it('trusts the workdir and skips onboarding in ~/.claude.json', () => {
    expect(JSON.parse(contentOf(byPath(r, '/home/ada/.claude.json')))).toEqual({
      hasCompletedOnboarding: true,
      projects: { '/home/ada/work': { hasTrustDialogAccepted: true } },
    });
  });

  it('trusts the git root when the workdir is inside a repository', () => {
    const inRepo = render(discordRecipe, linuxFacts({ workdirGitRoot: '/home/ada' }));
    expect(JSON.parse(contentOf(byPath(inRepo, '/home/ada/.claude.json'))).projects).toEqual({ '/home/ada': { hasTrustDialogAccepted: true } });
  });

  it('approves an API key by its last 20 characters', () => {
    const r2 = render('name: ada\nauth:\n  apiKey: { env: K }\n');
    expect(JSON.parse(contentOf(byPath(r2, '/home/ada/.claude.json'))).customApiKeyResponses).toEqual({ approved: ['SECRET-VALUE-0123456789'.slice(-20)] });
    expect(contentOf(byPath(r2, 'auth.env'))).toContain('ANTHROPIC_API_KEY=sk-ant-api03-APIKEY-SECRET-VALUE-0123456789');
  });
});

describe('render: Claude Code settings', () => {
  const r = render(discordRecipe);
  const settings = JSON.parse(contentOf(byPath(r, '/home/ada/work/.claude/settings.local.json')));

  it('validates against the settings JSON Schema from SchemaStore', () => {
    const schema = JSON.parse(readFileSync(join(FIXTURES, 'claude-code-settings.schema.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(settings), JSON.stringify(validate.errors)).toBe(true);
  });

  it('holds the posture, the channel tools and the hook', () => {
    expect(settings.permissions.defaultMode).toBe('acceptEdits');
    expect(settings.permissions.allow).toEqual(expect.arrayContaining(['Read', 'mcp__plugin_discord_discord__*']));
    // The hook proves read-only lines; no static Bash allow rule approves what it has not seen.
    expect(settings.permissions.allow.filter((r: string) => r.startsWith('Bash'))).toEqual([]);
    expect(settings.enabledPlugins).toEqual({ 'discord@claude-plugins-official': true });
    expect(settings.hooks.PreToolUse).toEqual([
      {
        matcher: 'Bash',
        hooks: [{ type: 'command', command: '/usr/bin/node /home/ada/.local/share/buddy-init/9.9.9/hook.cjs --config /home/ada/.config/buddy-init/jarvis/hook.json', timeout: 10 }],
      },
    ]);
  });

  it('adds guard rails: Claude may not edit its own settings, hook, allowlist or read its tokens', () => {
    expect(settings.permissions.deny).toEqual(
      expect.arrayContaining([
        'Edit(//home/ada/work/.claude/settings.local.json)',
        'Edit(~/.local/share/buddy-init/**)',
        'Edit(~/.claude/channels/discord/**)',
        'Read(~/.claude/channels/discord/**/.env)',
        'Read(~/.config/buddy-init/**/auth.env)',
      ]),
    );
    expect(settings.permissions.ask).toEqual(expect.arrayContaining(['Edit(//home/ada/work/.git/config)', 'Edit(~/.bashrc)']));
    const noGuards = render(`${discordRecipe}permissions:\n  guardRails: false\n`);
    const plain = JSON.parse(contentOf(byPath(noGuards, 'settings.local.json')));
    expect(plain.permissions.deny).not.toContain('Edit(~/.local/share/buddy-init/**)');
  });

  it('protects the token files in the hook policy too', () => {
    expect(JSON.parse(contentOf(byPath(r, 'jarvis/hook.json'))).protectedPaths).toEqual(
      expect.arrayContaining(['/home/ada/.config/buddy-init/jarvis/auth.env', '/home/ada/.claude/channels/discord/buddies/jarvis/.env']),
    );
  });

  it("tells the hook the recipe's Bash allow rules and whether the sandbox contains the commands", () => {
    const policy = (text: string) => JSON.parse(contentOf(byPath(render(text), 'hook.json')));
    expect(policy(discordRecipe)).toMatchObject({ allowRules: [], sandboxed: true });
    expect(policy('name: ada\nsandbox: false\npermissions:\n  allow: [Read, "Bash(npm test)"]\n')).toMatchObject({ allowRules: ['Bash(npm test)'], sandboxed: false });
  });

  it("passes claude.env to claude through the supervisor, beside DISABLE_AUTOUPDATER", () => {
    const r2 = render('name: ada\nclaude:\n  env: { ANTHROPIC_BASE_URL: "http://proxy:8080" }\n');
    expect(JSON.parse(contentOf(byPath(r2, 'supervisor.json'))).env).toEqual({
      CLAUDE_CODE_SHELL: '/bin/bash',
      // The agent's git ignores what the sandbox plants in its folder.
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.excludesFile',
      GIT_CONFIG_VALUE_0: '/home/ada/.config/buddy-init/ada/sandbox.gitignore',
      ANTHROPIC_BASE_URL: 'http://proxy:8080',
      DISABLE_AUTOUPDATER: '1',
    });
  });

  it('omits the hook entry when the hook is disabled', () => {
    const off = render('name: ada\nhook: { enabled: false }\n');
    expect(JSON.parse(contentOf(byPath(off, 'settings.local.json'))).hooks).toBeUndefined();
    expect(off.artifacts.some((a) => a.path.endsWith('hook.json'))).toBe(false);
  });
});

describe('render: launchd', () => {
  const plistOf = (r: Rendering) => {
    const file = join(tempDir(), 'job.plist');
    writeFile(file, contentOf(r.artifacts[0]!));
    // Python's plistlib is a real, independent plist parser.
    return JSON.parse(execFileSync('python3', ['-c', 'import plistlib,json,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', file], { encoding: 'utf8' }));
  };

  it('renders a LaunchDaemon with UserName, an explicit PATH with Homebrew, KeepAlive and a log file', () => {
    const r = render('name: mini\nos: macos\nworkdir: "~/a <b> & \'c\'"\n', macFacts());
    expect(r.artifacts[0]!.path).toBe('/Library/LaunchDaemons/com.buddy-init.mini.plist');
    const plist = plistOf(r);
    expect(plist).toMatchObject({
      Label: 'com.buddy-init.mini',
      UserName: 'ada',
      ProgramArguments: ['/opt/homebrew/bin/node', '/Users/ada/.local/share/buddy-init/9.9.9/supervisor.mjs', '--config', '/Users/ada/.config/buddy-init/mini/supervisor.json'],
      WorkingDirectory: "/Users/ada/a <b> & 'c'",
      KeepAlive: true,
      RunAtLoad: true,
      ThrottleInterval: 10,
      AbandonProcessGroup: true,
      StandardOutPath: '/Users/ada/Library/Logs/buddy-init/mini.log',
    });
    expect(plist.EnvironmentVariables.PATH.split(':')).toEqual(expect.arrayContaining(['/opt/homebrew/bin', '/usr/bin']));
  });

  it('renders a LaunchAgent without UserName in ~/Library/LaunchAgents', () => {
    const r = render('name: mini\nos: macos\ninit: { kind: launchd-agent }\n', macFacts());
    expect(r.artifacts[0]!.path).toBe('/Users/ada/Library/LaunchAgents/com.buddy-init.mini.plist');
    expect(plistOf(r).UserName).toBeUndefined();
    const config = JSON.parse(contentOf(byPath(r, 'supervisor.json')));
    expect(config.scope).toBe(false);
    expect(config.watchdogSeconds).toBeUndefined();
  });
});

describe('render: refusals', () => {
  it('needs node on the target', () => {
    expect(() => render('name: ada\n', linuxFacts({ tools: {} }))).toThrow(/node is not installed on the target/);
  });

  it('is pure: the same inputs give the same files', () => {
    const a = render(discordRecipe).artifacts.map(contentOf);
    const b = render(discordRecipe).artifacts.map(contentOf);
    expect(a).toEqual(b);
    // The schedule's tasks are created at the time given, not the time read.
    const example = () => renderBuddy(loadRecipe(join(ROOT, 'examples/discord-vps.yaml')).recipe, linuxFacts(), { secrets: SECRETS, runtime, now: NOW });
    expect(example().artifacts.map(contentOf)).toEqual(example().artifacts.map(contentOf));
    const tasks = JSON.parse(contentOf(byPath(example(), 'scheduled_tasks.json'))).tasks as Array<{ cron: string; createdAt: number }>;
    expect(tasks.map((t) => [t.cron, t.createdAt])).toEqual([['0 8 * * 1-5', NOW], ['0 */2 * * *', NOW]]);
  });

  it("puts the schedule where Claude Code keeps its project's tasks: the git root when the workdir is in a repository", () => {
    const recipe = loadRecipe(writeFile(join(tempDir(), 'r.yaml'), 'name: jarvis\nworkdir: ~/code/app/sub\nschedule:\n  - every: 1h\n    prompt: x\n')).recipe;
    const paths = (facts: Facts) => renderBuddy(recipe, facts, { secrets: SECRETS, runtime, now: NOW }).artifacts.map((a) => a.path).filter((p) => p.endsWith('scheduled_tasks.json'));
    expect(paths(linuxFacts({ workdirGitRoot: '/home/ada/code/app' }))).toEqual(['/home/ada/code/app/.claude/scheduled_tasks.json']);
    expect(paths(linuxFacts())).toEqual(['/home/ada/code/app/sub/.claude/scheduled_tasks.json']);
  });

  it('renders every example recipe', () => {
    for (const f of ['examples/quickstart.yaml', 'examples/discord-vps.yaml', 'examples/team-box.yaml']) {
      const r = renderBuddy(loadRecipe(join(ROOT, f)).recipe, linuxFacts(), { secrets: SECRETS, runtime, now: NOW });
      expect(r.artifacts.length).toBeGreaterThan(5);
    }
    const mac = renderBuddy(loadRecipe(join(ROOT, 'examples/telegram-mac-mini.yaml')).recipe, macFacts(), { secrets: SECRETS, runtime, now: NOW });
    expect(mac.layout.init).toBe('launchd-daemon');
  });
});

describe('render: credentials out of the Bash tool without a sandbox (CLAUDE_CODE_SUBPROCESS_ENV_SCRUB)', () => {
  const { bwrap, socat, ...withoutSandboxTools } = linuxFacts().tools;
  const withTools = (tools: Partial<Facts['tools']>) => linuxFacts({ tools: { ...withoutSandboxTools, ...tools } });
  const env = (r: Rendering) => JSON.parse(contentOf(byPath(r, 'supervisor.json'))).env as Record<string, string>;
  const allow = (r: Rendering) => JSON.parse(contentOf(byPath(r, 'settings.local.json'))).permissions.allow as string[];
  const recipe = `name: jarvis\nextends: balanced\nworkdir: ~/work\nsandbox: false\npermissions:\n  additionalDirectories: ['~/notes', 'shared']\n`;

  it('is set where bubblewrap and socat are, and acceptEdits is then said as Edit rules', () => {
    const r = render(recipe, withTools({ bwrap, socat }));
    expect(env(r).CLAUDE_CODE_SUBPROCESS_ENV_SCRUB).toBe('1');
    expect(allow(r)).toEqual(expect.arrayContaining(['Edit(//home/ada/work/**)', 'Edit(//home/ada/notes/**)', 'Edit(//home/ada/work/shared/**)']));
  });

  it('is left off where either is missing (claude would refuse to start or fail every Bash call)', () => {
    for (const tools of [{ bwrap }, { socat }, {}]) {
      const r = render(recipe, withTools(tools));
      expect(env(r).CLAUDE_CODE_SUBPROCESS_ENV_SCRUB).toBeUndefined();
      expect(allow(r).filter((rule) => rule.startsWith('Edit('))).toEqual([]);
    }
  });

  it('a recipe can switch it off; then the mode does the work', () => {
    const r = render(`${recipe}claude:\n  env: { CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: "0" }\n`, withTools({ bwrap, socat }));
    expect(env(r).CLAUDE_CODE_SUBPROCESS_ENV_SCRUB).toBe('0');
    expect(allow(r).filter((rule) => rule.startsWith('Edit('))).toEqual([]);
  });
});
