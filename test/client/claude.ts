/**
 * The real Claude Code from npm, installed once per machine into a cache (it installs offline: the native
 * binary is in a per-platform npm package), and a fake Messages API for it to talk to.
 *
 * Two versions are proven: the newest on the registry, and the oldest buddy-init supports, 2.1.197: the
 * last one npm installs on a Node.js older than 22 (Debian 12 ships 18), and new enough for everything a
 * buddy relies on (channels with an API key 2.1.128, the subprocess env scrub in a PID namespace 2.1.98);
 * it lacks the 2.1.225 fix for long-lived OAuth tokens, which doctor warns about.
 * `CLAUDE_CODE_VERSION=2.1.x` (and `CLAUDE_CODE_LAYOUT=npm|native`) runs the client tests on one only.
 * On a VPS the two layouts users have are made the way they make them: npm's is `sudo npm install -g
 * @anthropic-ai/claude-code@<v>` in the guest (Node.js 22 installed first the same way where the package
 * asks for it; see vps.ts and registry.ts), the native installer's is its versions folder and link
 * (the installer itself downloads from Anthropic's servers, out of reach here, so the binary is copied).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFixtureServer } from '../fixtureServer.js';
import { FIXTURES, tempDir } from '../helpers.js';
import { Vps } from '../vps/vps.js';

export const NEWEST = '2.1.332';
export const OLDEST = '2.1.197';

/** How Claude Code sits on a machine: `npm install -g`, or the native installer's versions folder. */
export type ClaudeLayout = 'npm' | 'native';

export interface ClaudeInstall {
  version: string;
  layout: ClaudeLayout;
  binary: string;
}

/** The installs a test run covers: each version in each layout, or the one the variables select. */
export function claudeInstalls(): ClaudeInstall[] {
  const version = process.env.CLAUDE_CODE_VERSION;
  const layout = process.env.CLAUDE_CODE_LAYOUT as ClaudeLayout | undefined;
  const combos: Array<[string, ClaudeLayout]> = version
    ? (layout ? [layout] : (['npm', 'native'] as const)).map((l) => [version, l])
    : [[NEWEST, 'native'], [NEWEST, 'npm'], [OLDEST, 'npm']];
  return combos.map(([v, l]) => ({ ...realClaude(v), layout: l }));
}

export function realClaude(version: string = process.env.CLAUDE_CODE_VERSION ?? NEWEST): { version: string; binary: string } {
  const dir = process.env.BUDDY_CLAUDE_CACHE ?? `/var/cache/buddy-init/claude-code-${version}`;
  const packageDir = join(dir, 'node_modules', '@anthropic-ai', 'claude-code');
  const binary = join(packageDir, 'bin', 'claude.exe');
  if (!existsSync(binary) || statSize(binary) < 1_000_000) {
    mkdirSync(dir, { recursive: true });
    // The npm package of >= 2.1.198 asks for Node 22 (engines) but only to run its postinstall, which
    // copies the platform package's binary over the bin/claude.exe placeholder; npm runs it here too.
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', dir, `@anthropic-ai/claude-code@${version}`], { encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(binary) || statSize(binary) < 1_000_000) throw new Error(`installing Claude Code ${version} failed: ${r.stderr}`);
  }
  return { version, binary };
}

const statSize = (path: string) => statSync(path).size;

export interface LoggedRequest {
  /** When the fake received it (epoch ms). */
  at: number;
  method: string;
  url: string;
  body: { tools?: unknown[]; messages?: Array<{ role: string; content: unknown }> };
}

/** The text of a request's newest user turn (its text blocks joined). */
function lastUserText(r: LoggedRequest): string {
  const content = r.body.messages?.filter((m) => m.role === 'user').at(-1)?.content;
  return typeof content === 'string' ? content : Array.isArray(content) ? content.map((b: { text?: string }) => b.text ?? '').join('\n') : '';
}

export class FakeAnthropic {
  readonly log = join(tempDir('buddy-fake-api-'), 'requests.jsonl');
  port = 0;
  private host = '127.0.0.1';
  private proc?: ChildProcess;

  async start(host: string): Promise<this> {
    this.host = host;
    ({ proc: this.proc, port: this.port } = await startFixtureServer('fake-anthropic.mjs', ['--host', host, '--log', this.log]));
    return this;
  }

  /** Every Messages call fails with `status` from now on (429: the usage limit, resetting at `reset`); none: answers again. */
  async fail(status?: 401 | 429 | 529, reset?: number): Promise<void> {
    await fetch(`http://${this.host}:${this.port}/__fail`, { method: 'POST', body: JSON.stringify(status ? { status, ...(reset ? { reset } : {}) } : {}) });
  }

