/**
 * Commands that walk or pack files: find (its actions run commands, delete or write), tar and unzip
 * (read-only only when they list), and the file changers (rm, cp, mv, chmod...), whose targets the
 * catastrophic checks need.
 */
import type { Arg } from '../bash/expand.js';
import { hasAny, parseOptions } from '../options.js';
import { no, ok, type Call, type Table, type Use } from './types.js';

/** find primaries that take one value (so a value is never read as a primary). */
const FIND_VALUE = new Set(['-name', '-iname', '-path', '-ipath', '-wholename', '-iwholename', '-regex', '-iregex', '-type', '-xtype', '-size', '-perm', '-user', '-group', '-uid', '-gid', '-newer', '-anewer', '-cnewer', '-samefile', '-links', '-inum', '-mtime', '-atime', '-ctime', '-mmin', '-amin', '-cmin', '-used', '-maxdepth', '-mindepth', '-fstype', '-lname', '-ilname', '-printf', '-regextype', '-context', '-newerXY', '-files0-from']);
const FIND_WRITES = new Set(['-fprint', '-fprint0', '-fprintf', '-fls']);
const FIND_RUNS = new Set(['-exec', '-execdir', '-ok', '-okdir']);

function find(call: Call): Use {
  const args = call.args;
  const roots: Arg[] = [];
  let i = 0;
  // Options first (-H -L -P -D x -O n), then the starting points, then the expression.
  while (i < args.length && /^-[HLP]$|^-D$|^-O\d*$/.test(args[i]!.text)) i += args[i]!.text === '-D' ? 2 : 1;
  for (; i < args.length; i++) {
    const t = args[i]!.text;
    // `find . $ARGS`: a word only known at run time may be primaries (-delete, -exec) as well as a folder.
    if (!args[i]!.exact && (args[i]!.many || t.startsWith('\u0000'))) return no('find has an argument only known at run time where its expression could start');
    if (t.startsWith('-') || t === '(' || t === '!' || t === ',') break;
    roots.push(args[i]!);
  }
  const use: Use = ok();
  const runs: NonNullable<Use['runs']> = [];
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.exact) {
      // A word that may become several (a glob, $x) could turn into primaries such as -delete.
      if (a.many || a.text.startsWith('-') || a.text.startsWith('\u0000')) return { ...use, notReadOnly: 'find has an expression only known at run time' };
      continue;
    }
    if (FIND_VALUE.has(a.text)) {
      // -files0-from names a file of starting points: read (and printed in its errors).
      if (a.text === '-files0-from' && args[i + 1]) use.reads.push(args[i + 1]!);
      i++;
      continue;
    }
    if (a.text === '-delete') use.notReadOnly ??= 'find -delete deletes what it finds';
    if (FIND_WRITES.has(a.text)) {
      use.notReadOnly ??= `find ${a.text} writes a file`;
      if (args[i + 1]) use.writes.push(args[i + 1]!);
    }
    if (FIND_RUNS.has(a.text)) {
      const end = args.findIndex((x, j) => j > i && x.exact && (x.text === ';' || x.text === '+'));
      const inner = args.slice(i + 1, end < 0 ? args.length : end).map((x) => (x.exact && x.text.includes('{}') ? { text: x.text.replace(/\{\}/g, '\u0000'), exact: false, many: false } : x));
      if (inner.length) runs.push({ argv: inner, extraArgs: false, how: `find ${a.text}` });
      use.notReadOnly ??= `find ${a.text} runs a command on what it finds`;
      i = end < 0 ? args.length : end;
    }
  }
  use.walks = roots.length ? roots : [{ text: '.', exact: true, many: false }];
  // What it runs a command on is everything under its starting points: all of it may be read.
  if (runs.length) Object.assign(use, { runs, recursive: use.walks });
  return use;
}

/** tar options: letters in the old-style first word (`tvf`) and after a dash, with their values. */
const TAR_VALUE = 'fbCIKLNTVXgHF';
const TAR_LIST_OK = /^-[tfvzjJaZwRpqO]$|^--(list|file|verbose|gzip|gunzip|ungzip|bzip2|xz|zstd|lzma|lzip|lzop|auto-compress|exclude|wildcards|no-wildcards|wildcards-match-slash|anchored|no-anchored|ignore-case|numeric-owner|utc|full-time|totals|quiet|show-transformed-names|block-number|occurrence|exclude-vcs|no-recursion|recursion|null|verbatim-files-from|to-stdout|extract|get|directory)$/;

