// Captures what buddy-init's tests compare against from a real Claude Code version, so moving the pin
// is one command:
//   node scripts/capture-claude.mjs 2.1.332
// It installs that version from npm into the test cache (as test/client/claude.ts does) and writes
// test/fixtures/claude-code/<version>/:
//   rule-verdicts.json   `claude doctor` on every rule of test/fixtures/claude-rules/corpus.json:
//                        "kept", "kept; warns: <line>" or "skipped: <reason>", per list
//   help.txt             `claude --help`
//   pretooluse-stdin.json what a PreToolUse command hook reads on stdin for a Bash call (`claude -p`
//                        against test/fixtures/fake-anthropic.mjs, which answers LIST FILES with `ls -la`)
// Needs tmux (older versions' doctor is a terminal UI). Offline once the npm cache holds the version.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = process.argv[2];
if (!/^\d+\.\d+\.\d+$/.test(version ?? '')) {
  console.error('usage: node scripts/capture-claude.mjs <version, e.g. 2.1.332>');
  process.exit(2);
}

function install() {
  const dir = `/var/cache/buddy-init/claude-code-${version}`;
  const binary = join(dir, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
  if (!existsSync(binary) || statSync(binary).size < 1_000_000) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', dir, `@anthropic-ai/claude-code@${version}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm install of Claude Code ${version} failed: ${r.stderr}`);
  }
  return binary;
}

/** Runs `claude doctor` in a wide tmux pane (a terminal for the versions whose doctor is a UI) and returns the screen. */
function doctor(binary, allow, deny) {
  const home = mkdtempSync(join(tmpdir(), 'claude-capture-'));
  const project = join(home, 'proj');
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(join(project, '.claude', 'settings.local.json'), JSON.stringify({ permissions: { allow, deny } }));
  writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, projects: { [project]: { hasTrustDialogAccepted: true } } }));
  const socket = `capture-${process.pid}`;
  const tmux = (...args) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).stdout;
  const env = `HOME=${home} DISABLE_AUTOUPDATER=1 ANTHROPIC_API_KEY=sk-ant-api03-capture ANTHROPIC_BASE_URL=http://127.0.0.1:9`;
  tmux('new-session', '-d', '-x', '400', '-y', '100', `cd ${project} && env ${env} ${binary} doctor; echo CAPTURE-EXIT; sleep 600`);
  tmux('set-option', '-g', 'history-limit', '50000');
  const deadline = Date.now() + 90_000;
  let screen = '';
  for (;;) {
    screen = tmux('capture-pane', '-p', '-J', '-S', '-50000');
    // 2.1.332 prints a report and exits; older versions show a UI that ends with the update section.
    if (/CAPTURE-EXIT/.test(screen) || /Invalid settings[\s\S]*Updates/.test(screen)) break;
    if (Date.now() > deadline) break;
    spawnSync('sleep', ['0.3']);
  }
  spawnSync('sleep', ['1']);
  screen = tmux('capture-pane', '-p', '-J', '-S', '-50000');
  tmux('kill-server');
  return screen.replace(/[│├└─]/g, ' ');
}

/** One verdict per rule, from the doctor's lines. */
function verdicts(screen, list, rules) {
  const lines = screen.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
  const out = {};
  for (const rule of rules) {
    const skipped = lines.map((l) => new RegExp(`permissions\\.${list}: Invalid permission rule "(.*)" was skipped: (.*)$`).exec(l)).find((m) => m && m[1] === rule.replace(/\s+/g, ' ').trim());
    if (skipped) {
      out[rule] = `skipped: ${skipped[2]}`;
      continue;
    }
    const warning = lines.find((l) => l.startsWith(`- Permission ${list} rule`) && l.includes(`): ${rule.replace(/\s+/g, ' ').trim()} `));
    out[rule] = warning ? `kept; warns: ${warning.replace(/^- Permission \w+ rule \([^)]*\): /, '')}` : 'kept';
  }
  return out;
}

/** Runs `claude -p` with a PreToolUse hook that copies its stdin to a file, against the fake Messages API. */
async function preToolUseStdin(binary) {
  const home = mkdtempSync(join(tmpdir(), 'claude-capture-hook-'));
  const project = join(home, 'proj');
  const dump = join(home, 'stdin.json');
  mkdirSync(join(project, '.claude'), { recursive: true });
  const hooks = { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: `cat > ${dump}` }] }] };
  writeFileSync(join(project, '.claude', 'settings.local.json'), JSON.stringify({ hooks }));
  writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, projects: { [project]: { hasTrustDialogAccepted: true } } }));
  const api = spawn(process.execPath, [join(root, 'test', 'fixtures', 'fake-anthropic.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => api.stdout.on('data', (d) => /listening (\d+)/.test(String(d)) && resolve(/listening (\d+)/.exec(String(d))[1])));
  try {
    spawnSync(binary, ['-p', 'LIST FILES please'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 90_000,
      env: { PATH: process.env.PATH, HOME: home, DISABLE_AUTOUPDATER: '1', ANTHROPIC_API_KEY: 'sk-ant-api03-capture', ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` },
    });
  } finally {
    api.kill();
  }
  if (!existsSync(dump)) throw new Error(`Claude Code ${version} ran no PreToolUse hook for the scripted Bash call`);
  return JSON.parse(readFileSync(dump, 'utf8'));
}

const binary = install();
const corpus = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'claude-rules', 'corpus.json'), 'utf8'));
const screen = doctor(binary, corpus.allow, corpus.deny);
if (!/Invalid settings/.test(screen)) throw new Error(`claude doctor ${version} printed no "Invalid settings" section:\n${screen}`);
const dir = join(root, 'test', 'fixtures', 'claude-code', version);
mkdirSync(dir, { recursive: true });
const result = {
  _source: `claude doctor of Claude Code ${version} (npm, linux-x64) on test/fixtures/claude-rules/corpus.json in <proj>/.claude/settings.local.json, ${new Date().toISOString().slice(0, 10)}`,
  allow: verdicts(screen, 'allow', corpus.allow),
  deny: verdicts(screen, 'deny', corpus.deny),
};
writeFileSync(join(dir, 'rule-verdicts.json'), `${JSON.stringify(result, null, 2)}\n`);
const help = spawnSync(binary, ['--help'], { encoding: 'utf8', env: { ...process.env, DISABLE_AUTOUPDATER: '1' } }).stdout;
writeFileSync(join(dir, 'help.txt'), help);
const stdin = await preToolUseStdin(binary);
writeFileSync(
  join(dir, 'pretooluse-stdin.json'),
  `${JSON.stringify({ _source: `a PreToolUse command hook's stdin, Claude Code ${version}, claude -p against test/fixtures/fake-anthropic.mjs, ${new Date().toISOString().slice(0, 10)}`, stdin }, null, 2)}\n`,
);
const count = (l) => Object.values(result[l]).filter((v) => v.startsWith('skipped')).length;
console.log(`Claude Code ${version}: ${corpus.allow.length + corpus.deny.length} rules, ${count('allow') + count('deny')} skipped; wrote ${dir}`);