  requests(): LoggedRequest[] {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  }

  /** Requests of the main conversation (they carry tools), as JSON text for searching. */
  conversation(): string[] {
    return this.requests().filter((r) => r.body.tools?.length).map((r) => JSON.stringify(r.body.messages));
  }

  /** The newest user turn of each main-conversation request received at or after `since`: a scheduled prompt arrives as one. */
  turns(since = 0): Array<{ at: number; text: string }> {
    return this.requests()
      .filter((r) => r.at >= since && r.body.tools?.length)
      .map((r) => ({ at: r.at, text: lastUserText(r) }));
  }

  /** The tool results claude sent back in main-conversation requests from the `since`-th request on, newest last. */
  toolResults(since = 0): string[] {
    return this.toolResultBlocks(since).map((b) => b.text);
  }

  /** The same, with whether Claude Code marked each an error, and when it arrived (epoch ms). */
  toolResultBlocks(since = 0): Array<{ text: string; isError: boolean; at: number }> {
    return this.requests()
      .slice(since)
      .filter((r) => r.body.tools?.length)
      .flatMap((r) => {
        const content = r.body.messages?.filter((m) => m.role === 'user').at(-1)?.content;
        const blocks = Array.isArray(content) ? (content as Array<{ type?: string; content?: unknown; is_error?: boolean }>) : [];
        return blocks
          .filter((b) => b.type === 'tool_result')
          .map((b) => ({ text: typeof b.content === 'string' ? b.content : JSON.stringify(b.content), isError: b.is_error === true, at: r.at }));
      });
  }

  stop(): void {
    this.proc?.kill();
  }
}

/**
 * The real Claude Code once in print mode (`-p`) in `project`, with `home` as its HOME and the fake API
 * answering (started on 127.0.0.1): the prompt's scripted tool calls run, and their results come back.
 * A permission prompt cannot be shown in this mode: Claude Code refuses what would ask.
 */
export function claudePrint(
  bin: string,
  o: { api: FakeAnthropic; home: string; project: string; prompt: string; args?: string[]; env?: Record<string, string>; timeoutMs?: number },
): { code: number; results: ReturnType<FakeAnthropic['toolResultBlocks']> } {
  const since = o.api.requests().length;
  const r = spawnSync(bin, ['-p', ...(o.args ?? []), o.prompt], {
    cwd: o.project,
    encoding: 'utf8',
    timeout: o.timeoutMs ?? 120_000,
    env: {
      HOME: o.home,
      PATH: process.env.PATH!,
      DISABLE_AUTOUPDATER: '1',
      ANTHROPIC_API_KEY: 'sk-ant-api03-fake-key-for-print-mode-0123456789',
      ...o.env,
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${o.api.port}`,
    },
  });
  return { code: r.status ?? -1, results: o.api.toolResultBlocks(since) };
}

/** A home where Claude Code starts unattended in `project` (onboarding done, the folder trusted). */
export function claudeHome(): { home: string; project: string } {
  const home = tempDir('buddy-claude-home-');
  const project = join(home, 'work');
  mkdirSync(join(project, '.claude'), { recursive: true });
  writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, projects: { [project]: { hasTrustDialogAccepted: true } } }));
  return { home, project };
}

/** The stand-in chat plugin's marketplace at ~/mkt on the VPS, as a person would have cloned it. */
export const STAND_IN_PLUGIN = { id: 'echochat@buddy-test', marketplace: '/home/ada/mkt' };
export function placeStandInMarketplace(vps: Vps): void {
  spawnSync('cp', ['-a', join(FIXTURES, 'stand-in-plugin'), join(vps.merged, 'home', 'ada', 'mkt')]);
  vps.ssh('sudo chown -R ada:ada ~/mkt');
}

/**
 * For the enclosing describe block: a booted VPS with this Claude Code, the fake Messages API beside it,
 * and the stand-in chat plugin's marketplace at ~/mkt (the official one is on the internet). On a failed
 * test the buddy's journal is printed.
 */
export function realClaudeVps(install: ClaudeInstall, buddy: string): { vps: Vps; api: FakeAnthropic } {
  const vps = new Vps(install);
  const api = new FakeAnthropic();
  beforeAll(async () => {
    await vps.boot();
    await api.start(vps.hostIp);
    placeStandInMarketplace(vps);
  }, 300_000);
  afterAll(() => {
    api.stop();
    vps.stop();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(`journal of ${buddy}:\n${vps.journal(buddy)}`);
  });
  return { vps, api };
}
