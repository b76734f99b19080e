/**
 * What buddy-init needs from a machine, whether it is this one or one at the end of an SSH connection.
 * Paths are the machine's own absolute paths; a target decides how to reach them.
 */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Bytes for the command's stdin (a sudo password goes here, never into argv). */
  input?: string;
  /** Extra environment for the command. */
  env?: Record<string, string>;
  /** The folder it runs in (default: the user's home over SSH, the current one locally). */
  cwd?: string;
  /** Seconds before it is stopped and the run fails (see timeLimit.ts); default the command limit. */
  limitSeconds?: number;
}

export interface FileInfo {
  mode: number;
  size: number;
  isDirectory: boolean;
  /** Last modification, in ms of the target's clock (whole seconds over SFTP). */
  mtimeMs: number;
  /** When the path is a symbolic link: the file it leads to, where writes go (the link is kept). */
  linkTo?: string;
}

export interface Target {
  /** How to name this target to a person: "local", "ssh ada@mini.local". */
  readonly label: string;
  /**
   * Set when files are rebased under a directory (`--root`): files go there, commands that would act on
   * the real machine's services are not run.
   */
  readonly rebasedUnder?: string;
  /**
   * A regular file's bytes (undefined when missing). Anything else where a file is expected (a FIFO, a
   * device, a socket, a folder) is refused without reading it: a FIFO would hang, /dev/zero never end.
   */
  read(path: string): Promise<Buffer | undefined>;
  stat(path: string): Promise<FileInfo | undefined>;
  /** sha256 (hex) of each file that exists, in one round trip: large files are compared without reading them. */
  digest(paths: string[]): Promise<Map<string, string>>;
  /**
   * Replaces `path` atomically (temp file + rename in the same directory), creating missing parents 0700.
   * A symbolic link is written through: its target is replaced, the link kept. Anything but a regular
   * file there is refused.
   */
  writeAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void>;
  /**
   * Replaces `path` atomically only if it still holds `expected` (undefined: still absent), compared right
   * before the rename; false when someone changed it meanwhile (read it again, merge again).
   */
  replaceIfUnchanged(path: string, data: string, mode: number, expected: Buffer | undefined): Promise<boolean>;
  /** Creates `path` with `data` only if nothing is there (missing parents 0700); false when something is. */
  createExclusive(path: string, data: string, mode: number): Promise<boolean>;
  /** Makes the directory `path` (missing parents 0700) only if nothing is there; false when something is. A lock. */
  makeDirectory(path: string): Promise<boolean>;
  /** Removes the directory `path` only if it is empty (rmdir); false when it is not, or is not there. */
  removeDirectory(path: string): Promise<boolean>;
  remove(path: string): Promise<void>;
  /** Names in a directory, or undefined when it does not exist. */
  list(path: string): Promise<string[] | undefined>;
  /** Where a target path is on this machine, for a local target (under --root: inside the root). */
  pathHere?(path: string): string;
  /** Runs argv on the machine (no shell unless argv starts one). */
  run(argv: string[], options?: RunOptions): Promise<CommandResult>;
  /**
   * Runs argv wired to this process's terminal (stdin, stdout, stderr), with a pseudo-terminal when
   * `pty` (tmux attach needs one), until it ends; returns its exit code. For logs -f and attach.
   */
  runAttached(argv: string[], options?: { pty?: boolean; env?: Record<string, string> }): Promise<number>;
  close(): Promise<void>;
}

/** One thing a buddy needs of a target (requirements.ts), as plan, apply and doctor show it. */
export interface Requirement {
  what: string;
  ok: boolean;
  detail: string;
  /** One command or sentence that fixes it. */
  fix?: string;
  /** Not ok, but the buddy works: shown as a warning, not as missing. */
  warning?: boolean;
  /** Not there yet, and apply's plan takes care of it. */
  byApply?: boolean;
}
