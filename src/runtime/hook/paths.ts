/**
 * Paths as the command will meet them, on the machine the hook runs on: resolved against the
 * directory the command runs in, globs expanded against the real filesystem, symlinks (and
 * /proc/self/root) followed with realpath. And the secrets no tool call may read: the buddy's own
 * token files and state, and the usual credential files of a developer's machine.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { userInfo } from 'node:os';
import { posix } from 'node:path';
import { UNKNOWN } from './bash/expand.js';
import type { Budget } from './budget.js';
import { compile, hasGlob, intersects, matchTokens } from './glob.js';
import { gitKeyRunsProgram } from './commands/git.js';
import { HOME_PROTECTED, PROJECT_SETTINGS } from '../shared/protectedFiles.js';
import { HOME_SECRETS, MAYBE_SECRETS } from '../shared/secretFiles.js';

/** `path` from `cwd`, normalised; an absolute `path` stands alone. */
export function resolveIn(cwd: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${cwd}/${path}`;
  const normal = posix.normalize(joined);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

/** Absolute patterns: every process's environment (claude's holds its token) and memory. */
const SYSTEM_SECRETS = ['/proc/*/environ', '/proc/*/task/*/environ', '/proc/*/mem', '/proc/*/task/*/mem'];

interface Pattern {
  text: string;
  tokens: ReturnType<typeof compile>;
  components: Array<ReturnType<typeof compile>>;
}

const patternOf = (text: string): Pattern => ({ text, tokens: compile(text), components: text.split('/').filter(Boolean).map(compile) });

export class Secrets {
  private readonly include: Pattern[];
  private readonly exclude: Pattern[];
  /** Device and inode of each secret file that exists here: a hard link to one is the same file. */
  private inodes?: Map<string, string>;
  /** MAYBE_SECRETS, compiled once: file names in any folder (and their exceptions), and folders under the home. */
  private readonly maybeNames: Array<ReturnType<typeof compile>>;
  private readonly maybeNotNames: Array<ReturnType<typeof compile>>;
  private readonly maybeFolders: string[];

  constructor(home: string, extra: readonly string[], files: FileView) {
    const abs = (p: string) => (p.startsWith('/') ? p : `${home}/${p}`);
    const all = [...HOME_SECRETS.map((p) => (p.startsWith('!') ? `!${abs(p.slice(1))}` : abs(p))), ...SYSTEM_SECRETS, ...extra];
    this.include = all.filter((p) => !p.startsWith('!')).map(patternOf);
    this.exclude = all.filter((p) => p.startsWith('!')).map((p) => patternOf(p.slice(1)));
    this.maybeNames = MAYBE_SECRETS.filter((p) => p.startsWith('**/')).map((p) => compile(p.slice(3)));
    this.maybeNotNames = MAYBE_SECRETS.filter((p) => p.startsWith('!**/')).map((p) => compile(p.slice(4)));
    this.maybeFolders = MAYBE_SECRETS.filter((p) => !p.includes('*') && !p.startsWith('!')).map((p) => abs(p));
    // A symlinked home or .claude folder: protect where the files really are too.
    for (const p of [...this.include]) {
      const real = files.real(p.text);
      if (real !== p.text) this.include.push(patternOf(real));
    }
  }

  /** The secret `path` is, or lies inside (a protected folder). */
  match(path: string): string | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const p of this.include) {
      if (p.components.length > parts.length) continue;
      if (!p.components.every((c, i) => matchTokens(c, parts[i]!))) continue;
      if (this.exclude.some((e) => matchTokens(e.tokens, path))) continue;
      return p.text;
    }
    return undefined;
  }

  /** Why `path` may hold a secret that the agent also has reasons to read (a project's .env, a transcript). */
  maybe(path: string): string | undefined {
    const name = posix.basename(path);
    if (this.maybeNames.some((t) => matchTokens(t, name)) && !this.maybeNotNames.some((t) => matchTokens(t, name))) return `${path}, an environment file`;
    if (this.maybeFolders.some((t) => path === t || path.startsWith(`${t}/`))) return `${path}, Claude Code's transcripts`;
    return undefined;
  }

  /** The secret that `path` is another name of (a hard link), if it exists. */
  sameFile(path: string): string | undefined {
    if (!this.inodes) {
      this.inodes = new Map();
      for (const p of this.include) {
        if (hasGlob(p.text)) continue;
        try {
          const st = statSync(p.text);
          if (st.isFile()) this.inodes.set(`${st.dev}:${st.ino}`, p.text);
        } catch {
          // not on this machine
        }
      }
    }
    if (!this.inodes.size) return undefined;
    try {
      const st = statSync(path);
      return st.isFile() ? this.inodes.get(`${st.dev}:${st.ino}`) : undefined;
    } catch {
      return undefined;
    }
  }

  /** A secret inside the folder `dir` (what reading the folder recursively would read). */
  inside(dir: string): string | undefined {
    const parts = dir.split('/').filter(Boolean);
    for (const p of this.include) {
      if (p.components.length <= parts.length) continue;
      if (parts.every((part, i) => matchTokens(p.components[i]!, part))) return p.text;
    }
    return undefined;
  }

  /**
   * A secret an absolute glob pattern names, or names something inside (a protected folder), whether
   * or not the file exists here. With `inside`, also a secret inside a folder the pattern names (what a
   * recursive read of it reaches).
   */
  named(pattern: string, inside = false): string | undefined {
    const parts = pattern.split('/').filter(Boolean).map(compile);
    return this.include.find((p) => {
      // A representative name for each component of the protected pattern (`*` read as any name).
      const names = p.text.replace(/[*?]/g, 'x').split('/').filter(Boolean);
      const n = Math.min(names.length, parts.length);
      if (!names.slice(0, n).every((name, i) => matchTokens(parts[i]!, name))) return false;
      if (parts.length < names.length) return inside;
      if (this.allExcepted(pattern)) return false;
      return parts.length > names.length || !this.exclude.some((e) => matchTokens(e.tokens, p.text.replace(/[*?]/g, 'x')));
    })?.text;
  }

  /**
   * Whether everything a pattern can match is an exception (`~/.ssh/*.pub`): its folder is the
   * exception's, and its name keeps the exception's literal end (`*.pub`) or start (`known_hosts*`).
   */
  private allExcepted(pattern: string): boolean {
    const dir = posix.dirname(pattern);
    const name = posix.basename(pattern);
    if (hasGlob(dir)) return false;
    return this.exclude.some((e) => {
      if (posix.dirname(e.text) !== dir) return false;
      const m = /^\*([^*?[\]]+)$|^([^*?[\]]+)\*$/.exec(posix.basename(e.text));
      return m !== null && (m[1] !== undefined ? name.endsWith(m[1]) && !/[/]/.test(name) : name.startsWith(m[2]!) && !hasGlob(m[2]!));
    });
  }

  /** A secret that `path`, with pieces only known at run time (UNKNOWN), could name. */
  could(path: string): string | undefined {
    // Past this length the walk would cost too much: such a path may be anything.
    if (path.length > 4096) return this.include[0]!.text;
    const tokens = compile(path.split(UNKNOWN).map(escape).join('*'));
    return this.include.find((p) => intersects(tokens, p.tokens))?.text;
  }
}

