/** A program in a real pseudo-terminal (a tmux pane), driven like a person would: read the screen, type. */
import { spawnSync } from 'node:child_process';
import { shellWord } from '../src/runtime/shared/shell.js';

export class Terminal {
  private readonly socket = `buddy-pty-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(argv: string[], env: Record<string, string>, size: { columns: number; rows: number } = { columns: 160, rows: 50 }) {
    const command = ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv].map(shellWord).join(' ');
    this.tmux('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), `${command}; echo "EXIT=$?"; sleep 600`);
  }

  private tmux(...args: string[]): string {
    return spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' }).stdout;
  }

  /** The pane's text, lines joined where the terminal wrapped them; `history`: how many lines back. */
  screen(history = 200): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', `-${history}`);
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.screen();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on the screen:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits for `prompt`, then presses `keys` in order: a tmux key name (Enter, Up, C-c, ...) or text to type. */
  async answer(prompt: RegExp, keys: string[]): Promise<void> {
    await this.waitFor(prompt);
    for (const k of keys) {
      if (/^(Enter|Up|Down|C-c|C-u|Space)$/.test(k)) this.key(k);
      else this.type(k);
      await new Promise((r) => setTimeout(r, 60));
    }
  }

  type(text: string): void {
    this.tmux('send-keys', '-l', text);
  }

  key(name: string): void {
    this.tmux('send-keys', name);
  }

  async exitCode(timeoutMs = 30_000): Promise<number> {
    return Number(/EXIT=(\d+)/.exec(await this.waitFor(/EXIT=\d+/, timeoutMs))![1]);
  }

  close(): void {
    this.tmux('kill-server');
  }
}
