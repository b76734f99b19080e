/**
 * A machine at the end of one SSH connection: SFTP for files, exec for commands. Writes are atomic on
 * the remote side too: a temp file in the same directory, its mode set, fsync, then posix-rename, so a
 * connection cut in the middle leaves each file either old or new.
 */
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { OperationError } from '../../errors.js';
import { shellWord } from '../../runtime/shared/shell.js';
import { MAX_LINKS, notAFile, notAFileMessage } from '../fileKind.js';
import { KILL_GRACE_SECONDS, ranOutOfTime, timeLimitSeconds } from '../timeLimit.js';
import type { CommandResult, FileInfo, RunOptions, Target } from '../types.js';
import type { SshClient } from './connect.js';

const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const CHUNK = 32 * 1024;

type SftpError = Error & { code?: number };

/**
 * Runs $2 (a command line) in this shell, stdin and all, while a watchdog counts $1 seconds; past them it
 * stops the session's whole process group (sshd gives each exec its own session): TERM, then KILL. The
 * watchdog holds none of the channel's streams and checks each second that the command's shell still
 * lives, so a command that ends leaves nothing behind for more than a second. Plain sh: it runs the
 * same on Linux and macOS, which has no timeout(1).
 */
const WATCHDOG = `
( i=0
  while [ $i -lt "$1" ]; do sleep 1; kill -0 $$ 2>/dev/null || exit 0; i=$((i + 1)); done
  trap '' TERM
  kill -TERM 0; sleep ${KILL_GRACE_SECONDS}; kill -KILL 0 ) </dev/null >/dev/null 2>&1 &
eval "$2"`;


export class SshTarget implements Target {
  readonly rebasedUnder = undefined;
  private readonly sftpSession: Promise<SFTPWrapper>;
  /** Requests made and bytes written, printed on close when BUDDY_INIT_STATS is set (for the benchmarks). */
  readonly counters = { commands: 0, reads: 0, writes: 0, bytesWritten: 0 };

  /** Operations in flight; a dropped connection fails them all (ssh2 would leave them pending). */
  private readonly pending = new Set<(err: Error) => void>();
  private lost: OperationError | undefined;

  constructor(
    readonly label: string,
    private readonly clients: SshClient[],
  ) {
    // Opened now, so the SFTP subsystem starts while the first command (the facts probe) runs; a
    // failure surfaces at the first file operation.
    this.sftpSession = this.call<SFTPWrapper>((cb) => this.client.sftp(cb as never));
    this.sftpSession.catch(() => {});
    for (const client of clients) {
      client.once('close', () => {
        this.lost ??= new OperationError(`the SSH connection to ${label} was lost`);
        this.pending.forEach((fail) => fail(this.lost!));
        this.pending.clear();
      });
    }
  }

