/**
 * git: read-only subcommands with read-only options. Global options that run programs (-c, which can
 * define aliases, pagers, editors and hooks; --exec-path; --config-env) keep git from being read-only,
 * and the commands in -c values are handed on, so `git -c alias.x='!rm -rf ~' x` is judged by its
 * shell text. Operands may be paths (outside a repository `git diff a b` reads any file), so they count
 * as files read. git's own configuration (aliases, pagers, textconv drivers) is trusted: writing it
 * takes a command that is not read-only.
 */
import type { Arg } from '../bash/expand.js';
import { hasAny, optionValueAt, parseOptions } from '../options.js';
import { known, no, ok, type Call, type Use } from './types.js';

/** Configuration keys whose value is a command git runs (for `-c key=value`, and a repository's own configuration). */
const COMMAND_KEYS = /^(core\.(pager|editor|sshcommand|fsmonitor|askpass|hookspath|gitproxy)|pager\..+|diff\.external|(diff|merge|filter)\..+\.(textconv|command|driver|clean|smudge|process)|credential(\..+)?\.helper|gpg(\..+)?\.program|sequence\.editor|interactive\.difffilter|sendemail\..+cmd|uploadpack\.packobjectshook|remote\..+\.(uploadpack|receivepack|vcs)|man\.viewer|man\..+\.(cmd|path)|(help|web)\.browser|browser\..+\.(cmd|path)|difftool\..+\.(cmd|path)|mergetool\..+\.(cmd|path))$/;

/** Whether git runs `value` as a program for the key (an alias starting with `!` runs a shell). */
export const gitKeyRunsProgram = (key: string, value: string): boolean => COMMAND_KEYS.test(key) || (key.startsWith('alias.') && value.trimStart().startsWith('!'));

/** Subcommands that only read, whatever options they get (the forbidden ones aside). */
const READERS = new Set([
  'status', 'log', 'diff', 'show', 'whatchanged', 'blame', 'annotate', 'shortlog', 'describe', 'rev-parse', 'rev-list',
  'ls-files', 'ls-tree', 'cat-file', 'merge-base', 'name-rev', 'for-each-ref', 'count-objects', 'check-ignore',
  'check-attr', 'show-ref', 'grep', 'version', 'help', 'show-branch', 'range-diff', 'cherry', 'verify-commit', 'verify-tag', 'fsck',
]);

/** Options that write files, run programs, reach out, or read files outside the repository. */
const FORBIDDEN = ['--output', '--ext-diff', '--textconv', '--filters', '--open-files-in-pager', '-O', '--exec', '--upload-pack', '--receive-pack', '--no-index', '--contents', '--ignore-revs-file', '--output-directory', '--run', '--pre', '--paginate'];

const listOnly = (flags: RegExp) => (args: Arg[]): string | undefined => {
  const p = parseOptions(args, { longValue: ['sort', 'format', 'contains', 'no-contains', 'merged', 'no-merged', 'points-at', 'color', 'column'] });
  if (p.options.some((o) => !flags.test(o.name))) return 'changes branches or tags';
  const listing = hasAny(p, ['-l', '--list']);
  return listing || p.operands.length === 0 ? undefined : 'creates a branch or tag';
};

const SUBCOMMANDS: Record<string, (args: Arg[]) => string | undefined> = {
  branch: listOnly(/^(-a|--all|-r|--remotes|-v|--verbose|-l|--list|--show-current|--merged|--no-merged|--contains|--no-contains|--points-at|--sort|--format|--color|--no-color|--column|--no-column|-i|--ignore-case|--abbrev|--no-abbrev|-vv)$/),
  tag: listOnly(/^(-l|--list|-n\d*|--sort|--format|--contains|--no-contains|--merged|--no-merged|--points-at|--color|--column|--no-column|-i|--ignore-case)$/),
  // `remote show NAME` contacts the remote (and a URL goes anywhere): only local forms.
  remote: (args) => (args.length === 0 || args.every((a) => a.text === '-v' || a.text === '--verbose') || (known(args[0]) === 'get-url' && args.length <= 3) || (known(args[0]) === 'show' && args.some((a) => a.text === '-n')) ? undefined : 'changes or contacts remotes'),
  stash: (args) => (['list', 'show'].includes(known(args[0]) ?? '') ? undefined : 'changes the stash'),
  worktree: (args) => (known(args[0]) === 'list' ? undefined : 'changes worktrees'),
  reflog: (args) => (['expire', 'delete', 'drop', 'write'].includes(known(args.find((a) => !a.text.startsWith('-'))) ?? '') ? 'changes the reflog' : undefined),
  'symbolic-ref': (args) => (args.filter((a) => !a.text.startsWith('-')).length <= 1 && !args.some((a) => a.text === '-d' || a.text === '--delete') ? undefined : 'changes a ref'),
};

