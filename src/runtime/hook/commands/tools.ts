/**
 * Tools with subcommands (package managers, service managers, tmux, docker, language runtimes): a
 * subcommand is read-only only when it is in the tool's list AND every option is in the tool's
 * option list. An allowlist, because one unknown option (`npm --registry=...`, `pip --log F`,
 * `go env -w`, `tmux -f file`) is enough to write, run code or send data away. The recipe may add
 * subcommands (hook.subcommandSafe); it never removes a check.
 */
import type { Arg } from '../bash/expand.js';
import { optionValueAt } from '../options.js';
import { known, no, ok, type Call, type Table, type Use } from './types.js';

interface ToolSpec {
  /** Options allowed before the subcommand (and anywhere, when `anywhere`). */
  global?: RegExp;
  /** Global options that take a value. */
  globalValue?: RegExp;
  /** Read-only subcommands, each with the options it may take (a RegExp over each option word). */
  subcommands: Record<string, RegExp>;
  /** Options after the subcommand that take a value (so the value is not read as an operand). */
  value?: RegExp;
  /** Why the operands could do harm, if some can. */
  operands?: (ops: Arg[], sub: string) => string | undefined;
}

const ANY_FLAG = /^-/;
const NONE = /^$/;

const NPM_OUTPUT = /^(--json|--long|-l|--parseable|-p|--all|-a|--global|-g|--depth(=\d+)?|--omit=\w+|--include=\w+|--prod|--production|--dev|--workspaces|--no-workspaces|--workspace=[\w@/.-]+|-w|--no-color|--color=\w+|--unicode|--no-unicode|--link|--package-lock-only|--no-package-lock)$/;

