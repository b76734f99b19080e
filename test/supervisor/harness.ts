/** A supervisor under test: the real bundle, a real tmux server, the stand-in claude, a temp HOME. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SupervisorConfig } from '../../src/runtime/supervisor/config.js';
import { FIXTURES, ROOT, tempDir, waitFor } from '../helpers.js';
import { Terminal } from '../pty.js';

export const SUPERVISOR = join(ROOT, 'dist', 'runtime', 'supervisor.mjs');

export { waitFor };

export interface TranscriptEntry {
  type: string;
  pid?: number;
  argv?: string[];
  text?: string;
  notifySocket?: boolean;
  watchdog?: boolean;
  oauthToken?: string | null;
  disableAutoupdater?: string | null;
}

export class Buddy {
  readonly home = tempDir('buddy-sup-');
  readonly workdir = join(this.home, 'work');
  readonly stateDir = join(this.home, '.local', 'state', 'buddy-init', 'sup');
  readonly configFile = join(this.home, 'supervisor.json');
  readonly config: SupervisorConfig;
  readonly crashFile = join(this.home, 'crash');
  proc?: ChildProcess;
  log = '';

  constructor(overrides: Partial<SupervisorConfig> = {}) {
    mkdirSync(this.workdir, { recursive: true });
    const socket = `buddy-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.config = {
      name: 'sup',
      session: 'sup',
      tmuxSocket: socket,
      workdir: this.workdir,
      claude: { bin: join(FIXTURES, 'fake-claude.mjs'), args: ['--model', 'x y'], channels: [] },
      env: { DISABLE_AUTOUPDATER: '1' },
      path: process.env.PATH!,
      tickSeconds: 30,
      backoffMaxSeconds: 4,
      exitGraceSeconds: 5,
      stateDir: this.stateDir,
      claudeJson: join(this.home, '.claude.json'),
      trustKey: this.workdir,
      scope: false,
      ...overrides,
    };
    writeFileSync(this.configFile, JSON.stringify(this.config));
  }

  start(env: Record<string, string> = {}): ChildProcess {
    this.log = '';
    const proc = spawn(process.execPath, [SUPERVISOR, '--config', this.configFile], {
      env: { PATH: process.env.PATH, HOME: this.home, FAKE_CLAUDE_CRASH_FILE: this.crashFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => (this.log += d));
    proc.stderr!.on('data', (d: Buffer) => (this.log += d));
    this.proc = proc;
    return proc;
  }

  tmux(...args: string[]): { code: number; stdout: string } {
    const r = spawnSync('tmux', ['-L', this.config.tmuxSocket, ...args], { encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout };
  }

  pane(): { dead: boolean; pid: number; command: string } | undefined {
    const r = this.tmux('list-panes', '-t', `=${this.config.session}`, '-F', '#{pane_dead} #{pane_pid} #{pane_current_command}');
    if (r.code !== 0 || !r.stdout.trim()) return undefined;
    const [dead, pid, command] = r.stdout.trim().split(' ');
    return { dead: dead === '1', pid: Number(pid), command: command! };
  }

  session(): { sessionId: string; transcriptSeen: boolean } | undefined {
    const f = join(this.stateDir, 'session.json');
    return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined;
  }

  status(): Record<string, unknown> | undefined {
    const f = join(this.stateDir, 'status.json');
    return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined;
  }

  transcriptFile(id = this.session()?.sessionId): string {
    return join(this.home, '.claude', 'projects', this.workdir.replace(/[^A-Za-z0-9]/g, '-'), `${id}.jsonl`);
  }

  transcript(id?: string): TranscriptEntry[] {
    const f = this.transcriptFile(id);
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  }

  starts(id?: string): TranscriptEntry[] {
    return this.transcript(id).filter((e) => e.type === 'start');
  }

  /** Waits until the claude in the pane is the one that wrote start entry number `n`. */
  async running(n: number, timeoutMs = 30_000): Promise<TranscriptEntry> {
    return waitFor(`claude start #${n}`, () => {
      const s = this.starts();
      const pane = this.pane();
      return s.length >= n && pane && !pane.dead && s[n - 1] ? s[n - 1] : undefined;
    }, timeoutMs);
  }

  /** Types a message and waits until claude wrote it to the transcript (the conversation has begun). */
  async say(line: string): Promise<void> {
    this.type(line);
    await waitFor('the message in the transcript', () => this.transcript().some((e) => e.type === 'user' && e.text === line));
  }

  type(line: string): void {
    this.tmux('send-keys', '-t', `=${this.config.session}:`, '-l', line);
    this.tmux('send-keys', '-t', `=${this.config.session}:`, 'Enter');
  }

  /** A person attached as `buddy-init attach --write` does (a client without -r), in a real terminal. */
  attachWriter(): Terminal {
    return new Terminal(['tmux', '-L', this.config.tmuxSocket, 'attach', '-t', `=${this.config.session}`], { PATH: process.env.PATH!, HOME: this.home, TERM: 'xterm' });
  }

  async exited(): Promise<number | null> {
    const proc = this.proc!;
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  cleanup(): void {
    this.proc?.kill('SIGKILL');
    this.tmux('kill-server');
  }
}
