/** The machine buddy-init runs on, optionally with every path rebased under a directory (--root). */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir, open, readdir, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import fse from 'fs-extra';
import { InputError, OperationError } from '../errors.js';
import { writeFileAtomicSync } from '../runtime/shared/atomic.js';
import { MAX_LINKS, notAFile, notAFileMessage } from './fileKind.js';
import { KILL_GRACE_SECONDS, ranOutOfTime, timeLimitSeconds } from './timeLimit.js';
import type { CommandResult, FileInfo, RunOptions, Target } from './types.js';

/**
 * Fault injection for the tests of interrupted applies: BUDDY_INIT_TEST_FAULT=<n>:<signal> makes this
 * process send itself the signal just before its n-th file write or removal (1-based), as a kill or a
 * Ctrl-C at that step would. Unset, it costs one comparison per write.
 */
const FAULT = /^(\d+):(SIG[A-Z]+)$/.exec(process.env.BUDDY_INIT_TEST_FAULT ?? '');
let writeSteps = 0;
function faultPoint(): void {
  if (FAULT && ++writeSteps === Number(FAULT[1])) process.kill(process.pid, FAULT[2] as NodeJS.Signals);
}

export class LocalTarget implements Target {
  readonly label: string;

  constructor(readonly rebasedUnder?: string) {
    // `--root "$DEMO"` with DEMO unset: taken as no root at all, it would write the real home.
    if (rebasedUnder === '') throw new InputError('--root is empty (an unset variable?): give the folder to write under');
    this.label = rebasedUnder ? `local, rebased under ${rebasedUnder}` : 'local';
  }

  private real(path: string): string {
    if (!path.startsWith('/')) throw new OperationError(`internal: target paths are absolute, got ${path}`);
    return this.rebasedUnder ? join(this.rebasedUnder, path) : path;
  }

  /**
   * The machine path where `path` is read or written. `followLast`: a symbolic link as its last part is
   * followed to the file it leads to (a dotfiles link is written through, the link kept). Under --root
   * the result must stay inside the root through every link on the way, or the operation is refused.
   */
  private locate(path: string, followLast: boolean): string {
    let p = this.real(path);
    for (let hops = 0; followLast && isLink(p); hops++) {
      if (hops === MAX_LINKS) throw new OperationError(`${path}: too many levels of symbolic links`);
      p = resolve(dirname(p), readlinkSync(p));
    }
    if (this.rebasedUnder && existsSync(this.rebasedUnder)) {
      const root = realpathSync(this.rebasedUnder);
      // The deepest part that exists, with every link in it resolved, says where the path really is.
      let there = followLast ? p : dirname(p);
      while (!existsSync(there)) there = dirname(there);
      const real = realpathSync(there);
      if (real !== root && !real.startsWith(`${root}/`)) {
        throw new OperationError(`${path} leads to ${real}, outside --root ${this.rebasedUnder} (a symbolic link): buddy-init does not go outside --root`);
      }
    }
    return p;
  }

  pathHere(path: string): string {
    return this.locate(path, true);
  }

  /** The target-side path for a machine path (the root taken off). */
  private logical(p: string): string {
    return this.rebasedUnder && p.startsWith(`${this.rebasedUnder}/`) ? p.slice(this.rebasedUnder.length) : p;
  }

  async read(path: string): Promise<Buffer | undefined> {
    const p = this.locate(path, true);
    let handle;
    try {
      // Non-blocking, so a FIFO opens at once (and is then refused) instead of waiting for a writer.
      handle = await open(p, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fileError('read', shownPath(this, path), err);
    }
    try {
      const kind = notAFile(await handle.stat());
      // Every path said is the one used (under --root, inside the tree).
      if (kind) throw new OperationError(notAFileMessage(shownPath(this, path), kind));
      return await handle.readFile();
    } catch (err) {
      throw err instanceof OperationError ? err : fileError('read', shownPath(this, path), err);
    } finally {
      await handle.close();
    }
  }

  async stat(path: string): Promise<FileInfo | undefined> {
    try {
      const to = this.locate(path, true);
      const s = await stat(to);
      const linked = to !== this.real(path);
      return { mode: s.mode & 0o7777, size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs, ...(linked ? { linkTo: this.logical(to) } : {}) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err instanceof OperationError ? err : fileError('stat', path, err);
    }
  }

  /** Where a write of `path` goes: through a link, and only over a regular file (or nothing). */
  private writeTarget(path: string): string {
    const p = this.locate(path, true);
    let kind: string | undefined;
    try {
      kind = notAFile(lstatSync(p));
    } catch {
      /* nothing there yet */
    }
    if (kind) throw new OperationError(notAFileMessage(shownPath(this, path), kind));
    return p;
  }

  async digest(paths: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const path of paths) {
      const data = await this.read(path);
      if (data) out.set(path, createHash('sha256').update(data).digest('hex'));
    }
    return out;
  }

  async writeAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
    faultPoint();
    const to = this.writeTarget(path);
    try {
      writeFileAtomicSync(to, data, mode);
    } catch (err) {
      throw fileError('write', path, err);
    }
  }

