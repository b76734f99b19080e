import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeProblem, ruleProblem, type RuleList } from '../../src/permissions/rules.js';
import { runCli, tempDir, waitFor, writeFile } from '../helpers.js';
import { Terminal } from '../pty.js';
import { Vps } from '../vps/vps.js';
import { CLAUDE_VERSION, FakeAnthropic, realClaude } from './claude.js';

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

  it(`Claude Code ${CLAUDE_VERSION} itself (claude doctor) skips the same rules for the same reasons`, async () => {
    const bin = realClaude();
    const home = tempDir('buddy-doctor-');
    const project = join(home, 'proj');
    mkdirSync(join(project, '.claude'), { recursive: true });
    const pick = (l: RuleList) => rules.filter(([x]) => x === l).map(([, r]) => r);
    writeFileSync(join(project, '.claude', 'settings.local.json'), JSON.stringify({ permissions: { allow: pick('allow'), deny: pick('deny') } }));
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, projects: { [project]: { hasTrustDialogAccepted: true } } }));
    const t = new Terminal(['sh', '-c', `cd "${project}" && exec "$0" doctor`, bin], { HOME: home, PATH: process.env.PATH!, DISABLE_AUTOUPDATER: '1', ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' }, { columns: 250, rows: 80 });
    try {
      const screen = normal(await t.waitFor(/Invalid settings[\s\S]*Updates/, 60_000));
      for (const [list, rule] of rules) {
        expect(screen).toContain(normal(`Invalid permission rule "${rule}" was skipped: ${describeProblem(ruleProblem(rule, list)!)}`));
      }
    } finally {
      t.close();
    }
  }, 90_000);
});

describe('the real Claude Code on the VPS, with the settings and hook buddy-init rendered', () => {
  const vps = new Vps(realClaude());
  const api = new FakeAnthropic();
  const NAME = 'real';
  const recipe = () =>
    writeFile(
      join(tempDir(), 'real.yaml'),
      `name: ${NAME}\nextends: balanced\nworkdir: ~/work\nauth:\n  apiKey: { env: FAKE_ANTHROPIC_KEY }\n` +
        `channels:\n  discord:\n    token: { env: FAKE_DISCORD_TOKEN }\n    allowFrom: ['184012345678901234']\n` +
        `claude:\n  env: { ANTHROPIC_BASE_URL: "http://${vps.hostIp}:${api.port}" }\nsupervisor: { tick: 5 }\n`,
    );
  const screen = () => vps.ssh(`tmux -L buddy-init-${NAME} capture-pane -p -J -S -100`).stdout;
  const audit = () =>
    vps
      .ssh(`cat ~/.local/state/buddy-init/${NAME}/hook-audit.jsonl 2>/dev/null`)
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { command: string; decision: string });
  const panePid = () => vps.ssh(`tmux -L buddy-init-${NAME} list-panes -F '#{pane_pid}'`).stdout.trim();

  const until = <T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000) =>
    waitFor(what, probe, timeoutMs, () => `the pane shows:\n${screen()}`);

  async function ask(text: string): Promise<void> {
    await until('the input prompt', () => /❯\s*$/m.test(screen()));
    vps.ssh(`tmux -L buddy-init-${NAME} send-keys -l ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 300));
    vps.ssh(`tmux -L buddy-init-${NAME} send-keys Enter`);
  }

  beforeAll(async () => {
    await vps.boot();
    await api.start(vps.hostIp);
  }, 300_000);
  afterAll(() => {
    api.stop();
    vps.stop();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(`journal of ${NAME}:\n${vps.journal(NAME)}`);
  });

  it('starts unattended in tmux: no trust, onboarding or API-key dialog', async () => {
    const r = runCli(['apply', '--recipe', recipe(), '--host', vps.destination(), '--yes'], {
      env: { HOME: vps.laptop, SSH_AUTH_SOCK: undefined, FAKE_ANTHROPIC_KEY: API_KEY, FAKE_DISCORD_TOKEN: 'discord-token-for-the-real-client-test' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(API_KEY);
    const shown = await until('Claude Code at its prompt', () => (/Claude Code v2\.1\.197[\s\S]*❯/.test(screen()) ? screen() : undefined), 90_000);
    expect(shown).not.toMatch(/trust the files|Choose the text style|Do you want to use this API key/i);
    expect(shown).toMatch(/accept edits on/);
    // Up to the channel flag: it reached the real client, which (offline) says channels are unavailable.
    expect(shown).toMatch(/--channels ignored \(plugin:discord@claude-plugins-official\)/);
    expect(shown).toMatch(/Channels are not currently available/);
    expect(vps.ssh(`stat -c %a ~/.claude/channels/discord/buddies/${NAME}/.env`).stdout.trim()).toBe('600');
  }, 180_000);

  it('a read-only Bash call runs without asking', async () => {
    await ask('LIST FILES please');
    await until('the ls result sent back', () => api.conversation().some((m) => /tool_result/.test(m) && /total \d+/.test(m)));
    expect(audit()).toContainEqual(expect.objectContaining({ command: 'ls -la', decision: 'allow' }));
    expect(screen()).not.toMatch(/Do you want to proceed\?/);
  }, 120_000);

  it("a catastrophic one is denied with the hook's reason, which Claude sees", async () => {
    await ask('WIPE HOME please');
    const sent = await until('the denial sent back', () => api.conversation().find((m) => /buddy-init safety hook denied this: rm deletes \/home\/ada, your home folder/.test(m)));
    expect(sent).toMatch(/"is_error":true/);
    expect(audit()).toContainEqual(expect.objectContaining({ command: 'rm -rf ~', decision: 'deny' }));
    expect(vps.ssh('test -d ~/work && echo kept').stdout.trim()).toBe('kept');
  }, 120_000);

  it('another one asks (in the terminal here; in chat with a channel)', async () => {
    await ask('CALL HOME please');
    await until('the permission prompt', () => /Do you want to proceed\?/.test(screen()));
    expect(screen()).toMatch(/node -e "fetch\('http:\/\/[\d.]+:\d+\/ran'\)"/);
    expect(audit()).toContainEqual(expect.objectContaining({ decision: 'none', command: expect.stringMatching(/^node -e/) }));
    vps.ssh(`tmux -L buddy-init-${NAME} send-keys Escape`); // the person says no
    await until('the prompt to close', () => !/Do you want to proceed\?/.test(screen()) && /❯\s*$/m.test(screen()));
    await new Promise((r) => setTimeout(r, 1000));
    // The command would have called the fake API back; it never did.
    expect(api.requests().some((r) => r.url === '/ran')).toBe(false);
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
});