const SPECS: Record<string, ToolSpec> = {
  npm: {
    global: /^(--version|-v|--help|-h)$/,
    subcommands: Object.fromEntries(['ls', 'list', 'll', 'la', 'view', 'info', 'show', 'v', 'outdated', 'help', 'explain', 'why', 'root', 'prefix', 'bin', 'ping', 'search', 'find', 's', 'se', 'version'].map((s) => [s, NPM_OUTPUT])),
    operands: (ops, sub) => (sub === 'version' && ops.length ? 'npm version with an operand bumps the version' : ops.some((o) => /:\/\/|^git\+|^file:|^\.{0,2}\//.test(o.text)) ? 'npm reads a package from a URL or path' : undefined),
  },
  pnpm: { global: /^(--version|-v)$/, subcommands: Object.fromEntries(['ls', 'list', 'll', 'outdated', 'why', 'root', 'bin'].map((s) => [s, NPM_OUTPUT])) },
  yarn: { global: /^(--version|-v)$/, subcommands: Object.fromEntries(['list', 'info', 'why', 'outdated', 'bin'].map((s) => [s, /^(--json|--depth=\d+|--pattern|--all|-R|--recursive)$/])) },
  pip: {
    global: /^(--version|-V|--help|-h|--no-color|-q|--quiet|-v|--verbose|--disable-pip-version-check|--isolated)$/,
    subcommands: {
      list: /^(--format(=\w+)?|-o|--outdated|-u|--uptodate|--not-required|-l|--local|--user|-e|--editable|--exclude-editable|--include-editable|--pre|-v|--verbose|-q|--no-color)$/,
      show: /^(-f|--files|-v|--verbose)$/,
      freeze: /^(--all|-l|--local|--user|--exclude-editable|--exclude=[\w-]+)$/,
      check: NONE,
      help: NONE,
    },
    value: /^(--format|--exclude)$/,
  },
  go: { subcommands: { version: /^-m$|^-v$/, env: /^-json$/, help: NONE, doc: /^(-all|-short|-u|-c|-src)$/ } },
  cargo: { global: /^(--version|-V|--list)$/, subcommands: { version: NONE, help: NONE } },
  bun: { global: /^(--version|-v|--revision|--help|-h)$/, subcommands: { pm: /^$/ }, operands: (ops, sub) => (sub === 'pm' && !['ls', 'bin', 'hash', 'hash-string', 'cache'].includes(known(ops[0]) ?? '') ? `bun pm ${ops[0]?.text ?? ''} changes the project or runs scripts` : sub === 'pm' && known(ops[0]) === 'cache' && ops.length > 1 ? 'bun pm cache rm deletes the cache' : undefined) },
  deno: { global: /^(--version|-V|--help|-h)$/, subcommands: {} },
  claude: { global: /^(--version|-v|--help|-h)$/, subcommands: {} },
  docker: {
    global: /^(--version|-v)$/,
    subcommands: Object.fromEntries(['ps', 'images', 'inspect', 'logs', 'version', 'info', 'top', 'stats', 'port', 'history', 'search'].map((s) => [s, /^(-a|--all|-q|--quiet|--format|-f|--filter|--no-trunc|-n|--last|-l|--latest|-s|--size|--tail|--since|--until|-t|--timestamps|--details|--no-stream|--digests|--type)(=.*)?$/])),
    value: /^(--format|-f|--filter|-n|--last|--tail|--since|--until|--type)$/,
  },
  systemctl: {
    global: /^(--version|--user|--system|--no-pager|--no-legend|-l|--full|-a|--all|--plain|--value|-q|--quiet|-r|--recursive|--failed|--reverse|--before|--after|(-t|--type|--state|-p|--property|-n|--lines|-o|--output)(=.*)?)$/,
    globalValue: /^(-t|--type|--state|-p|--property|-n|--lines|-o|--output)$/,
    subcommands: Object.fromEntries(['status', 'show', 'cat', 'is-active', 'is-enabled', 'is-failed', 'is-system-running', 'list-units', 'list-unit-files', 'list-timers', 'list-sockets', 'list-dependencies', 'list-jobs', 'list-machines', 'get-default', 'help'].map((s) => [s, ANY_FLAG])),
  },
  launchctl: { subcommands: { list: NONE, print: NONE, version: NONE, blame: NONE, 'print-disabled': NONE, managerpid: NONE, manageruid: NONE } },
  loginctl: { global: /^(--no-pager|--no-legend|-a|--all|-l|--full|--value|(-p|--property)(=.*)?)$/, globalValue: /^(-p|--property)$/, subcommands: Object.fromEntries(['show-user', 'list-users', 'list-sessions', 'user-status', 'show-session', 'session-status', 'list-seats'].map((s) => [s, NONE])) },
  brew: { global: /^(--version|-v|--prefix|--cellar|--repository|--caskroom|--env)$/, subcommands: Object.fromEntries(['list', 'ls', 'info', 'search', 'outdated', 'deps', 'uses', 'leaves', 'config', 'doctor', 'desc'].map((s) => [s, ANY_FLAG])) },
  node: { global: /^(--version|-v|--help|-h)$/, subcommands: {} },
  nodejs: { global: /^(--version|-v)$/, subcommands: {} },
  python: { global: /^(--version|-V|-VV)$/, subcommands: {} },
  python3: { global: /^(--version|-V|-VV)$/, subcommands: {} },
  ruby: { global: /^(--version|-v)$/, subcommands: {} },
  perl: { global: /^(--version|-v|-V)$/, subcommands: {} },
  php: { global: /^(--version|-v|-i|-m)$/, subcommands: {} },
  java: { global: /^(--version|-version)$/, subcommands: {} },
  rustc: { global: /^(--version|-V|-vV)$/, subcommands: {} },
  gcc: { global: /^(--version|-v|-dumpversion|-dumpmachine)$/, subcommands: {} },
  make: { global: /^(--version|-v)$/, subcommands: {} },
  journalctl: {
    global: /^(?!--(vacuum-size|vacuum-time|vacuum-files|rotate|flush|sync|relinquish-var|smart-relinquish-var|setup-keys|update-catalog|cursor-file|new-id128)(=|$))-/,
    globalValue: /^(-u|--unit|--user-unit|-n|--lines|-p|--priority|-t|--identifier|-S|--since|-U|--until|-o|--output|-b|--boot|-g|--grep|-D|--directory|--file|-M|--machine|-F|--field|--facility|--output-fields|-c|--cursor|--after-cursor|-I|--invocation|--namespace)$/,
    subcommands: {},
    operands: (ops) => (ops.some((o) => !/^[A-Za-z_][A-Za-z0-9_]*=|^\//.test(o.text)) ? 'journalctl with this operand is not a match' : undefined),
  },
  tmux: {
    global: /^(-V|-2|-8|-u|-v|-N|-L|-S|-T)$/,
    globalValue: /^(-L|-S|-T)$/,
    subcommands: Object.fromEntries(['ls', 'list-sessions', 'list-windows', 'lsw', 'list-panes', 'lsp', 'list-clients', 'lsc', 'list-commands', 'lscm', 'list-keys', 'lsk', 'has-session', 'has', 'show-options', 'show', 'show-window-options', 'showw', 'display-message', 'display', 'info', 'server-info', 'show-messages', 'showmsgs'].map((s) => [s, ANY_FLAG])),
    value: /^-[tFfs]$/,
  },
};
SPECS.pip3 = SPECS.pip!;
SPECS.podman = SPECS.docker!;

/** The table for a tool, with the recipe's extra read-only subcommands. */
export function toolTable(verb: string, extra: readonly string[] | undefined): Table | undefined {
  const spec = SPECS[verb];
  if (!spec && !extra) return undefined;
  return (call) => tool(verb, spec ?? { subcommands: {} }, extra ?? [], call);
}

/** Options of these tools that write the file they name (`pip --log F`, `pip install --report F`). */
const WRITES_FILE = /^--(log|log-file|logfile|output-file|report)$/;

function tool(verb: string, spec: ToolSpec, extra: readonly string[], call: Call): Use {
  const use = subcommandUse(verb, spec, extra, call);
  const written = call.args.flatMap((_, i) => optionValueAt(call.args, i, WRITES_FILE) ?? []);
  return written.length ? { ...use, writes: [...use.writes, ...written] } : use;
}

function subcommandUse(verb: string, spec: ToolSpec, extra: readonly string[], call: Call): Use {
  const args = call.args;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.exact) return no(`${verb} has an argument only known at run time`);
    if (!a.text.startsWith('-')) break;
    const name = a.text.split('=')[0]!;
    if (!spec.global?.test(a.text) && !spec.global?.test(name)) return no(`${verb} ${a.text} is not a read-only option`);
    if (spec.globalValue?.test(a.text)) i++;
  }
  if (!Object.keys(spec.subcommands).length && !extra.length) {
    // No subcommands (journalctl, python --version): what is left are operands.
    const operands = args.slice(i);
    if (!spec.operands) return operands.length ? no(`${verb} with operands runs a program or changes something`) : i > 0 ? ok() : no(`${verb} alone`);
    if (operands.some((o) => !o.exact || o.text.startsWith('-'))) return no(`${verb} has options after its operands`);
    const why = spec.operands(operands, '');
    return why ? no(why) : ok();
  }
  const sub = known(args[i]);
  const rest = args.slice(i + 1);
  if (sub === undefined) return i > 0 && args.length === i ? ok() : no(`${verb} without a read-only subcommand`);
  // tmux: `;` chains commands, `#(...)` in a format runs one.
  if (verb === 'tmux' && rest.some((a) => a.text.includes(';') || a.text.includes('#('))) return no('tmux chains commands or runs a shell command from a format');
  const allowed = spec.subcommands[sub] ?? (extra.includes(sub) ? ANY_FLAG : undefined);
  if (!allowed) return no(`${verb} ${sub} is not a read-only subcommand`);
  const operands: Arg[] = [];
  for (let j = 0; j < rest.length; j++) {
    const a = rest[j]!;
    if (!a.exact) return no(`${verb} ${sub} has an argument only known at run time`);
    if (a.text === '--') {
      operands.push(...rest.slice(j + 1));
      break;
    }
    if (a.text.startsWith('-')) {
      if (!allowed.test(a.text) && !(spec.global?.test(a.text))) return no(`${verb} ${sub} ${a.text} is not a read-only option`);
      if (spec.value?.test(a.text) || spec.globalValue?.test(a.text)) j++;
      continue;
    }
    operands.push(a);
  }
  const why = spec.operands?.(operands, sub);
  return why ? no(why) : ok();
}