/** tar's options as getopt-style words (the old-style cluster `tvf x` becomes `-t -v -f x`). */
function tarWords(args: Arg[]): Arg[] {
  const first = args[0];
  if (!first || first.text.startsWith('-') || !first.exact) return args;
  const words: Arg[] = [];
  let next = 1;
  for (const c of first.text) {
    words.push({ text: `-${c}`, exact: true, many: false });
    if (TAR_VALUE.includes(c) && args[next]) words.push(args[next++]!);
  }
  return [...words, ...args.slice(next)];
}

function tar(call: Call): Use {
  const p = parseOptions(tarWords(call.args), { shortValue: TAR_VALUE, longValue: ['file', 'directory', 'exclude', 'use-compress-program', 'to-command', 'checkpoint-action', 'info-script', 'new-volume-script', 'rsh-command', 'rmt-command', 'index-file', 'volno-file', 'listed-incremental', 'files-from', 'exclude-from', 'label', 'format', 'transform', 'xform', 'owner', 'group', 'mode', 'mtime', 'newer', 'after-date', 'newer-mtime', 'suffix', 'backup', 'occurrence', 'blocking-factor', 'record-size', 'tape-length', 'strip-components', 'warning'] });
  if (p.unclear) return no('tar has an argument only known at run time where an option could be');
  const listing = hasAny(p, ['-t', '--list']);
  const extracting = hasAny(p, ['-x', '--extract', '--get']);
  const toStdout = hasAny(p, ['-O', '--to-stdout']);
  const dirs = p.options.filter((o) => (o.name === '-C' || o.name === '--directory') && o.value).map((o) => o.value!);
  const archive = p.options.filter((o) => (o.name === '-f' || o.name === '--file') && o.value).map((o) => o.value!);
  const use: Use = ok(archive);
  if (extracting && !toStdout) use.writes.push(...(dirs.length ? dirs : [{ text: '.', exact: true, many: false }]));
  if (hasAny(p, ['-c', '--create', '-r', '--append', '-u', '--update', '-A', '--catenate', '--concatenate', '--delete'])) {
    use.recursive = p.operands;
    use.writes.push(...archive);
    return { ...use, notReadOnly: 'tar writes an archive' };
  }
  if (extracting && hasAny(p, ['-P', '--absolute-names'])) use.writes.push({ text: '/', exact: true, many: false });
  const bad = p.options.find((o) => !TAR_LIST_OK.test(o.name));
  if (bad) return { ...use, notReadOnly: `tar ${bad.name} is not a listing option` };
  if (!(listing || (extracting && toStdout))) return { ...use, notReadOnly: 'tar extracts or writes' };
  return use;
}

function unzip(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'dxP' });
  const listing = hasAny(p, ['-l', '-v', '-t', '-Z', '-p', '-c', '-z']);
  const dir = p.options.find((o) => o.name === '-d')?.value;
  const use = ok(p.operands.slice(0, 1));
  if (!listing) use.writes.push(dir ?? { text: '.', exact: true, many: false });
  return listing && !p.options.some((o) => o.name === '-d') ? use : { ...use, notReadOnly: 'unzip extracts files' };
}

/** Operands of a command that changes files, and the folder it puts them in. */
function changer(verb: string): Table {
  const spec = {
    cp: { shortValue: 'tS', longValue: ['target-directory', 'suffix', 'backup', 'sparse', 'reflink', 'preserve', 'no-preserve', 'update'] },
    mv: { shortValue: 'tS', longValue: ['target-directory', 'suffix', 'backup', 'update'] },
    ln: { shortValue: 'tS', longValue: ['target-directory', 'suffix', 'backup'] },
    install: { shortValue: 'tSgmoC', longValue: ['target-directory', 'suffix', 'backup', 'group', 'mode', 'owner', 'context', 'strip-program'] },
    rsync: { shortValue: 'eBfT', longValue: ['rsh', 'rsync-path', 'filter', 'exclude', 'include', 'exclude-from', 'include-from', 'files-from', 'temp-dir', 'compare-dest', 'copy-dest', 'link-dest', 'backup-dir', 'suffix', 'chmod', 'chown', 'log-file', 'password-file', 'partial-dir', 'max-size', 'min-size', 'bwlimit', 'timeout', 'port'] },
    scp: { shortValue: 'cFiJloPSXDB' },
  }[verb] ?? {};
  return (call) => {
    const p = parseOptions(call.args, spec);
    const target = p.options.find((o) => o.name === '-t' || o.name === '--target-directory')?.value;
    const sources = target ? p.operands : p.operands.slice(0, -1);
    const dest = target ?? p.operands[p.operands.length - 1];
    const recursive = hasAny(p, ['-r', '-R', '--recursive', '-a', '--archive']) || verb === 'mv';
    const use: Use = { notReadOnly: `${verb} changes files`, reads: sources, writes: dest ? [dest] : [] };
    if (recursive) use.recursive = sources;
    if (verb === 'mv') use.writes.push(...sources);
    // The remote shell rsync and scp start is a command of this machine: rsync -e 'CMD', scp -S PROGRAM.
    const shell = p.options.filter((o) => (verb === 'rsync' && (o.name === '-e' || o.name === '--rsh')) || (verb === 'scp' && o.name === '-S'));
    for (const o of shell) if (o.value) (use.scripts ??= []).push({ text: o.value, how: `${verb} ${o.name}`, bash: false });
    if (verb === 'rsync' && dest && hasAny(p, ['--delete', '--delete-before', '--delete-during', '--delete-after', '--delete-delay', '--delete-excluded', '--remove-source-files'])) use.deletesIn = dest;
    return use;
  };
}