  async replaceIfUnchanged(path: string, data: string, mode: number, expected: Buffer | undefined): Promise<boolean> {
    faultPoint();
    const real = this.writeTarget(path);
    const unchanged = () => {
      let now: Buffer | undefined;
      try {
        now = readFileSync(real);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      return now === undefined || expected === undefined ? now === expected : now.equals(expected);
    };
    try {
      return writeFileAtomicSync(real, data, mode, unchanged);
    } catch (err) {
      throw fileError('write', path, err);
    }
  }

  async createExclusive(path: string, data: string, mode: number): Promise<boolean> {
    const real = this.locate(path, false);
    try {
      await mkdir(dirname(real), { recursive: true, mode: 0o700 });
      await writeFile(real, data, { flag: 'wx', mode });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fileError('create', path, err);
    }
  }

  async makeDirectory(path: string): Promise<boolean> {
    try {
      const real = this.locate(path, false);
      await mkdir(dirname(real), { recursive: true, mode: 0o700 });
      await mkdir(real, { mode: 0o700 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fileError('create', path, err);
    }
  }

  async removeDirectory(path: string): Promise<boolean> {
    try {
      await rmdir(this.locate(path, false));
      return true;
    } catch (err) {
      if (['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) return false;
      throw fileError('remove', path, err);
    }
  }

  async remove(path: string): Promise<void> {
    faultPoint();
    try {
      await fse.remove(this.locate(path, false));
    } catch (err) {
      throw fileError('remove', path, err);
    }
  }

  async list(path: string): Promise<string[] | undefined> {
    try {
      return await readdir(this.locate(path, true));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fileError('list', path, err);
    }
  }

  run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    const limit = options.limitSeconds ?? timeLimitSeconds();
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        env: { ...process.env, ...options.env },
        ...(options.cwd ? { cwd: options.cwd } : {}),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      // Past the limit: TERM to it and all it started, KILL to what lingers, and the run fails now (a
      // grandchild that keeps the pipes open must not keep the apply waiting for them).
      const timer = setTimeout(() => {
        const tree = [child.pid!, ...descendants(child.pid!)];
        signalAll(tree, 'SIGTERM');
        setTimeout(() => signalAll(tree, 'SIGKILL'), KILL_GRACE_SECONDS * 1000).unref();
        child.stdout.destroy();
        child.stderr.destroy();
        reject(ranOutOfTime(argv, this.label, limit, stdout + stderr));
      }, limit * 1000);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new OperationError(`cannot run ${argv[0]}: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
      // A command that exits without reading its input (or is not found) closes the pipe: not an error.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
    });
  }

  runAttached(argv: string[], options: { pty?: boolean; env?: Record<string, string> } = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...options.env }, stdio: 'inherit' });
      child.on('error', (err) => reject(new OperationError(`cannot run ${argv[0]}: ${err.message}`)));
      child.on('close', (code) => resolve(code ?? 1));
    });
  }

  async close(): Promise<void> {}
}

/**
 * Every process below `pid`, from one `ps` listing (Linux and macOS alike). The command runs in this
 * process's group, so Ctrl-C reaches it; the tree is how a time limit reaches what it started.
 */
function descendants(pid: number): number[] {
  const listing = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout ?? '';
  const children = new Map<number, number[]>();
  for (const [p, parent] of listing.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number))) {
    if (p !== undefined && parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function fileError(verb: string, path: string, err: unknown): OperationError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'permission denied'
      : e.code === 'ENOSPC'
        ? 'disk full'
        : e.code === 'EROFS'
          ? 'read-only filesystem'
          : (e.code ?? e.message);
  return new OperationError(`cannot ${verb} ${path}: ${why}`, { cause: err });
}

/** A target path as a person finds it: under --root, inside the root (messages name where files went). */
export function shownPath(target: Target, path: string): string {
  return target.rebasedUnder ? join(target.rebasedUnder, path) : path;
}