const escape = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/**
 * A path through a process's own view of the filesystem: /proc/PID/cwd, another process's
 * /proc/PID/root, /proc/PID/fd/N and /dev/fd/N past the standard three. Where it leads depends on the
 * process that opens it, which the hook is not, so only what comes after the link is known: returned
 * behind an UNKNOWN (see knownTail). Undefined for other paths.
 */
export function throughProcessLink(path: string): string | undefined {
  const stack: string[] = [];
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i]!;
    if (c === '' || c === '.') continue;
    if (c === '..') stack.pop();
    else stack.push(c);
    if (!isProcessLink(stack)) continue;
    return knownTail([UNKNOWN, ...parts.slice(i + 1).filter((x) => x !== '' && x !== '.')].join('/'));
  }
  return undefined;
}

/** A path with a part only known at run time and a `..` after it may lead anywhere: only what follows the last `..` is known. */
export function knownTail(path: string): string {
  const parts = path.split('/');
  const up = parts.lastIndexOf('..');
  if (up < 0 || !parts.slice(0, up).some((p) => p.includes(UNKNOWN))) return path;
  return [UNKNOWN, ...parts.slice(up + 1)].join('/');
}

const OWN = new Set(['self', 'thread-self']);
const STANDARD_FDS = new Set(['0', '1', '2']);

