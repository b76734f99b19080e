import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/operate/doctor.js';
import { loadRecipe } from '../../src/recipe/index.js';
import { layoutFor } from '../../src/render/index.js';
import { LocalTarget } from '../../src/target/index.js';
import { discordToken, linuxFacts, macFacts, runCli, tempDir, writeFile } from '../helpers.js';

const HOME = homedir();

describe('doctor on secrets and channels (this machine, under --root)', () => {
  it('finds a token file others can read and --fix makes it 0600; finds variables that switch channels off', () => {
    const dir = tempDir();
    const root = join(dir, 'root');
    const recipe = writeFile(join(dir, 'd.yaml'), "name: doc\nworkdir: ~/w\nchannels:\n  discord:\n    token: { env: DOC_TOKEN }\n    allowFrom: ['1']\n");
    const env = { DOC_TOKEN: discordToken('doctor-test') };
    expect(runCli(['apply', '--recipe', recipe, '--root', root, '--yes'], { env }).code).toBe(0);
    const token = join(root, HOME, '.claude/channels/discord/buddies/doc/.env');
    chmodSync(token, 0o644);
    const settings = join(root, HOME, 'w/.claude/settings.local.json');
    writeFileSync(settings, JSON.stringify({ ...JSON.parse(readFileSync(settings, 'utf8')), env: { DISABLE_TELEMETRY: '1' } }));

    const found = runCli(['doctor', '--recipe', recipe, '--root', root], { env });
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/FAIL secret file mode: .*discord\/buddies\/doc\/\.env is mode 644: other users can read the token/);
    expect(found.stdout).toMatch(/FAIL channels switched off: DISABLE_TELEMETRY in .*settings\.local\.json/);
    expect(found.stdout).not.toContain(env.DOC_TOKEN);

    // --fix changes the target: without a terminal it needs --yes, and changes nothing before (issue 28.12).
    const unasked = runCli(['doctor', '--recipe', recipe, '--root', root, '--fix'], { env });
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/this changes the target: pass --yes to confirm when not running in a terminal/);
    expect(statSync(token).mode & 0o777).toBe(0o644);
    const fixed = runCli(['doctor', '--recipe', recipe, '--root', root, '--fix', '--yes'], { env });
    // It shows the apply it runs before it runs it.
    expect(fixed.stdout).toMatch(/Plan for buddy "doc" on local, rebased under [\s\S]*discord\/buddies\/doc\/\.env/);
    expect(fixed.stdout).toMatch(/ok +secret file mode: .*discord\/buddies\/doc\/\.env is 600/);
    expect(statSync(token).mode & 0o777).toBe(0o600);
    // The person's own env setting is explained, not removed.
    expect(fixed.stdout).toMatch(/FAIL channels switched off[\s\S]*needs you/);
    // What --fix tried and could not repair is said, with why and the way by hand; it does not
    // recommend itself again.
    expect(fixed.stdout).toMatch(/FAIL service: doc\.service is not running\n +--fix could not repair it: under --root, apply runs no service command \(apply without --root on the box does\)\. By hand: buddy-init logs says why/);
    expect(fixed.stdout).toMatch(/^\d+ problems; --fix could not repair \d+ \(said above\); \d+ needs? you\.$/m);
    expect(fixed.stdout).not.toMatch(/--fix repairs/);
    const json = JSON.parse(runCli(['doctor', '--recipe', recipe, '--root', root, '--fix', '--yes', '--json'], { env }).stdout);
    expect(json.findings.find((f: { id: string }) => f.id === 'service')).toMatchObject({ ok: false, unfixed: expect.stringMatching(/under --root/) });
  });
});