  /** Runs one callback-style operation, failing it if the connection is (or gets) lost. */
  private call<T>(fn: (cb: (err: SftpError | null | undefined, value: T) => void) => void): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<T>((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      this.pending.add(fail);
      fn((err, value) => {
        this.pending.delete(fail);
        if (err) reject(err);
        else resolve(value);
      });
    });
  }

  private get client(): SshClient {
    return this.clients[this.clients.length - 1]!;
  }

  private fail(verb: string, path: string, err: SftpError): OperationError {
    const why = err.code === PERMISSION_DENIED ? 'permission denied' : /no space|quota/i.test(err.message) ? 'disk full' : err.message;
    return new OperationError(`cannot ${verb} ${path} on ${this.label}: ${why}`, { cause: err });
  }

  async read(path: string): Promise<Buffer | undefined> {
    const sftp = await this.sftpSession;
    this.counters.reads++;
    // Looked at before it is opened: sftp-server would block on a FIFO (and with it every later request).
    const info = await this.lstatOrStat('stat', path);
    if (!info) return undefined;
    const kind = notAFile(info);
    if (kind) throw new OperationError(notAFileMessage(path, kind, ` on ${this.label}`));
    try {
      return await this.call<Buffer>((cb) => sftp.readFile(path, cb));
    } catch (err) {
      if ((err as SftpError).code === NO_SUCH_FILE) return undefined;
      throw this.fail('read', path, err as SftpError);
    }
  }

  private async lstatOrStat(how: 'lstat' | 'stat', path: string): Promise<Stats | undefined> {
    const sftp = await this.sftpSession;
    try {
      return await this.call<Stats>((cb) => sftp[how](path, cb));
    } catch (err) {
      if ((err as SftpError).code === NO_SUCH_FILE) return undefined;
      throw this.fail('stat', path, err as SftpError);
    }
  }

  async stat(path: string): Promise<FileInfo | undefined> {
    const [link, s] = await Promise.all([this.lstatOrStat('lstat', path), this.lstatOrStat('stat', path)]);
    if (!s) return undefined;
    const linkTo = link?.isSymbolicLink() ? await this.followLinks(path) : undefined;
    return { mode: s.mode & 0o7777, size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtime * 1000, ...(linkTo ? { linkTo } : {}) };
  }

  /** The file a chain of symbolic links ends at (it may not exist yet: a dangling link is written through). */
  private async followLinks(path: string): Promise<string> {
    const sftp = await this.sftpSession;
    let p = path;
    for (let hops = 0; (await this.lstatOrStat('lstat', p))?.isSymbolicLink(); hops++) {
      if (hops === MAX_LINKS) throw new OperationError(`${path} on ${this.label}: too many levels of symbolic links`);
      const to = await this.call<string>((cb) => sftp.readlink(p, cb));
      p = posix.resolve(posix.dirname(p), to);
    }
    return p;
  }

  /** Where a write of `path` goes: through a link, and only over a regular file (or nothing). */
  private async writeTarget(path: string): Promise<string> {
    const to = await this.followLinks(path);
    const info = await this.lstatOrStat('lstat', to);
    const kind = info && notAFile(info);
    if (kind) throw new OperationError(notAFileMessage(path, kind, ` on ${this.label}`));
    return to;
  }

  async digest(paths: string[]): Promise<Map<string, string>> {
    if (!paths.length) return new Map();
    // sha256sum on Linux, shasum on macOS; missing files print nothing.
    const script = 'for f do [ -f "$f" ] || continue; if command -v sha256sum >/dev/null 2>&1; then sha256sum "$f"; else shasum -a 256 "$f"; fi; done';
    const r = await this.run(['sh', '-c', script, 'sh', ...paths]);
    if (r.code !== 0) throw new OperationError(`cannot hash files on ${this.label}: ${r.stderr.trim()}`);
    return new Map(
      r.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [hash, ...rest] = line.split('  ');
          return [rest.join('  '), hash!] as [string, string];
        }),
    );
  }

  private async mkdirs(dir: string): Promise<void> {
    const sftp = await this.sftpSession;
    const missing: string[] = [];
    for (let d = dir; d !== '/' && !(await this.stat(d)); d = posix.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      try {
        await this.call((cb) => sftp.mkdir(d, { mode: 0o700 }, cb as never));
      } catch (err) {
        if (!(await this.stat(d))) throw this.fail('create the folder', d, err as SftpError);
      }
    }
  }

  /** Uploads `data` to a temp file beside `path` (mode set, synced); the caller renames or removes it. */
  private async upload(path: string, data: string | Uint8Array, mode: number): Promise<string> {
    const sftp = await this.sftpSession;
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
    const dir = posix.dirname(path);
    await this.mkdirs(dir);
    const temp = posix.join(dir, `.${posix.basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    this.counters.writes++;
    this.counters.bytesWritten += bytes.length;
    let handle: Buffer | undefined;
    try {
      handle = await this.call<Buffer>((cb) => sftp.open(temp, 'wx', { mode }, cb));
      const writes: Array<Promise<unknown>> = [];
      for (let offset = 0; offset < bytes.length; offset += CHUNK) {
        const length = Math.min(CHUNK, bytes.length - offset);
        writes.push(this.call((cb) => sftp.write(handle!, bytes, offset, length, offset, cb as never)));
      }
      await Promise.all(writes);
      await this.call((cb) => sftp.fchmod(handle!, mode, cb as never)); // the remote umask narrowed open's mode
      await this.call((cb) => sftp.ext_openssh_fsync(handle!, cb as never)).catch(() => undefined); // best effort
      await this.call((cb) => sftp.close(handle!, cb as never));
      return temp;
    } catch (err) {
      if (handle) await this.call((cb) => sftp.close(handle!, cb as never)).catch(() => undefined);
      await this.call((cb) => sftp.unlink(temp, cb as never)).catch(() => undefined);
      throw this.fail('write', path, err as SftpError);
    }
  }

  async writeAtomic(logicalPath: string, data: string | Uint8Array, mode: number): Promise<void> {
    const sftp = await this.sftpSession;
    const path = await this.writeTarget(logicalPath);
    const temp = await this.upload(path, data, mode);
    try {
      await this.call((cb) => sftp.ext_openssh_rename(temp, path, cb as never));
    } catch (err) {
      await this.call((cb) => sftp.unlink(temp, cb as never)).catch(() => undefined);
      throw this.fail('write', path, err as SftpError);
    }
  }

  async replaceIfUnchanged(logicalPath: string, data: string, mode: number, expected: Buffer | undefined): Promise<boolean> {
    const path = await this.writeTarget(logicalPath);
    const temp = await this.upload(path, data, mode);
    // Compared and renamed in one shell on the target, right after the upload: the window is that shell's.
    const hash = expected === undefined ? '-' : createHash('sha256').update(expected).digest('hex');
    const script =
      'if [ "$2" = - ]; then [ ! -e "$1" ]; else [ "$( (sha256sum || shasum -a 256) < "$1" 2>/dev/null)" = "$2  -" ]; fi; ' +
      'if [ $? = 0 ]; then mv -f "$3" "$1"; else rm -f "$3"; exit 3; fi';
    const r = await this.run(['sh', '-c', script, 'sh', path, hash, temp]);
    if (r.code === 0) return true;
    if (r.code === 3) return false;
    throw new OperationError(`cannot write ${path} on ${this.label}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  async createExclusive(path: string, data: string, mode: number): Promise<boolean> {
    const sftp = await this.sftpSession;
    await this.mkdirs(posix.dirname(path));
    let handle: Buffer | undefined;
    for (let attempt = 1; !handle; attempt++) {
      try {
        handle = await this.call<Buffer>((cb) => sftp.open(path, 'wx', { mode }, cb));
      } catch (err) {
        // OpenSSH answers an O_EXCL open of an existing file with a generic failure: look. The file may
        // also be gone again by then (its holder finished in between): then the open is tried again.
        if (await this.stat(path)) return false;
        if (attempt === 5) throw this.fail('create', path, err as SftpError);
      }
    }
    const bytes = Buffer.from(data);
    try {
      await this.call((cb) => sftp.write(handle, bytes, 0, bytes.length, 0, cb as never));
    } finally {
      await this.call((cb) => sftp.close(handle, cb as never));
    }
    return true;
  }

  async makeDirectory(path: string): Promise<boolean> {
    const sftp = await this.sftpSession;
    await this.mkdirs(posix.dirname(path));
    try {
      await this.call((cb) => sftp.mkdir(path, { mode: 0o700 }, cb as never));
      return true;
    } catch (err) {
      // OpenSSH answers mkdir of an existing path with a generic failure: look.
      if (await this.stat(path)) return false;
      throw this.fail('create', path, err as SftpError);
    }
  }

  async removeDirectory(path: string): Promise<boolean> {
    const sftp = await this.sftpSession;
    try {
      await this.call((cb) => sftp.rmdir(path, cb as never));
      return true;
    } catch (err) {
      // OpenSSH answers both "not empty" and "not there" with a generic failure: look.
      if (!(await this.stat(path)) || (await this.list(path))?.length) return false;
      throw this.fail('remove', path, err as SftpError);
    }
  }

  async list(path: string): Promise<string[] | undefined> {
    const sftp = await this.sftpSession;
    try {
      const entries = await this.call<Array<{ filename: string }>>((cb) => sftp.readdir(path, cb as never));
      return entries.map((e) => e.filename).filter((n) => n !== '.' && n !== '..');
    } catch (err) {
      if ((err as SftpError).code === NO_SUCH_FILE) return undefined;
      throw this.fail('list', path, err as SftpError);
    }
  }

  async remove(path: string): Promise<void> {
    const r = await this.run(['rm', '-rf', '--', path]);
    if (r.code !== 0) throw new OperationError(`cannot remove ${path} on ${this.label}: ${r.stderr.trim()}`);
  }

  /** sshd hands the string to the login shell: POSIX words, with env(1) for extra variables. */
  private commandLine(argv: string[], extraEnv: Record<string, string> = {}, cwd?: string): string {
    const env = Object.entries(extraEnv).map(([k, v]) => `${k}=${shellWord(v)}`);
    const command = [...(env.length ? ['env', ...env] : []), ...argv.map(shellWord)].join(' ');
    return cwd ? `cd ${shellWord(cwd)} && ${command}` : command;
  }

  runAttached(argv: string[], options: { pty?: boolean; env?: Record<string, string> } = {}): Promise<number> {
    const stdin = process.stdin;
    const pty = options.pty ? { term: process.env.TERM ?? 'xterm-256color', rows: process.stdout.rows || 24, cols: process.stdout.columns || 80 } : undefined;
    return new Promise((resolve, reject) => {
      this.client.exec(this.commandLine(argv, options.env), pty ? { pty } : {}, (err, stream) => {
        if (err) return reject(new OperationError(`cannot run ${argv[0]} on ${this.label}: ${err.message}`));
        const raw = Boolean(pty && stdin.isTTY);
        if (raw) stdin.setRawMode(true);
        stdin.pipe(stream);
        stream.pipe(process.stdout);
        stream.stderr.pipe(process.stderr);
        const resize = () => stream.setWindow(process.stdout.rows || 24, process.stdout.columns || 80, 0, 0);
        if (pty) process.stdout.on('resize', resize);
        stream.on('close', (code: number | null) => {
          stdin.unpipe(stream);
          if (raw) stdin.setRawMode(false);
          stdin.pause();
          process.stdout.off('resize', resize);
          resolve(code ?? 0);
        });
      });
    });
  }

  run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    const limit = options.limitSeconds ?? timeLimitSeconds();
    const command = `exec sh -c ${shellWord(WATCHDOG)} buddy-init-limit ${Math.ceil(limit)} ${shellWord(this.commandLine(argv, options.env, options.cwd))}`;
    this.counters.commands++;
    if (this.lost) return Promise.reject(this.lost);
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      this.pending.add(fail);
      this.client.exec(command, (err, stream) => {
        if (err) {
          this.pending.delete(fail);
          return reject(new OperationError(`cannot run ${argv[0]} on ${this.label}: ${err.message}`));
        }
        let stdout = '';
        let stderr = '';
        const started = Date.now();
        const stopped = () => ranOutOfTime(argv, this.label, limit, stdout + stderr);
        // The watchdog on the far side stops it; this one only ends the wait when even that could not
        // (a process that left the session holds the channel open).
        const backstop = setTimeout(() => {
          this.pending.delete(fail);
          stream.close();
          reject(stopped());
        }, (limit + KILL_GRACE_SECONDS + 10) * 1000);
        stream.on('data', (d: Buffer) => (stdout += d));
        stream.stderr.on('data', (d: Buffer) => (stderr += d));
        stream.on('close', (code: number | null, signal?: string) => {
          clearTimeout(backstop);
          this.pending.delete(fail);
          const killed = ['TERM', 'KILL'].includes((signal ?? '').replace(/^SIG/, '')) || code === 143 || code === 137;
          if (killed && Date.now() - started >= limit * 1000) reject(stopped());
          else resolve({ code: code ?? (signal ? 128 : 255), stdout, stderr });
        });
        stream.end(options.input ?? '');
      });
    });
  }

  async close(): Promise<void> {
    // For the benchmarks (BENCHMARKS.md): what one run cost on the wire, on stderr.
    if (process.env.BUDDY_INIT_STATS) process.stderr.write(`buddy-init-stats ${JSON.stringify(this.counters)}\n`);
    [...this.clients].reverse().forEach((c) => c.end());
  }
}
