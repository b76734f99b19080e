import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProblem, grammarProblem, ruleProblem, type RuleList } from '../../src/permissions/rules.js';
import { discordToken, runCli, tempDir, waitFor, writeFile } from '../helpers.js';
import { Terminal } from '../pty.js';
import { BuddyPane } from '../vps/vps.js';
import { claudeHome, claudeInstalls, NEWEST, OLDEST, realClaude, realClaudeVps } from './claude.js';

// The real Claude Code (npm @anthropic-ai/claude-code, pinned) against a local fake of the Messages API.
// SAID PLAINLY: chat channels need Anthropic's servers (availability is switched on per account), which
// this machine cannot reach; everything up to the channel flag is tested, the channels themselves not.
const API_KEY = 'sk-ant-api03-fake-key-for-tests-0123456789abcdef';

const normal = (text: string) => text.replace(/[│├└─]/g, ' ').replace(/\s+/g, ' ');

describe('rules Claude Code would drop are reported by buddy-init first, with the same reason', () => {
  const rules: Array<[RuleList, string]> = [
    ['deny', 'Bash(:(){ :|:& };:*)'],
    ['deny', 'Bash(git push:* --force)'],
    ['allow', 'Bash(:*)'],
    ['allow', 'Read(src/:*)'],
    ['allow', 'WebFetch(example.com)'],
    ['allow', 'mcp__foo__bar(x)'],
  ];

  it('buddy-init refuses them before writing anything', () => {
    const dir = tempDir();
    const lists = (l: RuleList) => rules.filter(([x]) => x === l).map(([, r]) => `    - ${JSON.stringify(r)}`).join('\n');
    const file = writeFile(join(dir, 'r.yaml'), `name: rules\npermissions:\n  allow:\n${lists('allow')}\n  deny:\n${lists('deny')}\n`);
    const r = runCli(['apply', '--recipe', file, '--root', join(dir, 'root'), '--yes']);
    expect(r.code).toBe(2);
    for (const [list, rule] of rules) expect(normal(r.stderr)).toContain(normal(describeProblem(ruleProblem(rule, list)!)));
  });

  it.each([OLDEST, NEWEST])('Claude Code %s itself (claude doctor) skips the rules its grammar skips, for the same reasons', async (version) => {
    const bin = realClaude(version).binary;
    const grammar = version === NEWEST ? 'current' : 'legacy';
    const { home, project } = claudeHome();
    const pick = (l: RuleList) => rules.filter(([x]) => x === l).map(([, r]) => r);
    writeFileSync(join(project, '.claude', 'settings.local.json'), JSON.stringify({ permissions: { allow: pick('allow'), deny: pick('deny') } }));
    const t = new Terminal(['sh', '-c', `cd "${project}" && exec "$0" doctor`, bin], { HOME: home, PATH: process.env.PATH!, DISABLE_AUTOUPDATER: '1', ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' }, { columns: 250, rows: 80 });
    try {
      // 2.1.197's doctor is a terminal UI ending with its updates section; 2.1.332's prints a report and exits.
      const screen = normal(await t.waitFor(/Invalid settings[\s\S]*(Updates|EXIT=)/, 60_000));
      for (const [list, rule] of rules) {
        const problem = grammarProblem(rule, list, grammar);
        if (problem) expect(screen).toContain(normal(`Invalid permission rule "${rule}" was skipped: ${describeProblem(problem)}`));
        else expect(screen).not.toContain(normal(`Invalid permission rule "${rule}"`));
      }
    } finally {
      t.close();
    }
  }, 90_000);
});

describe.each(claudeInstalls())('the real Claude Code $version ($layout install) on the VPS, with the settings and hook buddy-init rendered', (install) => {
  const NAME = 'real';
  const { vps, api } = realClaudeVps(install, NAME);
  /** The buddy's recipe; `open` with the hook off leaves the sandbox (or, without it, the env scrub) as the only guard of the token. */
  const recipe = (o: { open?: boolean; scrub?: '0'; sandbox?: false } = {}) =>
    writeFile(
      join(tempDir(), 'real.yaml'),
      `name: ${NAME}\nextends: ${o.open ? 'open' : 'balanced'}\nworkdir: ~/work\nauth:\n  apiKey: { env: FAKE_ANTHROPIC_KEY }\n` +
        // The official plugin's marketplace is on the internet: the stand-in plugin (see plugin.test.ts).
        `channels:\n  discord:\n    plugin: echochat@buddy-test\n    marketplace: /home/ada/mkt\n    token: { env: FAKE_DISCORD_TOKEN }\n    allowFrom: ['184012345678901234']\n` +
        `claude:\n  env: { ANTHROPIC_BASE_URL: "http://${vps.hostIp}:${api.port}"${o.scrub ? `, CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: "${o.scrub}"` : ''} }\n` +
        `supervisor: { tick: 5 }\n${o.open ? 'hook: { enabled: false }\n' : ''}${o.sandbox === false ? 'sandbox: false\n' : ''}`,
    );
  const cli = (args: string[], file = recipe()) =>
    runCli([...args, '--recipe', file, '--host', vps.destination()], {
      env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined, FAKE_ANTHROPIC_KEY: API_KEY, FAKE_DISCORD_TOKEN: discordToken('for-the-real-client-test') },
    });
  const pane = new BuddyPane(vps, NAME);
  const screen = () => pane.screen(100);
  const audit = () =>
    vps
      .ssh(`cat ~/.local/state/buddy-init/${NAME}/hook-audit.jsonl 2>/dev/null`)
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { command: string; decision: string });
  const panePid = () => pane.pid();

  const until = <T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000) =>
    waitFor(what, probe, timeoutMs, () => `the pane shows:\n${screen()}`);

  const ask = (text: string) => pane.say(text);


  it('starts unattended in tmux: no trust, onboarding or API-key dialog', async () => {
    const r = cli(['apply', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
    const shown = await until('Claude Code at its prompt', () => (new RegExp(`Claude Code v${install.version.replaceAll('.', '\\.')}[\\s\\S]*❯`).test(screen()) ? screen() : undefined), 90_000);
    expect(shown).not.toMatch(/trust the files|Choose the text style|Do you want to use this API key/i);
    // Up to the channel flag: it reached the real client, which (offline) says channels are unavailable.
    expect(shown).toMatch(/--channels ignored \(plugin:echochat@buddy-test\)/);
    expect(shown).toMatch(/Channels are not currently available/);
    expect(vps.ssh(`stat -c %a ~/.claude/channels/discord/buddies/${NAME}/.env`).stdout.trim()).toBe('600');
  }, 180_000);

  it(`status finds this claude where the ${install.layout} install put it, and its version`, () => {
    const r = cli(['status']);
    expect(r.stdout).toMatch(new RegExp(`claude ${install.version.replaceAll('.', '\\.')}`));
  });

  it('a read-only Bash call runs without asking', async () => {
    await ask('LIST FILES please');
    await until('the ls result sent back', () => api.conversation().some((m) => /tool_result/.test(m) && /total \d+/.test(m)));
    expect(audit()).toContainEqual(expect.objectContaining({ command: 'ls -la', decision: 'allow' }));
    expect(screen()).not.toMatch(/Do you want to proceed\?/);
  }, 120_000);

  it('an edit in the workdir is made without asking (acceptEdits)', async () => {
    await ask('WRITE NOTE please');
    await until('the note written', () => vps.ssh('cat ~/work/note.md 2>/dev/null').stdout === 'written by the agent\n');
    expect(screen()).not.toMatch(/Do you want to (proceed|create|make this edit)/);
  }, 120_000);

  it("a catastrophic one is denied with the hook's reason, which Claude sees", async () => {
    await ask('WIPE HOME please');
    const sent = await until('the denial sent back', () => api.conversation().find((m) => /buddy-init safety hook denied this: rm deletes \/home\/ada, your home folder/.test(m)));
    expect(sent).toMatch(/"is_error":true/);
    expect(audit()).toContainEqual(expect.objectContaining({ command: 'rm -rf ~', decision: 'deny' }));
    expect(vps.ssh('test -d ~/work && echo kept').stdout.trim()).toBe('kept');
  }, 120_000);

  it('one the hook cannot prove harmless runs in the sandbox without asking, and the kernel keeps it from calling home', async () => {
    const count = api.conversation().length;
    await ask('CALL HOME please');
    const sent = await until('its result sent back', () => api.conversation().slice(count).find((m) => /node -e/.test(m) && /tool_result/.test(m)));
    expect(sent).toMatch(/fetch failed|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|Failed to connect/i);
    expect(audit()).toContainEqual(expect.objectContaining({ decision: 'none', command: expect.stringMatching(/^node -e/) }));
    expect(screen()).not.toMatch(/Do you want to proceed\?/);
    // The command would have called the fake API back; it never did.
    expect(api.requests().some((r) => r.url === '/ran')).toBe(false);
  }, 120_000);

  it('one the hook asks about waits for a person (in the terminal here; in chat with a channel), and a no stops it', async () => {
    const command = `eval "$(printf 'touch /home/ada/work/evaluated')"`;
    await ask(`TOOL CALL ${JSON.stringify({ command, description: 'Run it' })}`);
    await until('the permission prompt', () => /Do you want to proceed\?/.test(screen()));
    expect(audit(), JSON.stringify(audit())).toContainEqual(expect.objectContaining({ decision: 'ask', command }));
    pane.tmux('send-keys Escape'); // the person says no
    await until('the prompt to close', () => !/Do you want to proceed\?/.test(screen()) && /❯\s*$/m.test(screen()));
    await new Promise((r) => setTimeout(r, 1000));
    expect(vps.ssh('test -e ~/work/evaluated && echo ran').stdout).toBe('');
  }, 120_000);

  it('writes its transcript where the supervisor expects it, under the pinned session id', () => {
    const id = JSON.parse(vps.ssh(`cat ~/.local/state/buddy-init/${NAME}/session.json`).stdout).sessionId as string;
    const transcript = vps.ssh(`cat ~/.claude/projects/-home-ada-work/${id}.jsonl`).stdout;
    expect(transcript).toContain('LIST FILES please');
    expect(transcript).toContain('CALL HOME please');
  });

  it('after a restart, --resume continues the same conversation: the API sees the earlier messages', async () => {
    const before = panePid();
    vps.ssh(`systemctl --user restart ${NAME}`);
    await until('a new claude', () => panePid() !== before && /❯\s*$/m.test(screen()), 120_000);
    const args = vps.ssh(`ps -o args= -p $(tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}')`).stdout;
    expect(args).toMatch(/--resume [0-9a-f-]{36}/);
    const count = api.conversation().length;
    await ask('Do you remember what I asked first?');
    const next = await until('the next turn', () => api.conversation().slice(count).find((m) => /Do you remember/.test(m)));
    expect(next).toContain('LIST FILES please');
  }, 180_000);

  /** Re-applies `file`, restarts the buddy and has the agent look for credentials; returns the tool result. */
  async function scanWith(file: string): Promise<string> {
    expect(cli(['apply', '--yes'], file).code).toBe(0);
    const before = panePid();
    vps.ssh(`systemctl --user restart ${NAME}`);
    await until('a new claude', () => panePid() !== before && /❯\s*$/m.test(screen()), 120_000);
    // A scan's output ends in a line SCAN-DONE (the command's own text says "echo SCAN-DONE"). The
    // resumed conversation carries earlier scans: wait for one more, and keep only the newest result.
    const scans = (m: string) => m.split('\\nSCAN-DONE').length - 1;
    const earlier = Math.max(0, ...api.conversation().map(scans));
    await ask('SHOW ENV please');
    const sent = await until('the scan sent back', () => api.conversation().find((m) => scans(m) > earlier));
    const result = sent.slice(sent.lastIndexOf('"type":"tool_result"'));
    expect(result).toContain('HOME=/home/ada'); // it ran
    return result;
  }

  it('credentials stay out of the agent shell: with the hook off and Bash(*) allowed, env and /proc show no key (the sandbox)', async () => {
    const sent = await scanWith(recipe({ open: true }));
    expect(sent).not.toContain(API_KEY);
    expect(sent).not.toMatch(/ANTHROPIC_API_KEY=/);
  }, 240_000);

  it('without the sandbox, the env scrub keeps them out', async () => {
    const sent = await scanWith(recipe({ open: true, sandbox: false }));
    expect(sent).not.toContain(API_KEY);
  }, 240_000);

  it('with neither, the same scan finds the key (what the two prevent)', async () => {
    const sent = await scanWith(recipe({ open: true, sandbox: false, scrub: '0' }));
    expect(sent).toContain(API_KEY);
  }, 240_000);
});
