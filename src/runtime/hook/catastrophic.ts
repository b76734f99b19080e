/**
 * Commands that are denied outright, however they are spelled: deleting / or home, formatting or
 * overwriting a disk, fork bombs, recursive permission changes on the system, writes into /etc or
 * /boot, piping a download into a shell, reading the buddy's own secrets. Each returns the reason
 * Claude sees.
 */
import { posix } from 'node:path';
import { resolvePath, type Analysis, type SimpleCommand } from './commands.js';
import { hasOption } from './options.js';
import { FIND_ACTIONS } from './policy.js';
import { expandBraces, type Word } from './words.js';

export interface DenyContext {
  home: string;
  protectedPaths: readonly string[];
  hardDeny: readonly string[];
}

/** A command after unwrapping sudo/env/xargs/...: the program that really runs and its arguments. */
export interface Invocation {
  verb: string;
  args: Word[];
  cmd: SimpleCommand;
}

const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root', '/sbin', '/srv', '/sys', '/usr', '/var', '/home', '/Users', '/System', '/Library', '/Applications', '/private', '/snap', '/nix'];
const DISK_DEVICE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|mapper\/|loop|sr)/;
const FORMATTERS = /^(mkfs(\..+)?|mke2fs|mkswap|mkntfs|mkdosfs|mkfs_msdos|newfs(_.+)?|wipefs|mkisofs)$/;
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c', 'http', 'https', 'lwp-download', 'lynx']);
const INTERPRETERS = /^(sh|bash|dash|zsh|ksh|mksh|fish|csh|tcsh|ash|busybox|python[0-9.]*|perl|ruby|node|nodejs|bun|deno|php|lua|osascript|eval|source|\.)$/;

const values = (words: readonly Word[]) => words.map((w) => w.value ?? '');
const isRecursive = (args: string[]) => hasOption(args, { short: 'rR', long: ['recursive'] });

/** Paths a word may stand for: brace-expanded, ~ and the cwd resolved. Globs stay in the text. */
function pathsOf(word: Word, cwd: string | undefined, home: string): string[] {
  if (word.value === undefined) return [];
  return expandBraces(word.value).flatMap((v) => resolvePath(v, { ...(cwd !== undefined ? { cwd } : {}), home }) ?? []);
}