function isProcessLink(s: string[]): boolean {
  if (s[0] === 'dev') return s.length === 3 && s[1] === 'fd' && !STANDARD_FDS.has(s[2]!);
  if (s[0] !== 'proc') return false;
  // /proc/PID/task/TID/... names the same links as /proc/PID/...
  const [pid, link, fd] = s[2] === 'task' ? [s[1]!, s[4], s[5]] : [s[1]!, s[2], s[3]];
  const depth = s[2] === 'task' ? 5 : 3;
  if (link === 'cwd' || link === 'map_files') return s.length === depth;
  // The hook's root is the command's own, so /proc/self/root is followed like any link (realpath).
  if (link === 'root') return s.length === depth && !OWN.has(pid);
  if (link === 'fd') return s.length === depth + 1 && !(OWN.has(pid) && STANDARD_FDS.has(fd!));
  return false;
}

/** The files no tool call may write (shared/protectedFiles.ts), where they really are too. */
export class Protected {
  private readonly places: Array<{ path: string; why: string }>;
  /** The pattern of each place and everything under it: compiled once, when a pattern is first asked about (most calls never are). */
  private patterns?: Array<ReturnType<typeof compile>>;

  constructor(home: string, files: FileView) {
    this.places = HOME_PROTECTED.flatMap((g) => g.paths.map((p) => ({ path: `${home}/${p}`, why: g.why })));
    for (const p of [...this.places]) {
      const real = files.real(p.path);
      if (real !== p.path) this.places.push({ path: real, why: p.why });
    }
  }

  /** Why `path` may not be written, if it is one of them or inside one. */
  why(path: string): string | undefined {
    if (PROJECT_SETTINGS.test(path)) return "Claude Code's project settings (its permission rules and hooks)";
    return this.places.find((p) => path === p.path || path.startsWith(`${p.path}/`))?.why;
  }

  /** Why a pattern (absolute, with globs) may name a protected file. */
  named(pattern: string): string | undefined {
    return this.matching(compile(pattern));
  }

  /** Why a path with pieces only known at run time (UNKNOWN) could be a protected file. */
  could(path: string): string | undefined {
    return this.matching(compile(path.split(UNKNOWN).map(escape).join('*')));
  }

  private matching(tokens: ReturnType<typeof compile>): string | undefined {
    this.patterns ??= this.places.map((p) => compile(`${escape(p.path)}*`));
    return this.places.find((_, i) => intersects(tokens, this.patterns![i]!))?.why;
  }
}

/** Folders a search for a repository inside a tree looks into before it gives up. */
const GIT_WALK_FOLDERS = 2000;

/** The filesystem as the command will find it, every call paid for from the budget. */
export class FileView {
  /**
   * realpath of each folder and file asked about that exists (undefined otherwise), for this call: the
   * tables of secrets and protected files share their folders, and a failed realpath costs an exception.
   */
  private readonly realPaths = new Map<string, string | undefined>();

  constructor(private readonly budget: Budget) {}

