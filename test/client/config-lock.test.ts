// Issue 28.3, with the real Claude Code as the other writer of ~/.claude.json. Claude Code takes the
// directory ~/.claude.json.lock around each write of it (read from its binary; src/runtime/shared/
// configLock.ts) and buddy-init takes the same lock: so Claude Code waits for an apply, an apply waits
// for Claude Code, and neither loses the other's keys. `claude mcp add --scope user` is a headless write
// of that file (it adds an mcpServers entry) that needs no account.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync, tempDir, writeFile } from '../helpers.js';
import { NEWEST, realClaude } from './claude.js';

const { binary } = realClaude(NEWEST);

/** `claude mcp add --scope user <name>` with this home: one write of its ~/.claude.json. */
function mcpAdd(home: string, name: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['mcp', 'add', '--scope', 'user', name, '--', 'echo', name], { env: { ...process.env, HOME: home, DISABLE_AUTOUPDATER: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

describe(`Claude Code ${NEWEST} and buddy-init writing ~/.claude.json at once`, () => {
  it('Claude Code waits for the lock buddy-init takes (and gives up rather than write through it)', () => {
    const home = tempDir('buddy-cclock-');
    writeFile(join(home, '.claude.json'), '{"numStartups": 1}\n');
    mkdirSync(join(home, '.claude.json.lock'));
    const refresher = spawn(process.execPath, ['-e', `setInterval(() => { const t = new Date(); require('fs').utimesSync(${JSON.stringify(join(home, '.claude.json.lock'))}, t, t); }, 1000)`], { stdio: 'ignore' });
    try {
      const started = Date.now();
      const r = spawnSync(binary, ['mcp', 'add', '--scope', 'user', 'probe', '--', 'echo'], { env: { ...process.env, HOME: home, DISABLE_AUTOUPDATER: '1' }, encoding: 'utf8', timeout: 90_000 });
      expect(Date.now() - started).toBeGreaterThan(8_000);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/was not saved to .*\.claude\.json\. If other Claude Code processes use that file, they may have kept it locked/);
      // The save it locks for (the server entry) did not happen. Its start-up migration (firstStartTime,
      // machineID, migrationVersion) is written without the lock: measured here, and why buddy-init
      // keeps compare-and-rename beside the lock.
      const doc = JSON.parse(readFileSync(join(home, '.claude.json'), 'utf8'));
      expect(doc.mcpServers?.probe).toBeUndefined();
      expect(doc.numStartups).toBe(1);
    } finally {
      refresher.kill();
    }
    rmSync(join(home, '.claude.json.lock'), { recursive: true });
  }, 120_000);

  it('30 applies while Claude Code writes the file again and again: every write of both lands', async () => {
    const root = tempDir('buddy-cclock-');
    const home = join(root, homedir());
    const file = join(home, '.claude.json');
    writeFile(file, '{"numStartups": 1}\n');
    const dir = tempDir();
    const recipes = [1, 2].map((i) => writeFile(join(dir, `r${i}.yaml`), `name: shared\nextends: balanced\nworkdir: ~/work${i}\n`));
    let stop = false;
    const added: string[] = [];
    const failed: string[] = [];
    const writer = (async () => {
      for (let n = 0; !stop; n++) {
        const r = await mcpAdd(home, `m${n}`);
        (r.code === 0 ? added : failed).push(`m${n}${r.code === 0 ? '' : `: ${r.stderr.trim()}`}`);
      }
    })();
    const applied: number[] = [];
    try {
      for (let i = 0; i < 30; i++) applied.push((await runCliAsync(['apply', '--yes', '--recipe', recipes[i % 2]!, '--root', root])).code);
    } finally {
      stop = true;
      await writer;
    }
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const lost = added.filter((name) => !doc.mcpServers?.[name]);
    console.log(`config lock: 30 applies (${applied.filter((c) => c === 0).length} finished) against ${added.length} writes of Claude Code ${NEWEST} (${failed.length} it gave up): ${lost.length} lost`);
    expect(applied).toEqual(Array(30).fill(0));
    expect(failed).toEqual([]);
    expect(added.length).toBeGreaterThan(20);
    expect(lost).toEqual([]);
    // The last apply's trust key is there beside Claude Code's entries.
    expect(doc.projects?.[join(homedir(), 'work2')]?.hasTrustDialogAccepted).toBe(true);
  }, 600_000);
});