/**
 * Shell text git subcommands run: `rebase --exec`, `difftool --extcmd`, `submodule foreach`,
 * `bisect run`, filter-branch filters, `config` setting an alias or a command key, `ext::` remotes.
 */
function runsShell(sub: string | undefined, rest: Arg[]): NonNullable<Use['scripts']> {
  const out: NonNullable<Use['scripts']> = [];
  const add = (text: Arg | undefined, how: string) => text && out.push({ text, how: `git ${how}`, bash: false });
  rest.forEach((a, i) => {
    const m = /^--(exec|extcmd|[a-z-]+-filter)=(.*)$/s.exec(a.text);
    if (m && (sub === 'rebase' || sub === 'difftool' || sub === 'filter-branch')) add({ ...a, text: m[2]! }, `${sub} --${m[1]}`);
    if (/^(-x|--exec|--extcmd|--[a-z-]+-filter)$/.test(a.text) && (sub === 'rebase' || sub === 'difftool' || sub === 'filter-branch')) add(rest[i + 1], `${sub} ${a.text}`);
    const pager = sub === 'grep' ? /^(?:-[^-O]*O|--open-files-in-pager=)(.+)$/s.exec(a.text) : null;
    if (pager) add({ ...a, text: pager[1]! }, 'grep -O');
    // ext::cmd arg% with% spaces: words split at plain spaces, `% ` a space inside a word.
    if (a.text.startsWith('ext::')) add({ ...a, text: a.text.slice(5).split(/(?<!%) /).map((w) => `'${w.replace(/% /g, ' ').replace(/%%/g, '%').replace(/'/g, "'\\''")}'`).join(' ') }, 'ext:: remote');
  });
  if (sub === 'submodule' && known(rest.find((a) => !a.text.startsWith('-'))) === 'foreach') add(rest[rest.length - 1], 'submodule foreach');
  if (sub === 'bisect' && known(rest[0]) === 'run' && rest.length > 1) add({ text: rest.slice(1).map((a) => a.text).join(' '), exact: rest.slice(1).every((a) => a.exact), many: false }, 'bisect run');
  if (sub === 'config') {
    const [key, value] = rest.filter((a) => !a.text.startsWith('-'));
    const k = key?.text.toLowerCase() ?? '';
    if (value && ((k.startsWith('alias.') && value.text.startsWith('!')) || COMMAND_KEYS.test(k))) add({ ...value, text: value.text.replace(/^!/, '') }, `config ${k}`);
  }
  return out;
}