  /** Where `path` really leads (symlinks and /proc/self/root followed), as far as it exists: the longest prefix that exists, made real, plus the rest. */
  real(path: string): string {
    this.budget.spend(64, 'paths');
    const parts = path.split('/');
    for (let n = parts.length; n > 1; n--) {
      const head = parts.slice(0, n).join('/') || '/';
      if (hasGlob(head)) continue;
      const real = this.realPath(head);
      if (real !== undefined) return [real === '/' ? '' : real, ...parts.slice(n)].join('/');
    }
    return path;
  }

  private realPath(path: string): string | undefined {
    if (!this.realPaths.has(path)) {
      let real: string | undefined;
      try {
        real = existsSync(path) ? realpathSync(path) : undefined;
      } catch {
        // a loop of links, or no permission
      }
      this.realPaths.set(path, real);
    }
    return this.realPaths.get(path);
  }

  /**
   * Whether the configuration of the git repository holding `dir` names a program git would run for
   * a reading command (fsmonitor, a pager, textconv or diff drivers, filters, a man viewer, an alias
   * running a shell) or includes another file. A repository that arrived as a download may carry any
   * of them. The repository is found as git finds it (an empty or broken .git folder is passed by; a
   * .git file leads to its folder; a linked worktree's common folder holds the configuration), and
   * every file git reads there is read: config and config.worktree, in both folders.
   */
  gitConfigRunsPrograms(dir: string): string | undefined {
    const repo = this.repository(dir);
    if (!repo) return undefined;
    for (const folder of new Set([repo.gitDir, repo.commonDir])) {
      for (const name of ['config', 'config.worktree']) {
        const file = posix.join(folder, name);
        let text: string;
        try {
          text = readFileSync(file, 'utf8').slice(0, 1 << 20);
        } catch {
          continue;
        }
        this.budget.spend(text.length, 'characters');
        for (const { key, value } of gitConfigEntries(text)) {
          if (/^include(if\..*)?\.path$/.test(key)) return `${file} includes ${value}, configuration nobody here has read`;
          if (gitKeyRunsProgram(key, value)) return `${file} sets ${key}, a program git would run`;
        }
      }
    }
    return undefined;
  }

  /** The repository git would work in from `dir`: its own folder and the common one. */
  private repository(dir: string): { gitDir: string; commonDir: string } | undefined {
    for (let d = dir, i = 0; i < 64; i++, d = posix.dirname(d)) {
      this.budget.spend(32, 'paths');
      const dotGit = posix.join(d, '.git');
      let gitDir: string | undefined;
      try {
        if (statSync(dotGit).isFile()) {
          const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
          if (m) gitDir = posix.resolve(d, m[1]!.trim());
        } else if (isGitDir(dotGit)) gitDir = dotGit;
      } catch {
        // no .git here
      }
      // The folder itself may be a repository (bare, or inside .git), which git also finds.
      gitDir ??= isGitDir(d) ? d : undefined;
      if (gitDir) {
        let commonDir = gitDir;
        try {
          commonDir = posix.resolve(gitDir, readFileSync(posix.join(gitDir, 'commondir'), 'utf8').trim());
        } catch {
          // not a linked worktree
        }
        return { gitDir, commonDir };
      }
      if (d === '/') return undefined;
    }
    return undefined;
  }

