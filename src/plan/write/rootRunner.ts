/** Acting as root on a target: directly when apply runs as root, else through sudo (asking its password once). */
import { posix } from 'node:path';
import { OperationError } from '../../errors.js';
import { timeLimitSeconds, type Facts, type Target } from '../../target/index.js';
import type { Action } from '../compute/actions.js';

/** Runs commands as root the way the target allows: directly, sudo -n, or sudo -S with the password on stdin. */
export class RootRunner {
  private password: string | undefined;

  constructor(
    private readonly target: Target,
    private readonly facts: Facts,
    private readonly askPassword?: () => Promise<string>,
  ) {}

  /** Runs it; returns what it printed (fails, saying why, unless it exits 0). */
  async run({ argv, root, env, cwd, limit }: Omit<Action, 'reason'>): Promise<string> {
    let command = argv;
    let input: string | undefined;
    if (root && this.facts.sudo === 'passwordless') command = ['sudo', '-n', '--', ...argv];
    else if (root && this.facts.sudo === 'password') {
      if (!this.askPassword) throw new OperationError(`${argv.join(' ')} needs sudo's password and there is no terminal to ask for it`);
      this.password ??= await this.askPassword();
      command = ['sudo', '-S', '-p', '', '--', ...argv];
      input = `${this.password}\n`;
    } else if (root && this.facts.sudo !== 'root') {
      throw new OperationError(`${argv.join(' ')} needs root and ${this.target.label} has no sudo`);
    }
    const result = await this.target.run(command, { ...(env ? { env } : {}), ...(input ? { input } : {}), ...(cwd ? { cwd } : {}), limitSeconds: timeLimitSeconds(limit) });
    if (result.code !== 0) {
      const why = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
      if (input && /incorrect password|try again|no password was provided/i.test(result.stderr)) {
        throw new OperationError(`sudo refused the password on ${this.target.label}`);
      }
      throw new OperationError(`\`${argv.join(' ')}\` failed on ${this.target.label} (exit ${result.code}): ${why}`);
    }
    return `${result.stdout}${result.stderr}`.trim();
  }
}

/**
 * A file only root may write (a LaunchDaemon plist): staged as the user in the state folder, then put
 * in place by root with cp to a temp name, chown, chmod and an atomic mv.
 */
export async function writeAsRoot(target: Target, root: RootRunner, stateDir: string, path: string, content: string, mode: number): Promise<void> {
  const staged = posix.join(stateDir, 'staging', posix.basename(path));
  await target.writeAtomic(staged, content, 0o600);
  const temp = `${path}.buddy-init.tmp`;
  const script = 'set -e; cp "$1" "$2"; chown 0:0 "$2"; chmod "$3" "$2"; mv -f "$2" "$4"; rm -f "$1"';
  await root.run({ argv: ['sh', '-c', script, 'sh', staged, temp, mode.toString(8), path], root: true });
}