/** `/`, home, a parent of home, a top-level system directory, or Claude's own state: never rm -r these. */
function isCriticalTree(path: string, home: string): boolean {
  const base = path.replace(/\/\*$|\/\.$/, '') || '/';
  if (base === '/' || base === home || home.startsWith(`${base}/`)) return true;
  if (SYSTEM_DIRS.includes(base)) return true;
  return [posix.join(home, '.claude'), posix.join(home, '.claude', 'projects')].includes(base);
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const isSystemConfig = (path: string) => under(path, '/etc') || under(path, '/boot');

function rmDeny(inv: Invocation, home: string): string | undefined {
  const args = values(inv.args);
  if (args.includes('--no-preserve-root')) return 'rm --no-preserve-root can delete the whole system';
  if (!isRecursive(args)) return undefined;
  for (const word of inv.args) {
    if ((word.value ?? '-').startsWith('-') && word.value !== undefined) continue;
    // "$DIR"/ with DIR empty is rm -rf / (the classic): refuse a path that starts with an expansion and a slash.
    if (word.value === undefined && /^"?\$\{?\w+\}?"?\//.test(word.text)) {
      return `rm -r ${word.text}: if the variable is empty this deletes from /; use \${VAR:?} or a literal path`;
    }
    for (const path of pathsOf(word, inv.cmd.cwd, home)) {
      if (isCriticalTree(path, home)) return `rm -r of ${path} would delete ${path === home ? 'your home directory' : 'a system or state directory'}`;
    }
  }
  return undefined;
}

function permissionsDeny(inv: Invocation, home: string): string | undefined {
  const args = values(inv.args);
  const recursive = isRecursive(args);
  for (const word of inv.args.slice(1)) {
    for (const path of pathsOf(word, inv.cmd.cwd, home)) {
      if (path === '/' || (recursive && isCriticalTree(path, home))) return `${inv.verb} ${recursive ? '-R ' : ''}on ${path} changes the whole system`;
    }
  }
  return undefined;
}

/** Files a command writes to, as far as its arguments say. */
function writeTargets(inv: Invocation): Word[] {
  const args = inv.args;
  const vals = values(args);
  const files = args.filter((w) => !(w.value ?? '').startsWith('-'));
  switch (inv.verb) {
    case 'tee':
    case 'touch':
    case 'truncate':
    case 'mkdir':
    case 'rmdir':
    case 'rm':
    case 'unlink':
    case 'shred':
    case 'chmod':
    case 'chown':
    case 'chgrp':
    case 'mv':
      return files;
    case 'cp':
    case 'install':
    case 'ln':
    case 'rsync':
    case 'scp': {
      const t = vals.findIndex((v) => v === '-t' || v === '--target-directory');
      return t >= 0 && args[t + 1] ? [args[t + 1]!] : files.slice(-1);
    }
    case 'sed':
      return hasOption(vals, { short: 'i', long: ['in-place'] }) ? files.slice(1) : [];
    case 'dd':
      return args.filter((w) => (w.value ?? '').startsWith('of=')).map((w) => ({ ...w, value: w.value!.slice(3) }));
    default:
      return [];
  }
}

function writeDeny(target: Word, cwd: string | undefined, home: string, how: string): string | undefined {
  for (const path of pathsOf(target, cwd, home)) {
    if (DISK_DEVICE.test(path)) return `${how} ${path} overwrites a disk`;
    if (isSystemConfig(path)) return `${how} ${path} writes into ${path.startsWith('/boot') ? '/boot' : '/etc'}`;
  }
  return undefined;
}

/** Whether `path` (possibly a glob) names one of the protected files. */
function touchesProtected(word: Word, inv: Invocation | undefined, cwd: string | undefined, ctx: DenyContext): string | undefined {
  for (const path of pathsOf(word, cwd, ctx.home)) {
    const pattern = new RegExp(`^${path.split('*').map((p) => p.replace(/[.+^${}()|[\]\\?]/g, '\\$&')).join('[^/]*')}$`);
    const hit = ctx.protectedPaths.find((p) => p === path || (word.glob && pattern.test(p)) || (under(p, path) && inv && /^(grep|rg|ag|ack|tar|zip|cp|rsync|scp)$/.test(inv.verb)));
    if (hit) return hit;
  }
  return undefined;
}

export function invocationDeny(inv: Invocation, ctx: DenyContext): string | undefined {
  const { verb } = inv;
  const first = inv.args[0]?.value;
  const entry = ctx.hardDeny.find((d) => {
    const [name, sub] = d.split(/\s+/, 2);
    return name === verb && (sub === undefined || first === sub);
  });
  if (entry) return `"${entry}" is denied by this buddy's recipe (hook.hardDeny)`;
  if (FORMATTERS.test(verb)) return `${verb} formats a disk`;
  if (verb === 'rm') {
    const r = rmDeny(inv, ctx.home);
    if (r) return r;
  }
  if (verb === 'chmod' || verb === 'chown' || verb === 'chgrp') {
    const r = permissionsDeny(inv, ctx.home);
    if (r) return r;
  }
  if (verb === 'find' && values(inv.args).some((a) => FIND_ACTIONS.test(a))) {
    const vals = values(inv.args);
    const firstPrimary = vals.findIndex((v) => v.startsWith('-') || v === '(' || v === '!');
    const roots = firstPrimary < 0 ? vals : vals.slice(0, firstPrimary);
    if (roots.some((r) => isCriticalTree(resolvePath(r, { ...(inv.cmd.cwd !== undefined ? { cwd: inv.cmd.cwd } : {}), home: ctx.home }) ?? '', ctx.home))) {
      return `find ${roots.join(' ')} with -delete/-exec acts on a whole system or home tree`;
    }
  }
  if (verb === 'kill' || verb === 'pkill') {
    const v = values(inv.args);
    if (verb === 'kill' && v.includes('-1')) return 'kill -1 signals every process you own';
  }
  for (const target of writeTargets(inv)) {
    const r = writeDeny(target, inv.cmd.cwd, ctx.home, verb);
    if (r) return r;
  }
  for (const word of inv.args) {
    const hit = touchesProtected(word, inv, inv.cmd.cwd, ctx);
    if (hit) return `${hit} holds a secret of this buddy; it is never read or changed by a tool call`;
  }
  return undefined;
}

/** Deny reasons that need the whole line: redirections, pipelines, function definitions. */
export function lineDeny(analysis: Analysis, invocations: Invocation[], ctx: DenyContext): string | undefined {
  for (const r of analysis.redirects) {
    if (!r.target) continue;
    const writes = r.operator !== '<' && r.operator !== '<&' && r.operator !== '<<<';
    if (writes) {
      const reason = writeDeny(r.target, r.cwd, ctx.home, 'redirecting to');
      if (reason) return reason;
    }
    const hit = touchesProtected(r.target, undefined, r.cwd, ctx);
    if (hit) return `${hit} holds a secret of this buddy; it is never read or changed by a tool call`;
  }
  for (const f of analysis.functions) {
    if (f.calls.includes(f.name) && f.spawns) return `function ${f.name} calls itself in the background: a fork bomb`;
  }
  for (const stages of analysis.pipelines) {
    const download = stages.findIndex((s) => DOWNLOADERS.has(verbOf(s, invocations)));
    if (download >= 0 && stages.slice(download + 1).some((s) => INTERPRETERS.test(verbOf(s, invocations)))) {
      return 'piping a download into a shell or interpreter runs code nobody has read';
    }
  }
  // bash <(curl ...), sh -c "$(wget ...)", eval "$(curl ...)": the same thing without a pipe.
  for (const inv of invocations) {
    if (!INTERPRETERS.test(inv.verb)) continue;
    const start = inv.cmd.node.startIndex;
    const end = inv.cmd.node.endIndex;
    const inside = analysis.commands.some((c) => c !== inv.cmd && c.node.startIndex >= start && c.node.endIndex <= end && DOWNLOADERS.has(baseName(c.name?.value)));
    if (inside) return 'running a download through a shell or interpreter runs code nobody has read';
  }
  return undefined;
}

export const baseName = (value: string | undefined) => (value === undefined ? '' : posix.basename(value));

function verbOf(cmd: SimpleCommand, invocations: Invocation[]): string {
  // The innermost invocation of this command (after sudo/env/...) is what reads the pipe.
  const mine = invocations.filter((i) => i.cmd === cmd);
  return mine[mine.length - 1]?.verb ?? baseName(cmd.name?.value);
}