export function git(call: Call): Use {
  const args = call.args;
  const scripts: NonNullable<Use['scripts']> = [];
  let i = 0;
  let why: string | undefined;
  // -C DIR: paths after it are relative to DIR (each -C relative to the one before).
  let dir = '';
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.exact) return no('git has an argument only known at run time among its options');
    const t = a.text;
    if (!t.startsWith('-')) break;
    if (t === '-c' || t.startsWith('-c') || t.startsWith('--config-env')) {
      const value = t === '-c' ? args[++i] : { ...a, text: t.slice(2) };
      const m = /^([^=]+)=(.*)$/s.exec(value?.text ?? '');
      if (m) {
        const key = m[1]!.toLowerCase();
        const v = m[2]!;
        if (key.startsWith('alias.') && v.startsWith('!')) scripts.push({ text: { text: v.slice(1), exact: value!.exact, many: false }, how: `git alias ${key.slice(6)}`, bash: false });
        else if (COMMAND_KEYS.test(key)) scripts.push({ text: { text: v.replace(/^!/, ''), exact: value!.exact, many: false }, how: `git ${key}`, bash: false });
      }
      why ??= 'git -c can set aliases, pagers and hooks';
      continue;
    }
    if (t === '-C') {
      const d = args[++i];
      if (!d?.exact) return no('git -C to a folder only known at run time');
      dir = d.text.startsWith('/') ? d.text : `${dir}${d.text}`;
      dir = dir.endsWith('/') ? dir : `${dir}/`;
      continue;
    }
    if (t === '--git-dir' || t === '--work-tree' || t.startsWith('--git-dir=') || t.startsWith('--work-tree=')) {
      // Another repository, and with it another configuration (pagers, fsmonitor, hooks).
      why ??= `git ${t.split('=')[0]} points git at another repository and its configuration`;
      if (!t.includes('=')) i++;
      continue;
    }
    if (t === '--namespace' || t === '--super-prefix') {
      i++;
      continue;
    }
    if (/^--namespace=/.test(t) || /^(--no-pager|-P|--no-replace-objects|--literal-pathspecs|--glob-pathspecs|--noglob-pathspecs|--icase-pathspecs|--no-optional-locks|--bare|--no-lazy-fetch|--version|--help)$/.test(t)) continue;
    why ??= `git ${t} is not a read-only option`;
  }
  const sub = known(args[i]);
  const rest = args.slice(i + 1);
  scripts.push(...runsShell(sub, rest));
  const inDir = (a: Arg): Arg => (dir && !a.text.startsWith('/') ? { ...a, text: dir + a.text } : a);
  const paths = rest.filter((a) => !a.text.startsWith('-')).map(inDir);
  const use: Use = { ...ok(paths), ...(scripts.length ? { scripts } : {}), repo: inDir({ text: '.', exact: true, many: false }) };
  // Files its options write (`--output=F`, `--output F`, `-o F`, `config --file F`) or read (`blame -S F`, `--contents F`, an order file).
  rest.forEach((a, j) => {
    const value = (long: RegExp, short?: RegExp): Arg | undefined => {
      const v = optionValueAt(rest, j, long, short);
      return v && inDir(v);
    };
    const written = sub === 'config' ? value(/^--file$/, /^-f$/) : value(/^--(output|output-directory)$/, sub === 'format-patch' || sub === 'archive' ? /^-o$/ : undefined);
    if (written) use.writes.push(written);
    const read = value(/^--(contents|ignore-revs-file|orderfile)$/, sub === 'blame' || sub === 'annotate' ? /^-S$/ : sub !== 'grep' ? /^-O$/ : undefined);
    if (read) use.reads.push(read);
    if (sub !== 'grep' && /^-O./.test(a.text)) use.reads.push(inDir({ ...a, text: a.text.slice(2) }));
  });
  // `git diff` compares any two files or folders with --no-index, or outside a repository: each read whole.
  if (sub === 'diff') use.recursive = paths;
  if (why) return { ...use, notReadOnly: why };
  if (!sub) return args.length && args.every((a) => a.text === '--version' || a.text === '--help') ? use : { ...use, notReadOnly: 'git without a known subcommand' };
  if (!rest.every((a) => a.exact || !a.text.startsWith('-'))) return { ...use, notReadOnly: 'git has an argument only known at run time among its options' };
  // Long options may be abbreviated; -O (a pager for grep, an order file for diff) may end a cluster
  // of short ones or carry its value attached (`-nOcmd`).
  const forbidden = rest.find((a) => /^-[^-]*O/.test(a.text) || FORBIDDEN.some((f) => a.text === f || a.text.startsWith(`${f}=`) || (f.startsWith('--') && a.text.startsWith('--') && a.text.length > 4 && f.startsWith(a.text.split('=')[0]!))));
  if (forbidden) return { ...use, notReadOnly: `git ${sub} ${forbidden.text} writes, runs a program or reads files outside the repository` };
  if (READERS.has(sub)) return use;
  const check = SUBCOMMANDS[sub];
  const reason = check ? check(rest) : `git ${sub} is not a read-only subcommand`;
  return reason ? { ...use, notReadOnly: reason } : use;
}
