/**
 * Commands that read files and print, or only print. Each entry says which options take a value,
 * which options make the command write, run something or leave the machine (then it is not
 * read-only), and what its operands are: files whose content it reads, names it only looks at
 * (`ls`, `stat`: metadata, no content), or plain text (`echo`).
 */
import type { Arg } from '../bash/expand.js';
import { hasAny, parseOptions, type OptionSpec, type Parsed } from '../options.js';
import { known, no, ok, type Call, type Table, type Use } from './types.js';
import { SECRET_VARIABLE } from '../../shared/secretNames.js';

interface ReaderSpec extends OptionSpec {
  /** What the operands are. */
  operands: 'content' | 'metadata' | 'text' | 'none';
  /** Options that make it write, run a program or reach the network. */
  forbid?: readonly string[];
  /** Options whose value is a file it reads. */
  readsValue?: readonly string[];
  /** Options whose value is a file it writes. */
  writesValue?: readonly string[];
  /** At most this many operands (a further one is written: `uniq in out`). */
  maxOperands?: number;
  /** Reads folders recursively with one of these options (or always). */
  recursive?: readonly string[] | 'always';
  /** Options after which recursion follows symbolic links into places it was not given. */
  followsLinks?: readonly string[];
  /** The first operand is a pattern, not a file, unless one of these gave the pattern. */
  patternFirst?: readonly string[];
  /** Any further check of the parsed options. */
  extra?: (p: Parsed, call: Call) => string | undefined;
  /** Its long options take one dash (`ip -batch`, abbreviated `-ba`). */
  singleDashLong?: boolean;
  /** Why these options and operands print a secret by themselves (then the line is denied). */
  secret?: (p: Parsed) => string | undefined;
}

/** ps options that add each process's environment: BSD `e` (`ps auxeww`, even after a dash: `ps -auxeww`). */
const psShowsEnvironment = (p: Parsed) =>
  p.operands.some((o) => !o.exact || /e/.test(o.text)) || p.options.some((o) => /^-[a-zA-Z]*e/.test(o.name + (o.value?.text ?? '')) && /[xwu]/.test(o.name + (o.value?.text ?? '')));

const TEXT_PRINTERS = ['echo', 'true', 'false', ':', 'pwd', 'whoami', 'id', 'groups', 'uname', 'uptime', 'nproc', 'arch', 'tty', 'seq', 'sleep', 'yes', 'getconf', 'numfmt', 'which', 'type', 'whereis', 'basename', 'dirname', 'cd', 'pushd', 'popd', 'dirs', 'wait', 'logname', 'hostid', 'locale', 'tput', 'expr', 'factor', 'lsb_release', 'sw_vers', 'cal', 'nice'];
const INFO = ['df', 'free', 'lsblk', 'lscpu', 'w', 'pstree', 'pgrep', 'vmstat', 'iostat', 'mount', 'findmnt', 'ip', 'ss', 'netstat', 'ifconfig', 'lsof', 'jobs', 'ulimit', 'umask', 'times', 'hash'];

/** Coreutils-style readers: no option writes or runs anything; operands are files read. */
const SIMPLE_READERS = ['cat', 'tac', 'nl', 'rev', 'paste', 'comm', 'fold', 'fmt', 'expand', 'unexpand', 'strings', 'base32', 'base64', 'basenc', 'md5sum', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'b2sum', 'cksum', 'sum', 'zcat', 'bzcat', 'xzcat', 'zstdcat', 'gzcat', 'shasum', 'md5', 'tsort', 'look', 'column', 'iconv', 'wc', 'head', 'tail', 'od', 'hexdump', 'cut', 'join', 'cmp', 'zgrep'];