/** Commands whose every operand is a file they change. */
function alters(verb: string): Table {
  return (call) => {
    const p = parseOptions(call.args, { shortValue: verb === 'truncate' ? 'sr' : verb === 'shred' ? 'nsx' : verb === 'touch' ? 'drt' : verb === 'mkdir' ? 'mZ' : '', longValue: ['size', 'reference', 'date', 'mode', 'iterations', 'random-source', 'context'] });
    return { notReadOnly: `${verb} changes files`, reads: [], writes: p.operands };
  };
}

/** chmod / chown / chgrp: the first operand is the mode or owner, unless --reference gave it. */
function permissions(verb: string): Table {
  return (call) => {
    const p = parseOptions(call.args, { longValue: ['reference', 'from'] });
    const files = p.options.some((o) => o.name === '--reference') ? p.operands : p.operands.slice(1);
    const use: Use = { notReadOnly: `${verb} changes permissions`, reads: [], writes: files };
    if (hasAny(p, ['-R', '--recursive'])) use.recursive = files;
    return use;
  };
}

function rm(call: Call): Use {
  const p = parseOptions(call.args, { longFlags: ['recursive', 'force', 'no-preserve-root', 'preserve-root', 'one-file-system', 'interactive', 'dir', 'verbose'] });
  const use: Use = { notReadOnly: 'rm deletes files', reads: [], writes: p.operands };
  if (hasAny(p, ['-r', '-R', '--recursive'])) use.recursive = p.operands;
  if (hasAny(p, ['--no-preserve-root'])) use.destroys = 'rm --no-preserve-root can delete the whole system';
  return use;
}

function dd(call: Call): Use {
  const value = (k: string) => call.args.find((a) => a.text.startsWith(`${k}=`));
  const input = value('if');
  const output = value('of');
  const use: Use = { reads: input ? [{ ...input, text: input.text.slice(3) }] : [], writes: output ? [{ ...output, text: output.text.slice(3) }] : [] };
  return output ? { ...use, notReadOnly: 'dd writes a file' } : use;
}

/** zip ARCHIVE FILES...: reads the files (folders too, with -r), writes the archive. */
function zip(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'bnPt', longValue: ['temp-path', 'suffixes', 'password', 'exclude', 'include'] });
  const [archive, ...files] = p.operands;
  const use: Use = { notReadOnly: 'zip writes an archive', reads: files, writes: archive ? [archive] : [] };
  if (hasAny(p, ['-r', '--recurse-paths', '-R', '--recurse-patterns'])) use.recursive = files;
  return use;
}

export const FILE_TOOLS: Record<string, Table> = {
  find,
  zip,
  tar,
  gtar: tar,
  bsdtar: tar,
  unzip,
  zipinfo: (call) => ok(call.args.filter((a) => !a.text.startsWith('-'))),
  cp: changer('cp'),
  mv: changer('mv'),
  ln: changer('ln'),
  install: changer('install'),
  rsync: changer('rsync'),
  scp: changer('scp'),
  rm,
  unlink: alters('unlink'),
  rmdir: alters('rmdir'),
  touch: alters('touch'),
  truncate: alters('truncate'),
  shred: alters('shred'),
  mkdir: alters('mkdir'),
  tee: (call) => ({ notReadOnly: 'tee writes files', reads: [], writes: parseOptions(call.args, {}).operands }),
  sponge: (call) => ({ notReadOnly: 'sponge writes a file', reads: [], writes: call.args.filter((a) => !a.text.startsWith('-')) }),
  chmod: permissions('chmod'),
  chown: permissions('chown'),
  chgrp: permissions('chgrp'),
  chattr: permissions('chattr'),
  setfacl: permissions('setfacl'),
  dd,
};
