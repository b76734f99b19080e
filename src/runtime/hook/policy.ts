/**
 * What "provably read-only" means, command by command. A command passes only if its name is in a table
 * and, for commands with dangerous options, its arguments pass that command's policy. The tables are
 * deliberately conservative; a recipe adds to them (hook.safeVerbs, hook.subcommandSafe).
 */
import type { Word } from './words.js';
import { hasOption, positionals } from './options.js';
import { sedScriptIsReadOnly } from './sed.js';

/** Commands that read and print whatever their arguments: no option writes a file or runs a program. */
export const READ_ONLY_VERBS = [
  'cat', 'tac', 'head', 'tail', 'wc', 'ls', 'pwd', 'echo', 'printf', 'grep', 'egrep', 'fgrep', 'cut', 'tr', 'nl',
  'od', 'hexdump', 'cmp', 'comm', 'diff', 'paste', 'rev', 'seq', 'sleep', 'true', 'false', 'whoami', 'id', 'groups',
  'uname', 'uptime', 'basename', 'dirname', 'realpath', 'readlink', 'stat', 'du', 'df', 'free', 'which', 'type',
  'md5sum', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'b2sum', 'cksum', 'base32', 'base64',
  'column', 'fold', 'fmt', 'expand', 'unexpand', 'strings', 'join', 'ps', 'pgrep', 'nproc', 'arch', 'tty', 'cd',
  'pushd', 'popd', 'dirs', 'pstree', 'who', 'w', 'getconf', 'numfmt', 'zcat', 'bzcat', 'xzcat', 'lsblk',
  'test', 'wait',
];

/** Variables that may prefix a command (`LC_ALL=C sort`): none of them makes a program load or run code. */
const HARMLESS_ENV = /^(LANG|LANGUAGE|LC_[A-Z]+|TZ|NO_COLOR|COLUMNS|LINES|TERM|CLICOLOR|FORCE_COLOR)$/;


/** Subcommands that only read, for tools whose other subcommands write. */
export const READ_ONLY_SUBCOMMANDS: Record<string, string[]> = {
  systemctl: ['status', 'show', 'cat', 'is-active', 'is-enabled', 'is-failed', 'list-units', 'list-unit-files', 'list-timers', 'list-sockets', 'list-dependencies', '--version'],
  tmux: ['ls', 'list-sessions', 'list-windows', 'list-panes', 'list-clients', 'has-session', 'show-options', 'show-environment', 'display-message', '-V'],
  npm: ['ls', 'list', 'view', 'info', 'show', 'outdated', 'search', 'help', 'ping', '--version', '-v'],
  pnpm: ['ls', 'list', 'outdated', 'why', '--version'],
  yarn: ['list', 'info', 'why', '--version'],
  pip: ['list', 'show', 'freeze', '--version'],
  pip3: ['list', 'show', 'freeze', '--version'],
  node: ['--version', '-v'],
  python3: ['--version', '-V'],
  python: ['--version', '-V'],
  bun: ['--version', 'pm'],
  docker: ['ps', 'images', 'inspect', 'logs', 'version', 'info', 'top', 'stats'],
  cargo: ['--version', 'tree', 'search'],
  go: ['version', 'env'],
  claude: ['--version', '-v'],
  brew: ['list', 'info', 'search', 'outdated', 'deps', 'config', '--version'],
  launchctl: ['list', 'print', 'version'],
  loginctl: ['show-user', 'list-users', 'list-sessions', 'user-status', 'show-session'],
};

export interface PolicyContext {
  safeVerbs: ReadonlySet<string>;
  subcommands: Readonly<Record<string, readonly string[]>>;
}

const literal = (args: readonly Word[]): string[] | undefined =>
  args.every((a) => a.value !== undefined && !a.glob && !a.brace) ? args.map((a) => a.value!) : undefined;

type ArgPolicy = (args: string[]) => boolean;

const forbid = (short: string, long: string[]): ArgPolicy => (args) => !hasOption(args, { short, long });