const SPECS: Record<string, ReaderSpec> = {
  head: { operands: 'content', shortValue: 'nc', longValue: ['lines', 'bytes'] },
  tail: { operands: 'content', shortValue: 'ncs', longValue: ['lines', 'bytes', 'sleep-interval', 'pid', 'max-unchanged-stats'] },
  wc: { operands: 'content', longValue: ['files0-from'], readsValue: ['--files0-from'] },
  nl: { operands: 'content', shortValue: 'bdfhilnsvw' },
  od: { operands: 'content', shortValue: 'AjNStw', longValue: ['address-radix', 'skip-bytes', 'read-bytes', 'strings', 'format', 'width', 'endian'] },
  hexdump: { operands: 'content', shortValue: 'efns', readsValue: ['-f'] },
  cut: { operands: 'content', shortValue: 'bcdf', longValue: ['bytes', 'characters', 'delimiter', 'fields', 'output-delimiter'] },
  join: { operands: 'content', shortValue: '12jeotav', longValue: ['field'] },
  cmp: { operands: 'content', shortValue: 'in', longValue: ['ignore-initial', 'bytes'] },
  tac: { operands: 'content', shortValue: 's', longValue: ['separator'] },
  paste: { operands: 'content', shortValue: 'd', longValue: ['delimiters'] },
  fold: { operands: 'content', shortValue: 'w', longValue: ['width'] },
  fmt: { operands: 'content', shortValue: 'wpg', longValue: ['width', 'prefix', 'goal'] },
  expand: { operands: 'content', shortValue: 't', longValue: ['tabs'] },
  unexpand: { operands: 'content', shortValue: 't', longValue: ['tabs'] },
  strings: { operands: 'content', shortValue: 'ntTeo', longValue: ['bytes', 'radix', 'encoding', 'target', 'output-separator'] },
  base32: { operands: 'content', shortValue: 'w', longValue: ['wrap'], maxOperands: 1 },
  base64: { operands: 'content', shortValue: 'w', longValue: ['wrap'], maxOperands: 1 },
  column: { operands: 'content', shortValue: 'scoNRTHWEOlC', longValue: ['separator', 'output-separator', 'table-columns', 'table-right', 'table-truncate', 'table-hide', 'table-wrap', 'table-noextreme', 'table-order', 'table-name', 'output-width'] },
  iconv: { operands: 'content', shortValue: 'ftoO', longValue: ['from-code', 'to-code', 'output'], forbid: ['-o', '--output'], writesValue: ['-o', '--output'] },
  zgrep: { operands: 'content', shortValue: 'efmABCdD', patternFirst: ['-e', '-f'] },
  diff: {
    operands: 'content',
    shortValue: 'CUFIxXLDS',
    longValue: ['context', 'unified', 'show-function-line', 'ignore-matching-lines', 'exclude', 'exclude-from', 'label', 'ifdef', 'starting-file', 'from-file', 'to-file', 'horizon-lines', 'tabsize', 'line-format', 'old-line-format', 'new-line-format', 'unchanged-line-format', 'old-group-format', 'new-group-format', 'changed-group-format', 'unchanged-group-format', 'palette', 'color', 'width'],
    readsValue: ['-X', '--exclude-from', '--from-file', '--to-file'],
    recursive: ['-r', '--recursive'],
  },
  sort: {
    operands: 'content',
    shortValue: 'ktSTo',
    longValue: ['key', 'field-separator', 'buffer-size', 'temporary-directory', 'output', 'files0-from', 'batch-size', 'parallel', 'random-source', 'compress-program', 'sort'],
    forbid: ['-o', '--output', '--compress-program'],
    readsValue: ['--files0-from', '--random-source'],
    writesValue: ['-o', '--output'],
  },
  uniq: { operands: 'content', shortValue: 'fsw', longValue: ['skip-fields', 'skip-chars', 'check-chars', 'group', 'all-repeated'], maxOperands: 1 },
  xxd: { operands: 'content', shortValue: 'cglosnCR', longValue: ['cols', 'groupsize', 'len', 'offset', 'seek', 'name'], maxOperands: 1, forbid: ['-r', '-revert'] },
  tr: { operands: 'text' },
  ls: {
    operands: 'metadata',
    shortValue: 'ITw',
    longValue: ['hide', 'ignore', 'format', 'sort', 'time', 'time-style', 'color', 'indicator-style', 'quoting-style', 'block-size', 'tabsize', 'width', 'hyperlink'],
  },
  stat: { operands: 'metadata', shortValue: 'c', longValue: ['format', 'printf'] },
  du: { operands: 'metadata', shortValue: 'dBtX', longValue: ['max-depth', 'block-size', 'threshold', 'exclude', 'exclude-from', 'files0-from', 'time', 'time-style'], readsValue: ['-X', '--exclude-from', '--files0-from'] },
  df: { operands: 'metadata', shortValue: 'Bt', longValue: ['block-size', 'type', 'exclude-type', 'output'] },
  file: { operands: 'metadata', shortValue: 'mfFeP', longValue: ['magic-file', 'files-from', 'separator', 'exclude', 'parameter'], forbid: ['-C', '--compile'], readsValue: ['-m', '--magic-file', '-f', '--files-from'] },
  tree: { operands: 'metadata', shortValue: 'PILoH', longValue: ['filelimit', 'timefmt', 'sort', 'charset', 'fromfile', 'gitfile', 'infofile'], forbid: ['-o', '-R', '--fromfile'], writesValue: ['-o'], readsValue: ['--gitfile', '--infofile'] },
  realpath: { operands: 'metadata', longValue: ['relative-to', 'relative-base'] },
  readlink: { operands: 'metadata' },
  md5sum: { operands: 'content' },
  grep: {
    operands: 'content',
    shortValue: 'efmABCdD',
    longValue: ['regexp', 'file', 'max-count', 'after-context', 'before-context', 'context', 'directories', 'devices', 'include', 'exclude', 'exclude-dir', 'exclude-from', 'label', 'color', 'colour', 'binary-files', 'group-separator'],
    readsValue: ['-f', '--file', '--exclude-from'],
    recursive: ['-r', '--recursive', '-R', '--dereference-recursive'],
    followsLinks: ['-R', '--dereference-recursive'],
    patternFirst: ['-e', '--regexp', '-f', '--file'],
  },
  rg: {
    operands: 'content',
    shortValue: 'efgtTmABCjMEr',
    longValue: ['regexp', 'file', 'glob', 'iglob', 'type', 'type-not', 'type-add', 'type-clear', 'max-count', 'after-context', 'before-context', 'context', 'threads', 'max-columns', 'max-depth', 'max-filesize', 'encoding', 'engine', 'ignore-file', 'colors', 'color', 'path-separator', 'sort', 'sortr', 'replace', 'context-separator', 'field-match-separator', 'field-context-separator', 'dfa-size-limit', 'regex-size-limit', 'pre', 'pre-glob', 'hostname-bin', 'hyperlink-format', 'max-columns-preview'],
    forbid: ['--pre', '--pre-glob', '--hostname-bin'],
    readsValue: ['-f', '--file', '--ignore-file'],
    recursive: 'always',
    followsLinks: ['-L', '--follow'],
    patternFirst: ['-e', '--regexp', '-f', '--file'],
  },
  ag: { operands: 'content', shortValue: 'ABCGgmp', longValue: ['after', 'before', 'context', 'file-search-regex', 'ignore', 'ignore-dir', 'max-count', 'path-to-ignore', 'pager', 'depth'], forbid: ['--pager'], readsValue: ['-p', '--path-to-ignore'], recursive: 'always', followsLinks: ['-f', '--follow'], patternFirst: [] },
  date: {
    operands: 'text',
    shortValue: 'dfrI',
    longValue: ['date', 'file', 'reference', 'iso-8601', 'rfc-3339', 'resolution'],
    forbid: ['-s', '--set'],
    readsValue: ['-f', '--file'],
    extra: (p) => (p.operands.some((o) => !o.text.startsWith('+')) ? 'date with an operand sets the clock' : undefined),
  },
  hostname: { operands: 'none', forbid: ['-F', '--file', '-b', '--boot'] },
  ps: {
    operands: 'text',
    shortValue: 'opCGgUutNkO',
    longValue: ['format', 'pid', 'ppid', 'sort', 'user', 'group', 'tty', 'cols', 'columns', 'rows', 'lines', 'width'],
    secret: (p) => (psShowsEnvironment(p) ? "ps e prints every process's environment, where claude keeps its token" : undefined),
  },
  printenv: {
    operands: 'text',
    secret: (p) =>
      p.operands.length === 0 ? "printenv prints the whole environment, where claude's token may be" : p.operands.find((o) => !o.exact || SECRET_VARIABLE.test(o.text)) && `printenv ${p.operands.map((o) => o.text).join(' ')} prints a variable that may hold a secret`,
  },
  printf: { operands: 'text', forbid: ['-v'] },
  test: { operands: 'metadata', extra: (p) => (p.options.some((o) => o.name === '-v') || p.operands.some((o) => o.text === '-v') ? 'test -v evaluates an array subscript' : undefined) },
  jobs: { operands: 'none', forbid: ['-x'] },
  hash: { operands: 'none', forbid: ['-p', '-d', '-r'] },
  ulimit: { operands: 'none', extra: (p) => (p.operands.length ? 'ulimit with a value changes a limit' : undefined) },
  umask: { operands: 'none', extra: (p) => (p.operands.length ? 'umask with a value changes the mask' : undefined) },
  // ip -batch FILE (-b, -batch=...) runs the commands in FILE, printing a line it cannot parse.
  ip: { operands: 'text', singleDashLong: true, readsValue: ['-b', '--batch'], forbid: ['-b', '--batch'], longValue: ['batch'], shortValue: 'b', extra: (p) => (p.operands.some((o) => !o.exact || /^(add|del|delete|change|replace|set|flush|append|prepend|exec|save|restore|attach|detach|up|down)$/.test(o.text)) ? 'ip with these arguments changes the network' : undefined) },
  mount: { operands: 'none', extra: (p) => (p.operands.length ? 'mount with operands mounts something' : undefined) },
  // ss -K closes the sockets it lists; -D dumps to a file; -F reads the filter from one.
  ss: { operands: 'text', shortValue: 'fADFN', longValue: ['family', 'query', 'diag', 'filter', 'net'], forbid: ['-K', '--kill', '-D', '--diag'], writesValue: ['-D', '--diag'], readsValue: ['-F', '--filter'] },
  // ifconfig IFACE shows it; anything more (up, down, an address) changes it.
  ifconfig: { operands: 'text', extra: (p) => (p.operands.length > 1 ? 'ifconfig with these arguments changes an interface' : undefined) },
  // last and who read a login-records file, named or as their operand.
  last: { operands: 'text', shortValue: 'fnstp', longValue: ['file', 'limit', 'since', 'until', 'present', 'time-format'], readsValue: ['-f', '--file'] },
  lastb: { operands: 'text', shortValue: 'fnstp', longValue: ['file', 'limit', 'since', 'until', 'present', 'time-format'], readsValue: ['-f', '--file'] },
  who: { operands: 'content' },
  users: { operands: 'content' },
  findmnt: { operands: 'text', shortValue: 'FdEwNOotSTMx', longValue: ['tab-file', 'direction', 'evaluate', 'timeout', 'task', 'options', 'output', 'types', 'source', 'target', 'mountpoint'], readsValue: ['-F', '--tab-file'] },
};

