/**
 * The real Claude Code from npm, pinned, installed once per machine into a cache (it installs offline:
 * the native binary is in a per-platform npm package), and a fake Messages API for it to talk to.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, tempDir } from '../helpers.js';

export const CLAUDE_VERSION = '2.1.197';

export function realClaude(): string {
  const dir = process.env.BUDDY_CLAUDE_CACHE ?? `/var/cache/buddy-init/claude-code-${CLAUDE_VERSION}`;
  const bin = join(dir, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, `@anthropic-ai/claude-code@${CLAUDE_VERSION}`], { encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(bin)) throw new Error(`installing Claude Code ${CLAUDE_VERSION} failed: ${r.stderr}`);
  }
  return bin;
}

export interface LoggedRequest {
  method: string;
  url: string;
  body: { tools?: unknown[]; messages?: Array<{ role: string; content: unknown }> };
}

export class FakeAnthropic {
  readonly log = join(tempDir('buddy-fake-api-'), 'requests.jsonl');
  port = 0;
  private proc?: ChildProcess;

  async start(host: string): Promise<this> {
    this.proc = spawn(process.execPath, [join(FIXTURES, 'fake-anthropic.mjs'), '--host', host, '--port', '0', '--log', this.log], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.port = await new Promise<number>((resolve, reject) => {
      this.proc!.stdout!.on('data', (d: Buffer) => {
        const m = /listening (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
      this.proc!.once('exit', () => reject(new Error('the fake Messages API did not start')));
    });
    return this;
  }

  requests(): LoggedRequest[] {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  }

  /** Requests of the main conversation (they carry tools), as JSON text for searching. */
  conversation(): string[] {
    return this.requests().filter((r) => r.body.tools?.length).map((r) => JSON.stringify(r.body.messages));
  }

  stop(): void {
    this.proc?.kill();
  }
}