// ---- git: read subcommands, and none of the flags that write or run programs ----------------------------
const GIT_GLOBAL_VALUE = new Set(['-C', '--git-dir', '--work-tree', '--namespace']);
const GIT_GLOBAL_FLAG = /^(--no-pager|-P|--no-replace-objects|--literal-pathspecs|--glob-pathspecs|--noglob-pathspecs|--icase-pathspecs|--no-optional-locks|--git-dir=.*|--work-tree=.*|--namespace=.*)$/;
const GIT_FORBIDDEN = { short: 'O', long: ['output', 'ext-diff', 'textconv', 'filters', 'open-files-in-pager', 'exec', 'upload-pack', 'receive-pack', 'config-env'] };
const LIST_ONLY_VALUES = new Set(['--sort', '--format', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at', '-n']);

const gitListOnly = (allowed: RegExp): ArgPolicy => (args) => {
  if (!args.every((a) => !a.startsWith('-') || allowed.test(a))) return false;
  const listing = args.some((a) => a === '-l' || a === '--list');
  return listing || positionals(args, LIST_ONLY_VALUES).length === 0;
};

/** Subcommands that only read, with any arguments (the forbidden flags above aside). */
const GIT_READERS = [
  'status', 'log', 'diff', 'show', 'whatchanged', 'blame', 'annotate', 'shortlog', 'describe', 'rev-parse', 'rev-list',
  'ls-files', 'ls-tree', 'cat-file', 'merge-base', 'name-rev', 'for-each-ref', 'count-objects', 'check-ignore',
  'check-attr', 'show-ref', 'grep', 'version',
];

const GIT_SUBCOMMANDS: Record<string, ArgPolicy> = {
  ...Object.fromEntries(GIT_READERS.map((sub) => [sub, () => true])),
  branch: gitListOnly(/^(-a|--all|-r|--remotes|-v|-vv|--verbose|-l|--list|--show-current|--merged|--no-merged|--contains|--no-contains|--points-at|--sort(=.*)?|--format(=.*)?|--color(=.*)?|--no-color|--column(=.*)?|--no-column|-i|--ignore-case|--abbrev=.*|--no-abbrev)$/),
  tag: gitListOnly(/^(-l|--list|-n\d*|--sort(=.*)?|--format(=.*)?|--contains|--no-contains|--merged|--no-merged|--points-at|--color(=.*)?|--column(=.*)?|--no-column|-i|--ignore-case)$/),
  remote: (args) => args.length === 0 || args.every((a) => a === '-v' || a === '--verbose') || ['show', 'get-url'].includes(args[0]!),
  stash: (args) => args[0] === 'list' || args[0] === 'show',
  worktree: (args) => args[0] === 'list',
  reflog: (args) => {
    const first = positionals(args)[0];
    return first === undefined || !['expire', 'delete', 'drop'].includes(first);
  },
  'symbolic-ref': (args) => positionals(args).length <= 1 && !hasOption(args, { short: 'd', long: ['delete'] }),
};

function gitIsReadOnly(args: string[]): boolean {
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) {
    if (GIT_GLOBAL_VALUE.has(args[i]!)) i += 2;
    else if (GIT_GLOBAL_FLAG.test(args[i]!)) i += 1;
    else return false; // -c name=value, --exec-path, -p (pager) and anything unknown
  }
  const sub = args[i];
  const policy = sub ? GIT_SUBCOMMANDS[sub] : undefined;
  const rest = args.slice(i + 1);
  return Boolean(policy && !hasOption(rest, GIT_FORBIDDEN) && policy(rest));
}

// ---- the others with dangerous options -----------------------------------------------------------------
function sedIsReadOnly(args: string[]): boolean {
  if (hasOption(args, { short: 'if', long: ['in-place', 'file'] })) return false;
  const scripts: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--expression') scripts.push(args[++i] ?? '');
    else if (a.startsWith('--expression=')) scripts.push(a.slice('--expression='.length));
    else if (/^-[nErsuz]*e$/.test(a)) scripts.push(args[++i] ?? '');
    else if (a.startsWith('-') && a !== '-' && !/^(-[nErsuz]+|--(quiet|silent|regexp-extended|separate|unbuffered|null-data|posix|debug|sandbox))$/.test(a)) return false;
    else rest.push(a);
  }
  if (scripts.length === 0) {
    const script = rest.find((a) => !a.startsWith('-') || a === '-');
    if (script === undefined) return false;
    scripts.push(script);
  }
  return scripts.every(sedScriptIsReadOnly);
}

