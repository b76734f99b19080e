/** Shared by the tests: run the real CLI, make temp dirs, stock facts. */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Facts } from '../src/target/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'bin', 'buddy-init.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A command run on a test "laptop": ssh (and so buddy-init) finds ~/.ssh in the home the password
 * database gives, not in $HOME. With HOME set to a laptop folder, the command runs in a mount namespace
 * of its own where that folder is mounted on this user's home: OpenSSH and buddy-init both see the
 * laptop's ~/.ssh, and nothing of the machine's own is read or touched.
 */
export function onLaptop(argv: string[], home: string | undefined): string[] {
  const mine = userInfo().homedir;
  if (!home || home === mine) return argv;
  // Absolute paths: the command may run with a PATH of its own (the tests without an ssh client).
  return ['/usr/bin/unshare', '--mount', '--', '/bin/sh', '-c', '/bin/mount --bind "$1" "$2" && shift 2 && exec "$@"', 'sh', home, mine, ...argv];
}

/** Runs the built CLI as a person would, without a terminal (so prompts are impossible). */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; timeout?: number } = {}): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  const [cmd, ...rest] = onLaptop([process.execPath, CLI, ...args], options.env?.HOME);
  const r = spawnSync(cmd!, rest, { encoding: 'utf8', env, cwd: options.cwd ?? ROOT, timeout: options.timeout ?? 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without waiting: for several CLIs at once. */
export function runCliAsync(args: string[], options: { env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
  return new Promise((resolve) => {
    const [cmd, ...rest] = onLaptop([process.execPath, CLI, ...args], options.env?.HOME);
    const child = spawn(cmd!, rest, { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * A made-up chat bot token of the platform's real shape (apply refuses any other), carrying `tag` so a
 * test can find it: Discord's three dot-separated parts, Telegram's digits, colon, 35 characters.
 */
export function discordToken(tag: string): string {
  return `MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GaBcDe.${tag.replace(/[^A-Za-z0-9_-]/g, '').padEnd(27, '0')}`;
}
export function telegramToken(tag: string): string {
  return `123456789:${tag.replace(/[^A-Za-z0-9_-]/g, '').padEnd(35, '0').slice(0, 35)}`;
}

export function tempDir(prefix = 'buddy-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every entry under a folder that is not a folder (files, links, sockets), by absolute path, sorted; none when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Each entry under a folder with its kind, mode, owner, mtime and a hash of its bytes (or a link's
 * target): what "nothing written" is checked against, before and after.
 */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesUnder(dir).map((p) => {
      const s = lstatSync(p);
      const what = s.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : s.isSymbolicLink() ? `-> ${readlinkSync(p)}` : 'special';
      return [p, `${(s.mode & 0o7777).toString(8)} ${s.uid} ${s.mtimeMs} ${what}`];
    }),
  );
}

export function writeFile(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

export function linuxFacts(overrides: Partial<Facts> = {}): Facts {
  return {
    os: 'linux',
    arch: 'x86_64',
    user: 'ada',
    uid: 1000,
    home: '/home/ada',
    shell: '/bin/bash',
    init: 'systemd',
    linger: false,
    sudo: 'passwordless',
    tools: {
      node: { path: '/usr/bin/node', version: '20.11.0' },
      tmux: { path: '/usr/bin/tmux', version: '3.3.0' },
      claude: { path: '/home/ada/.local/bin/claude', version: '2.1.197' },
      bun: { path: '/home/ada/.bun/bin/bun', version: '1.2.0' },
      bwrap: { path: '/usr/bin/bwrap', version: '0.8.0' },
      socat: { path: '/usr/bin/socat', version: '1.7.4' },
    },
    service: { enabled: false, active: false },
    workdirExists: true,
    ...overrides,
  };
}

export function macFacts(overrides: Partial<Facts> = {}): Facts {
  return linuxFacts({
    os: 'macos',
    arch: 'arm64',
    home: '/Users/ada',
    init: 'launchd',
    tools: {
      node: { path: '/opt/homebrew/bin/node', version: '22.1.0' },
      tmux: { path: '/opt/homebrew/bin/tmux', version: '3.5.0' },
      claude: { path: '/opt/homebrew/bin/claude', version: '2.1.197' },
    },
    ...overrides,
  });
}

/**
 * Polls `probe` until it returns something truthy. A probe that throws (the guest is still booting, a
 * file is half there) counts as "not yet". `describe` adds context to the timeout error.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000, describe?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined | false;
    try {
      v = probe();
    } catch {
      v = undefined;
    }
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${describe ? `; ${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