for (const verb of SIMPLE_READERS) SPECS[verb] ??= { operands: 'content' };
SPECS['['] = SPECS.test!;
for (const v of ['sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'b2sum', 'cksum', 'sum', 'shasum', 'md5']) SPECS[v] = { operands: 'content', shortValue: v === 'b2sum' ? 'l' : v === 'shasum' ? 'a' : '' };
for (const v of ['egrep', 'fgrep']) SPECS[v] = SPECS.grep!;

/** The reader table for `verb`, if it is one. */
export function readerTable(verb: string): Table | undefined {
  if (TEXT_PRINTERS.includes(verb)) return () => ok();
  if (INFO.includes(verb) && !SPECS[verb]) return () => ok();
  const spec = SPECS[verb];
  return spec && ((call) => read(spec, call));
}

function read(spec: ReaderSpec, call: Call): Use {
  const args = spec.singleDashLong ? call.args.map((a) => (a.exact && /^-[a-z]{2,}/.test(a.text) ? { ...a, text: `-${a.text}` } : a)) : call.args;
  const p = parseOptions(args, spec);
  if (p.unclear) return no(`${call.verb} has an argument only known at run time where an option could be`);
  const bad = spec.forbid && hasAny(p, spec.forbid);
  const written = spec.writesValue ? p.options.filter((o) => o.value && spec.writesValue!.includes(o.name)).map((o) => o.value!) : [];
  const valueReads: Arg[] = spec.readsValue ? p.options.filter((o) => o.value && hasAny({ ...p, options: [o] }, spec.readsValue!)).map((o) => o.value!) : [];
  if (bad) return { ...no(`${call.verb} ${bad.name} writes, runs a program or reaches out`), writes: written, reads: [...p.operands, ...valueReads] };
  const secret = spec.secret?.(p);
  if (secret) return { ...no(secret), denied: secret };
  const why = spec.extra?.(p, call);
  if (why) return no(why);
  if (spec.operands === 'none' && p.operands.length) return no(`${call.verb} with an operand changes something`);
  let operands = p.operands;
  if (spec.patternFirst && !hasAny(p, spec.patternFirst)) operands = operands.slice(1);
  if (spec.maxOperands !== undefined && operands.length > spec.maxOperands) return { ...no(`${call.verb} writes its last operand`), reads: operands.slice(0, spec.maxOperands), writes: operands.slice(spec.maxOperands) };
  // grep -d recurse is -r spelled another way.
  const recurse = p.options.some((o) => (o.name === '-d' || o.name === '--directories') && known(o.value) === 'recurse');
  const recursive = spec.recursive === 'always' || recurse || (spec.recursive && hasAny(p, spec.recursive));
  const use = ok(spec.operands === 'content' ? [...operands, ...valueReads] : valueReads);
  if (recursive) use.recursive = operands.length ? operands : [{ text: '.', exact: true, many: false }];
  if (recursive && spec.followsLinks && hasAny(p, spec.followsLinks)) use.notReadOnly = `${call.verb} follows symbolic links while it recurses`;
  return use;
}