function awkIsReadOnly(args: string[]): boolean {
  if (hasOption(args, { short: 'fiEl', long: ['file', 'include', 'load', 'exec', 'source'] })) return false;
  const program = positionals(args, new Set(['-F', '-v', '--field-separator', '--assign']))[0];
  // system(), pipes into or out of commands, output redirection, gawk extensions, the environment.
  return program !== undefined && !/system|\||>|@|ENVIRON|PROCINFO/.test(program);
}

function tarIsReadOnly(args: string[]): boolean {
  const first = args[0] ?? '';
  const cluster = first.startsWith('-') ? first.slice(1) : first; // old style: `tar tvf x.tar`
  const listing = /t/.test(cluster) && !first.startsWith('--') ? true : args.some((a) => a === '--list' || /^-[A-Za-z]*t/.test(a));
  const writing = /[cxruAd]/.test(cluster.replace(/f.*$/, '')) || hasOption(args, { long: ['create', 'extract', 'get', 'append', 'update', 'catenate', 'concatenate', 'delete'] });
  const running = hasOption(args, {
    short: 'IF',
    long: ['checkpoint-action', 'to-command', 'use-compress-program', 'info-script', 'new-volume-script', 'rsh-command', 'rmt-command', 'index-file'],
  });
  return listing && !writing && !running;
}

/** find primaries that delete, write files or run programs. */
export const FIND_ACTIONS = /^-(exec|execdir|ok|okdir|delete|fprint|fprint0|fprintf|fls)$/;

const ARGUMENT_POLICIES: Record<string, ArgPolicy> = {
  git: gitIsReadOnly,
  // find's primaries are whole single-dash words, not getopt options.
  find: (args) => !args.some((a) => FIND_ACTIONS.test(a)),
  sed: sedIsReadOnly,
  awk: awkIsReadOnly,
  gawk: awkIsReadOnly,
  mawk: awkIsReadOnly,
  sort: forbid('o', ['output', 'compress-program']),
  uniq: (args) => positionals(args, new Set(['-f', '-s', '-w'])).length <= 1,
  xxd: (args) => positionals(args, new Set(['-c', '-g', '-l', '-o', '-s', '-n'])).length <= 1,
  tree: forbid('o', ['output']),
  rg: forbid('', ['pre', 'pre-glob']),
  file: forbid('C', ['compile']),
  jq: (args) => !args.some((a) => /\benv\b|\$ENV|input_filename|\$__loc__/.test(a)) && !hasOption(args, { long: ['rawfile', 'slurpfile'] }),
  tar: tarIsReadOnly,
  date: (args) => args.every((a) => a.startsWith('+') || /^(-u|--utc|--universal|-R|--rfc-email|-I\w*|--iso-8601(=\w+)?|--rfc-3339=\w+)$/.test(a)),
  hostname: (args) => args.every((a) => /^-[fsiIdA]$|^--(fqdn|short|ip-address|all-ip-addresses|domain|all-fqdns)$/.test(a)),
  journalctl: forbid('', ['vacuum-size', 'vacuum-time', 'vacuum-files', 'rotate', 'flush', 'sync', 'relinquish-var', 'smart-relinquish-var', 'setup-keys', 'update-catalog']),
};

/** Names buddy-init itself treats as read-only (for the docs and the recipe's JSON Schema). */
export function builtInTables(): { readOnly: string[]; subcommands: Record<string, string[]>; withArgumentPolicy: string[] } {
  return { readOnly: [...READ_ONLY_VERBS], subcommands: READ_ONLY_SUBCOMMANDS, withArgumentPolicy: Object.keys(ARGUMENT_POLICIES) };
}

export function envPrefixIsHarmless(name: string, value: Word | undefined): boolean {
  return HARMLESS_ENV.test(name) && (value === undefined || (value.value !== undefined && !value.dynamic));
}

/**
 * Whether `verb args` only reads. `verb` is the command's base name (no wrappers: the classifier unwraps
 * env/command/nice/timeout/xargs itself).
 */
export function argumentsAreReadOnly(verb: string, args: readonly Word[], ctx: PolicyContext): boolean {
  if (ctx.safeVerbs.has(verb)) return true;
  const values = literal(args);
  const policy = ARGUMENT_POLICIES[verb];
  if (policy) return values !== undefined && policy(values);
  const subcommands = ctx.subcommands[verb];
  if (subcommands) {
    if (values === undefined) return false;
    return values.length > 0 && subcommands.includes(values[0]!);
  }
  return false;
}
