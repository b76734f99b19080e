// Issue 18: the documentation's captures come from real runs, so they cannot go stale. Each block
// between <!-- capture:NAME --> and <!-- /capture:NAME --> (in README.md or a page of docs/) is produced
// here; this test fails when it differs from what the CLI prints today, and `npm run readme`
// (UPDATE_README=1) rewrites the blocks.
// Lines that describe the machine the capture ran on (the tools found, linger, the user) are compared
// as placeholders, so the check holds on any test machine.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, tempDir } from '../helpers.js';
import { Terminal } from '../pty.js';
import { chatAppsAlike, recipeReference } from './recipeReference.js';
import { asRun, readmeCommands } from './readmeCommands.js';

/** The pages a capture may live in. */
const PAGES = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];
const UPDATE = process.env.UPDATE_README === '1';
const DEMO = '/tmp/buddy-demo-wizard';
// Shaped like a Discord bot token and an OAuth token (the wizard checks the shape); not real ones.
const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GaBcDe.readmeCaptureTokenAbcdefghijklm0123';
const OAUTH = 'sk-ant-oat01-readme-capture-not-a-real-token-0123456789';

/** The page holding the capture NAME, and where the block is in it. */
function block(name: string): { page: string; text: string; start: number; end: number } {
  const open = `<!-- capture:${name} -->\n`;
  const close = `<!-- /capture:${name} -->`;
  for (const page of PAGES) {
    const text = readFileSync(page, 'utf8');
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start >= 0 && end > start) return { page, text, start: start + open.length, end };
  }
  throw new Error(`no page has a ${open.trim()} ... ${close} block`);
}

/** What may differ between machines: the tools found, the init system, the user, the sizes of bundles. */
function machineFree(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line
        .replace(/^(\s+)(ok|fix|missing|apply) +\S+:.*$/, '$1<requirement>')
        .replace(/^Found on .*$/, 'Found on <this machine>')
        .replace(/install it for \S+ with npm/, 'install it for <user> with npm')
        .replace(/\(linux \S+, user \S+\)/, '(linux <arch>, user <user>)')
        .replace(/^ {2}\S+ .*(bun@latest|enable-linger).*# --root$/, '  <a command for what this machine lacks>')
        .replace(/^warning: claude is not installed on the target.*$/, '<requirement>'),
    )
    .filter((line, i, all) => !(line.trim() === '<requirement>' && all[i - 1]?.trim() === '<requirement>'))
    .filter((line, i, all) => !(line.includes('<a command for') && all[i - 1]?.includes('<a command for')))
    .join('\n');
}

function check(name: string, fresh: string): void {
  const { page, text, start, end } = block(name);
  if (UPDATE) {
    writeFileSync(page, text.slice(0, start) + fresh + text.slice(end));
    return;
  }
  expect(machineFree(text.slice(start, end)), `${page} capture:${name} is stale: run npm run readme`).toBe(machineFree(fresh));
}

/** The plan's per-file diffs are long and said in words above them: one line stands for them. */
function elideDiffs(screen: string): string {
  const lines = screen.split('\n');
  const first = lines.findIndex((l) => /^(--- |\S+: (holds secrets|\d+ bytes))/.test(l));
  const last = lines.findLastIndex((l) => /^\S+: \d+ bytes$/.test(l));
  if (first < 0 || last < first) return screen;
  return [...lines.slice(0, first), '  ... (the diff of every file; secrets masked) ...', ...lines.slice(last + 1)].join('\n');
}

