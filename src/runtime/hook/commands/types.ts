/**
 * What a command does with its arguments, as its table knows it. A table answers for one command (or
 * family); the classifier combines the answers with the line's structure, the paths and the secrets.
 */
import type { Arg } from '../bash/expand.js';
import type { Stdin } from '../lineModel.js';

export interface Use {
  /** Why it is not read-only; undefined when it only reads. */
  notReadOnly?: string;
  /** Operands it reads as files or folders (an unknown one cannot be proven harmless). */
  reads: Arg[];
  /** Operands it reads recursively, folders included. */
  recursive?: Arg[];
  /** Files it writes or changes (checked against disks, system configuration and secrets). */
  writes: Arg[];
  /** Commands it runs: argv, and whether it appends arguments only known at run time (xargs). */
  runs?: Array<{ argv: Arg[]; extraArgs: boolean; how: string }>;
  /** Shell text it runs (sh -c, su -c, watch, git aliases, vim :!, tmux): classified as a line of its own. */
  scripts?: Array<{ text: Arg; how: string; bash: boolean }>;
  /** It runs, as a script, what it reads on standard input (sh with no script, bash -s, python -). */
  scriptFromStdin?: boolean;
  /** That input is a crontab: each line's command comes after five time fields. */
  cron?: boolean;
  /** It runs these operands' contents as a script (bash FILE, source FILE, bash <(...)). */
  scriptFiles?: Arg[];
  /** Program text in another language (python -c, perl -e, node -e, awk programs), for the deny checks. */
  code?: { lang: 'python' | 'perl' | 'ruby' | 'node' | 'php' | 'awk' | 'lua' | 'tcl'; text: Arg };
  /** Denied by itself: it prints what holds secrets (the environment, every process's environment), or reaches the buddy's own tmux server. */
  denied?: string;
  /** A disk or filesystem-wide operation that is catastrophic by itself (mkfs, wipefs, blkdiscard...). */
  destroys?: string;
  /** Trees it walks and acts on (find's starting points, for -delete and -exec). */
  walks?: Arg[];
  /** A folder in which it deletes what its source lacks (rsync --delete). */
  deletesIn?: Arg;
  /** The git repository it works in, whose configuration may name programs to run. */
  repo?: Arg;
  /** It opens network connections to hosts given in its arguments (for the reverse-shell checks). */
  network?: boolean;
  /** Ties a process to a network connection (nc -e, socat exec:): a remote shell. */
  remoteShell?: string;
}

/** What a table is given: the arguments (after the command name), and where stdin comes from. */
export interface Call {
  verb: string;
  args: Arg[];
  stdin: Stdin;
  /** The recipe's additions: verbs and subcommands it declares read-only. */
  safeVerbs: ReadonlySet<string>;
  subcommandSafe: Readonly<Record<string, readonly string[]>>;
}

export type Table = (call: Call) => Use;

export const ok = (reads: Arg[] = []): Use => ({ reads, writes: [] });
export const no = (why: string, extra: Partial<Use> = {}): Use => ({ notReadOnly: why, reads: [], writes: [], ...extra });

/** An argument whose text is known, for comparisons. */
export const known = (a: Arg | undefined): string | undefined => (a?.exact ? a.text : undefined);