describe('doctor on a Mac without auth in the recipe', () => {
  it('explains that launchd cannot read the login Keychain', async () => {
    const dir = tempDir();
    const { recipe } = loadRecipe(writeFile(join(dir, 'm.yaml'), 'name: mac\nos: macos\n'));
    const facts = macFacts();
    const findings = await diagnose(new LocalTarget(join(dir, 'root')), recipe, layoutFor(recipe, facts, '0.1.0'), facts);
    expect(findings.find((f) => f.id === 'keychain')).toMatchObject({ ok: false, fixable: false, detail: expect.stringMatching(/Keychain, which launchd jobs and SSH sessions cannot read/) });
    expect(findings.find((f) => f.id === 'tool-tmux')).toMatchObject({ ok: true });
  });

  it('names a tool that is too old or missing, with the command that fixes it', async () => {
    const dir = tempDir();
    const { recipe } = loadRecipe(writeFile(join(dir, 'm.yaml'), "name: mac\nos: macos\nauth: { oauthToken: { env: T } }\nchannels:\n  telegram:\n    token: { env: X }\n"));
    const facts = macFacts({ tools: { node: { path: '/opt/homebrew/bin/node', version: '22.1.0' }, tmux: { path: '/usr/local/bin/tmux', version: '3.2.0' }, claude: { path: '/opt/homebrew/bin/claude', version: '2.1.50' } } });
    const findings = await diagnose(new LocalTarget(join(dir, 'root')), recipe, layoutFor(recipe, facts, '0.1.0'), facts);
    expect(findings.find((f) => f.id === 'tool-tmux')).toMatchObject({ ok: false, detail: '3.2.0 at /usr/local/bin/tmux (needs >= 3.3.0)', fix: 'brew install tmux' });
    expect(findings.find((f) => f.id === 'tool-claude')).toMatchObject({ ok: false, detail: expect.stringMatching(/needs >= 2\.1\.197/), fix: 'curl -fsSL https://claude.ai/install.sh | bash' });
    expect(findings.find((f) => f.id === 'tool-bun')).toMatchObject({ ok: false, fix: expect.stringMatching(/bun\.sh\/install/) });
    // Found but not runnable (a broken install, a binary for another CPU) is as good as missing.
    const broken = macFacts({ tools: { ...facts.tools, bun: { path: '/Users/ada/.bun/bin/bun' } } });
    const again = await diagnose(new LocalTarget(join(dir, 'root')), recipe, layoutFor(recipe, broken, '0.1.0'), broken);
    expect(again.find((f) => f.id === 'tool-bun')).toMatchObject({ ok: false, detail: expect.stringMatching(/does not run \(bun --version failed\)/) });
    expect(findings.find((f) => f.id === 'keychain')).toBeUndefined(); // auth is set
  });

  it("warns about an OAuth token on a claude without the 2.1.225 fix, and fails without the sandbox's tools on Linux", async () => {
    const dir = tempDir();
    const { recipe } = loadRecipe(writeFile(join(dir, 'l.yaml'), 'name: lin\nauth: { oauthToken: { env: T } }\n'));
    const facts = linuxFacts({ tools: { node: { path: '/usr/bin/node', version: '20.1.0' }, tmux: { path: '/usr/bin/tmux', version: '3.3.0' }, claude: { path: '/usr/local/bin/claude', version: '2.1.210' } } });
    const findings = await diagnose(new LocalTarget(join(dir, 'root')), recipe, layoutFor(recipe, facts, '0.1.0'), facts);
    expect(findings.find((f) => f.id === 'tool-claude')).toMatchObject({ ok: true });
    expect(findings.find((f) => f.id === 'tool-claude OAuth token')).toMatchObject({ ok: false, warning: true, detail: expect.stringMatching(/fixed in 2\.1\.225/) });
    expect(findings.find((f) => f.id === 'tool-sandbox')).toMatchObject({ ok: false, detail: expect.stringMatching(/bubblewrap and socat not found/), fix: 'sudo apt-get install -y bubblewrap socat' });
    // Without the sandbox, the same tools keep the token out of the Bash tool (the env scrub).
    const bare = loadRecipe(writeFile(join(dir, 'b.yaml'), 'name: lin\nsandbox: false\n')).recipe;
    const unsandboxed = await diagnose(new LocalTarget(join(dir, 'root')), bare, layoutFor(bare, facts, '0.1.0'), facts);
    expect(unsandboxed.find((f) => f.id === 'tool-bubblewrap')).toMatchObject({ ok: false, fix: 'sudo apt-get install -y bubblewrap' });
    expect(unsandboxed.find((f) => f.id === 'tool-socat')).toMatchObject({ ok: false, fix: 'sudo apt-get install -y socat' });
    expect(unsandboxed.find((f) => f.id === 'sandbox')).toMatchObject({ ok: false, warning: true, detail: expect.stringMatching(/only the hook/) });
    // With the sandbox's tools the scrub is on, and a mode Claude Code then overrides is named.
    const planning = loadRecipe(writeFile(join(dir, 'p.yaml'), 'name: lin\nsandbox: false\npermissions: { defaultMode: plan }\n')).recipe;
    const sandboxed = linuxFacts({ tools: { ...facts.tools, bwrap: { path: '/usr/bin/bwrap' }, socat: { path: '/usr/bin/socat' } } });
    const more = await diagnose(new LocalTarget(join(dir, 'root')), planning, layoutFor(planning, sandboxed, '0.1.0'), sandboxed);
    expect(more.find((f) => f.id === 'permission-mode')).toMatchObject({ ok: false, warning: true, detail: expect.stringMatching(/defaultMode plan does not apply/) });
    expect(more.find((f) => f.id === 'tool-bubblewrap')).toMatchObject({ ok: true });
  });
});