describe('documentation captures', () => {
  it('the wizard, answered in a real terminal under --root', async () => {
    rmSync(DEMO, { recursive: true, force: true });
    const cwd = `${DEMO}`;
    const t = new Terminal(['sh', '-c', `mkdir -p ${cwd} && cd ${cwd} && exec "$0" "$@"`, process.execPath, CLI, '--no-color', '--root', `${DEMO}/root`], {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      CLAUDE_CODE_OAUTH_TOKEN: OAUTH,
      npm_command: 'exec', // as under npx, whatever runs the tests
    }, { columns: 200, rows: 50 });
    try {
      await t.answer(/Name of your buddy/, ['jarvis', 'Enter']);
      await t.answer(/Working directory on the box/, ['Enter']);
      await t.answer(/Which chat app/, ['Enter']);
      await t.answer(/How does buddy-init get the discord bot token\?/, ['Enter']);
      await t.answer(/discord bot token \(input hidden\)/, [TOKEN, 'Enter']);
      await t.answer(/User ids allowed/, ['184012345678901234', 'Enter']);
      // Asked only on a box without Bun.
      if (/The chat plugin runs on Bun/.test(await t.waitFor(/The chat plugin runs on Bun|How does Claude authenticate/))) await t.answer(/The chat plugin runs on Bun/, ['Enter']);
      await t.answer(/How does Claude authenticate/, ['Enter']);
      await t.answer(/How does buddy-init get the Claude OAuth token\?/, ['Down', 'Enter']);
      await t.answer(/Environment variable name/, ['Enter']);
      await t.answer(/Permission posture/, ['Enter']);
      await t.answer(/Add your own allow\/deny rules/, ['Enter']);
      await t.answer(/Start it at boot/, ['Enter']);
      await t.answer(/Write buddy\.yaml and apply\?/, ['Enter']);
      expect(await t.exitCode()).toBe(0);
      const screen = t
        .screen(2000)
        .replace(/\n*EXIT=0[\s\S]*$/, '')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
      expect(screen).not.toContain(TOKEN);
      expect(screen).not.toContain(OAUTH);
      check('wizard', `\`\`\`text\n$ npx buddy-init --root ${DEMO}/root\n${elideDiffs(screen)}\n\`\`\`\n`);
    } finally {
      t.close();
      rmSync(DEMO, { recursive: true, force: true });
    }
  }, 90_000);

  it("every command's flags, from its own --help", () => {
    const help = (commands: string[]) =>
      commands.map((command) => {
        const r = runCli([...(command ? [command] : []), '--help'], { env: { COLUMNS: '100' } });
        expect(r.code, command).toBe(0);
        return `$ buddy-init ${command ? `${command} ` : ''}--help\n${r.stdout.trimEnd()}`;
      });
    // Setting a buddy up (commands.md) and running it (operations.md): together, every command.
    const setup = ['', 'validate', 'schema', 'render', 'plan', 'apply', 'uninstall', 'export', 'completion'];
    const operate = ['status', 'doctor', 'logs', 'restart', 'attach', 'pair', 'access', 'supervise', 'hook'];
    const listed = [...runCli(['--help']).stdout.matchAll(/^ {2}buddy-init (\w+)/gm)].map((m) => m[1]!);
    expect([...setup.slice(1), 'init', ...operate].sort()).toEqual([...listed].sort());
    check('help-setup', `\`\`\`text\n${help(setup).join('\n\n')}\n\`\`\`\n`);
    check('help-operate', `\`\`\`text\n${help(operate).join('\n\n')}\n\`\`\`\n`);
  });

  it('the recipe reference, from the JSON Schema the loader enforces', () => {
    const r = runCli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    // The page shows the chat apps' fields once, as channels.<app>: they must be the same for both.
    const [discord, telegram] = chatAppsAlike(schema);
    expect(discord).toBe(telegram);
    const table = recipeReference(schema);
    // Every field of the schema is on the page (the walk misses none): spot-check the deep ones.
    for (const field of ['`channels.<app>.groups.<id>.requireMention`', '`schedule[].cron`', '`sandbox.gitRemotes`', '`auth.apiKey`', '`target.ssh`']) expect(table).toContain(field);
    check('recipe-fields', table);
  });

  it("the README's safe demo runs as written, and a second run changes nothing", () => {
    const block = readmeCommands('## Try it safely');
    expect(block).toEqual(['npx buddy-init apply --recipe examples/quickstart.yaml --root /tmp/buddy-demo --yes', 'npm test']);
    // As npx runs it in the clone (this checkout's CLI), into a folder of this test's instead of /tmp/buddy-demo.
    const demo = tempDir('buddy-readme-demo-');
    const args = asRun(block[0]!).map((a) => (a === '/tmp/buddy-demo' ? demo : a));
    const first = runCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(demo, homedir(), '.config/systemd/user/buddy.service'))).toBe(true);
    const second = runCli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/No changes/);
  });
});
