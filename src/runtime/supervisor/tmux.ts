/**
 * The buddy's tmux server, on its own socket (`tmux -L buddy-init-<name>`) so it never mixes with the
 * user's tmux. Every call has a timeout: a wedged tmux must not wedge the supervisor.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface PaneState {
  dead: boolean;
  /** Foreground command of the pane (claude, node or bun while claude runs). */
  command: string;
  pid: number;
  /** Exit status or signal, when tmux has reaped the process (see processIsGone for when it has not). */
  deadStatus?: number;
  deadSignal?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, stdout, stderr: stderr || (err && typeof err.code !== 'number' ? err.message : '') });
    });
  });
}

/**
 * Whether a pane's process has ended, asked of the kernel rather than of tmux. tmux learns of a child's
 * exit through SIGCHLD, and on some kernels a tmux 3.3 server misses it: the process stays a zombie, the
 * pane-died hook never fires and pane_dead_status stays empty. A gone pid or a zombie is dead either way.
 */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    // Linux: the state is the field after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false; // no /proc (macOS): kill(pid, 0) has answered
  }
}

export class Tmux {
  constructor(
    readonly socket: string,
    readonly session: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private tmux(...args: string[]): Promise<RunResult> {
    return run(['tmux', '-L', this.socket, ...args], this.env);
  }

  /** The session's pane, or undefined when there is no such session (or no server). */
  async pane(): Promise<PaneState | undefined> {
    const r = await this.tmux('list-panes', '-t', `=${this.session}`, '-F', '#{pane_dead}|#{pane_pid}|#{pane_dead_status}|#{pane_dead_signal}|#{pane_current_command}');
    const line = r.code === 0 ? r.stdout.split('\n')[0] : undefined;
    if (!line) return undefined;
    const [dead, pid, status, signal, ...command] = line.split('|');
    return {
      dead: dead === '1',
      pid: Number(pid),
      command: command.join('|'),
      ...(status ? { deadStatus: Number(status) } : {}),
      ...(signal ? { deadSignal: Number(signal) } : {}),
    };
  }

  /**
   * Starts the server (if needed) and the session with `shellCommand` in its only pane. `prefix` runs the
   * tmux client through something else, e.g. systemd-run for its own scope.
   */
  async newSession(shellCommand: string, cwd: string, configFile: string, prefix: string[] = []): Promise<RunResult> {
    return run(
      [...prefix, 'tmux', '-L', this.socket, '-f', configFile, 'new-session', '-d', '-s', this.session, '-x', '200', '-y', '50', '-c', cwd, shellCommand],
      this.env,
    );
  }

  respawn(shellCommand: string, cwd: string): Promise<RunResult> {
    return this.tmux('respawn-pane', '-k', '-t', `=${this.session}:`, '-c', cwd, shellCommand);
  }

  /** Re-points the pane-died hook at this supervisor (a new one after a restart has a new pid). */
  async configure(supervisorPid: number): Promise<void> {
    // One tmux client for both (";" separates tmux commands): each client started costs milliseconds.
    await this.tmux('set-option', '-g', 'remain-on-exit', 'on', ';', 'set-hook', '-g', 'pane-died', `run-shell "kill -USR1 ${supervisorPid} 2>/dev/null || true"`);
  }

  async sendLine(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', `=${this.session}:`, '-l', text);
    await this.pressEnter();
  }

  /** The visible pane, with its escape sequences (dim placeholders tell from typed text). */
  async capture(): Promise<string> {
    const r = await this.tmux('capture-pane', '-p', '-e', '-t', `=${this.session}:`);
    return r.code === 0 ? r.stdout : '';
  }

  async pressEnter(): Promise<void> {
    await this.tmux('send-keys', '-t', `=${this.session}:`, 'Enter');
  }

  /** Whether a client is attached with write access (without `attach -r`): someone may be typing. */
  async writerAttached(): Promise<boolean> {
    const r = await this.tmux('list-clients', '-t', `=${this.session}`, '-F', '#{client_readonly}');
    return r.code === 0 && r.stdout.split('\n').includes('0');
  }

  async killSession(): Promise<void> {
    await this.tmux('kill-session', '-t', `=${this.session}`);
  }
}