  /**
   * The git history `path` is, lies in, or holds: a `.git` on the way, or one in the tree below (a
   * repository's top, or a repository nested deeper). Deleting or moving it loses what no command in the
   * sandbox can restore. The walk below stops after a bounded number of folders (node_modules is big):
   * what it did not reach is not reported.
   */
  gitHistory(path: string): string | undefined {
    const parts = path.split('/');
    const at = parts.indexOf('.git');
    if (at > 0) return parts.slice(0, at + 1).join('/');
    const queue = [path];
    for (let seen = 0; queue.length && seen < GIT_WALK_FOLDERS; seen++) {
      const dir = queue.shift()!;
      this.budget.spend(16, 'paths');
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (e.name === '.git') return posix.join(dir, '.git');
        if (e.isDirectory()) queue.push(posix.join(dir, e.name));
      }
    }
    return undefined;
  }

  isDir(path: string): boolean {
    this.budget.spend(16, 'paths');
    try {
      return lstatSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * Files an absolute pattern matches now, the permissive way (dot files, any case, `**` at any
   * depth). `complete` is false when the walk hit its budget.
   */
  glob(pattern: string, limit = 2000): { paths: string[]; complete: boolean } {
    const components = pattern.split('/').filter(Boolean);
    let current = ['/'];
    let complete = true;
    for (const [i, comp] of components.entries()) {
      const next: string[] = [];
      if (!hasGlob(comp)) {
        const literal = comp.replace(/\\(.)/g, '$1');
        for (const dir of current) next.push(posix.join(dir, literal));
      } else {
        const tokens = compile(comp);
        const recursive = comp === '**';
        for (const dir of current) {
          for (const entry of this.list(dir, recursive, limit)) {
            if (recursive || matchTokens(tokens, entry.slice(dir === '/' ? 1 : dir.length + 1))) next.push(entry);
            if (next.length > limit) {
              complete = false;
              break;
            }
          }
        }
        if (recursive && i === components.length - 1) next.push(...current);
      }
      current = next;
      if (!complete || !current.length) break;
    }
    return { paths: current, complete };
  }

  private list(dir: string, recursive: boolean, limit: number): string[] {
    const out: string[] = [];
    const walk = (d: string, depth: number) => {
      if (out.length > limit) return;
      this.budget.spend(32, 'directory entries');
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const name of names) {
        this.budget.spend(1, 'directory entries');
        const full = d === '/' ? `/${name}` : `${d}/${name}`;
        out.push(full);
        if (recursive && depth < 16 && this.isDir(full)) walk(full, depth + 1);
      }
    };
    walk(dir, 0);
    return out;
  }
}

/** A folder git takes for a repository: HEAD, and objects and refs (here or through commondir). */
function isGitDir(dir: string): boolean {
  return existsSync(posix.join(dir, 'HEAD')) && (existsSync(posix.join(dir, 'commondir')) || (existsSync(posix.join(dir, 'objects')) && existsSync(posix.join(dir, 'refs'))));
}

/**
 * A git configuration file's entries as git reads them: `[section "sub"]` or `[section.sub]` headers,
 * a key on the header's own line, `;` and `#` comments outside quotes, lines continued with `\`.
 * Keys come back as `section.sub.name` with section and name lowercased.
 */
function gitConfigEntries(text: string): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  let section = '';
  for (const raw of text.replace(/\\\r?\n/g, '').split('\n')) {
    let line = raw.trim();
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (header) {
      const [name, ...dotted] = header[1]!.split('.');
      section = [name!.toLowerCase(), ...(header[2] !== undefined ? [header[2].replace(/\\(.)/g, '$1')] : dotted.length ? [dotted.join('.').toLowerCase()] : [])].join('.');
      line = line.slice(header[0].length).trim();
    }
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!entry || !section) continue;
    const value = (entry[2] ?? 'true').replace(/\s[;#].*$/, '').replace(/^"(.*)"$/, '$1');
    out.push({ key: `${section}.${entry[1]!.toLowerCase()}`, value });
  }
  return out;
}

/** `~user`: from /etc/passwd, or the current user's own home (macOS keeps users elsewhere). */
export function userHomes(home: string): (user: string) => string | undefined {
  let table: Map<string, string> | undefined;
  return (user) => {
    if (!table) {
      table = new Map();
      try {
        for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
          const f = line.split(':');
          if (f.length >= 6 && f[0]) table.set(f[0], f[5]!);
        }
      } catch {
        // no passwd file: only the current user is known
      }
      try {
        table.set(userInfo().username, home);
      } catch {
        // no user name for this uid
      }
    }
    return table.get(user);
  };
}
