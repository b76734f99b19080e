/**
 * The real bash as the judge of what a line runs. A line is run the way Claude Code runs it
 * (`shopt -u extglob; eval '<line>' < /dev/null`) by the machine's bash, inside a sandbox where nothing
 * but bash exists: a chroot holding only the bash binary and its libraries, as user nobody, with no
 * network and a PID namespace of its own, limits on processes, memory and time. Every command that is
 * not a builtin or a function is "not found" there, and bash's command_not_found_handle answers for it
 * with a chosen exit status, so both branches of `a && b` can be explored. What bash did is read from
 * its own xtrace (`set -x`), which prints each command after expansion, exactly as it runs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export const SANDBOX_HOME = '/home/ada';
export const SANDBOX_CWD = '/home/ada/work';

export interface TraceEntry {
  /** Nesting level bash printed ($(...) and eval go one deeper). */
  level: number;
  /** The directory the command ran in. */
  cwd: string;
  words: string[];
}

export interface BashRun {
  entries: TraceEntry[];
  /** The run was stopped (time, processes): what it printed so far is still a valid lower bound. */
  stopped: boolean;
  /** bash refused (part of) the line as a syntax error. */
  syntaxError: boolean;
  /** Files the line created or changed in the sandbox (home, /tmp). */
  written: string[];
}

const BASH = '/usr/bin/bash';
/** What bash's parser (not a failing expansion at run time) says about a line it refuses. */
const PARSE_ERROR = /syntax error near unexpected token|unexpected EOF while looking for matching|syntax error: unexpected end of file|conditional binary operator expected|unexpected argument .* to conditional|unexpected token .* in conditional command|syntax error in conditional expression/;
const NOBODY = 65534;

/** Builds the chroot once per process. */
export class BashSandbox {
  readonly root: string;

  constructor() {
    if (process.getuid?.() !== 0) throw new Error('the bash oracle needs root (chroot, namespaces)');
    this.root = mkdtempSync(join(tmpdir(), 'buddy-bash-oracle-'));
    chmodSync(this.root, 0o755);
    const libs = spawnSync('ldd', [BASH], { encoding: 'utf8' }).stdout.match(/\/\S+/g) ?? [];
    for (const file of [BASH, ...libs]) {
      const to = join(this.root, file);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(file, to);
      chmodSync(to, 0o755);
    }
    // bash found as /bin/bash too (what `$BASH` and a script's #! would name).
    mkdirSync(join(this.root, 'bin'), { recursive: true });
    copyFileSync(BASH, join(this.root, 'bin', 'bash'));
    chmodSync(join(this.root, 'bin', 'bash'), 0o755);
    for (const dir of ['tmp', 'dev', 'etc', SANDBOX_CWD]) mkdirSync(join(this.root, dir), { recursive: true });
    // The users the hook knows (this machine's, the current one at the sandbox home), so `~user`
    // means the same to both.
    const me = userInfo().username;
    const users = readFileSync('/etc/passwd', 'utf8').split('\n').filter(Boolean).map((l) => {
      const f = l.split(':');
      if (f[0] === me) f[5] = SANDBOX_HOME;
      return f.join(':');
    });
    writeFileSync(join(this.root, 'etc', 'passwd'), `${users.join('\n')}\n`);
    writeFileSync(join(this.root, 'etc', 'nsswitch.conf'), 'passwd: files\n');
    chmodSync(join(this.root, 'tmp'), 0o1777);
    spawnSync('mknod', ['-m', '666', join(this.root, 'dev', 'null'), 'c', '1', '3']);
    spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, join(this.root, 'home')]);
  }

  /** Runs `line` once; `status` is what every command that is not found returns. */
  run(line: string, status: 0 | 1): BashRun {
    // A fresh home and /tmp for every run, so what the line writes is what is there afterwards.
    for (const dir of ['tmp', 'home']) rmSync(join(this.root, dir), { recursive: true, force: true });
    mkdirSync(join(this.root, SANDBOX_CWD), { recursive: true });
    mkdirSync(join(this.root, 'tmp'));
    chmodSync(join(this.root, 'tmp'), 0o1777);
    for (const dir of ['/home', SANDBOX_HOME, SANDBOX_CWD]) chownSync(join(this.root, dir), NOBODY, NOBODY);
    const trace = join(this.root, 'tmp', 'xtrace');
    writeFileSync(trace, '');
    chmodSync(trace, 0o666);
    // The handler's own `return N` shows in the trace; the reader drops exactly those lines.
    const wrapper = [
      'PATH=/nonexistent',
      `command_not_found_handle() { return ${status}; }`,
      'exec 7>>/tmp/xtrace',
      'BASH_XTRACEFD=7',
      // A separator byte starts every entry (so a newline in a word never looks like a new one), then
      // the directory the command runs in.
      "PS4=$'\\x1e+${PWD}\\x1f '",
      'cd ' + SANDBOX_CWD,
      'shopt -u extglob 2>/dev/null || true',
      'set -x',
      'eval "$LINE" < /dev/null',
    ].join('\n');
    const r = spawnSync(
      '/usr/bin/timeout',
      ['-s', 'KILL', '4', '/usr/bin/prlimit', '--nproc=64', '--as=1073741824', '--fsize=1048576', '/usr/bin/unshare', '--net', '--pid', '--kill-child', '/usr/sbin/chroot', `--userspec=${NOBODY}:${NOBODY}`, this.root, '/bin/bash', '-c', wrapper],
      { env: { LINE: line, PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: SANDBOX_HOME, LANG: 'C.UTF-8' }, encoding: 'buffer', timeout: 8000 },
    );
    const text = existsSync(trace) ? readFileSync(trace) : Buffer.alloc(0);
    const stderr = r.stderr?.toString('utf8') ?? '';
    const written = listFiles(join(this.root, 'home')).concat(listFiles(join(this.root, 'tmp')).filter((f) => !f.endsWith('/tmp/xtrace')));
    return {
      written: written.map((f) => f.slice(this.root.length)).filter((f) => f !== SANDBOX_CWD && f !== SANDBOX_HOME && f !== '/home'),
      entries: readTrace(text.toString('latin1'), status),
      stopped: r.status === null || r.status === 137,
      syntaxError: PARSE_ERROR.test(stderr),
    };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * xtrace output to words. Each entry starts with PS4 ('+ ', its '+' repeated per level); a word is
 * printed bare, in single quotes (with '\'' for a quote) when it holds shell metacharacters, or as
 * $'...' when it holds unprintable bytes. Bytes come in as latin1 and go out as UTF-8 text.
 */
export function readTrace(text: string, status: number): TraceEntry[] {
  const entries: TraceEntry[] = [];
  for (const raw of text.split(/\n(?=\x1e)/)) {
    const entry = readEntry(raw.replace(/\n$/, ''), status);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** One entry: PS4 (the separator repeated per level, '+', the directory, 0x1f, ' ') and its words. */
function readEntry(text: string, status: number): TraceEntry | undefined {
  let i = 0;
  let level = 0;
  while (text[i] === '\x1e') {
    level++;
    i++;
  }
  let cwd = '';
  if (text[i] === '+') {
    const end = text.indexOf('\x1f', i);
    cwd = text.slice(i + 1, end);
    i = end + 2;
  }
  // for/select/case headers print their words unquoted: not commands, and not to be split.
  if (/^(for|select|case) /.test(text.slice(i))) return { level, cwd, words: [text.slice(i).split(' ')[0]!] };
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (; i < text.length; ) {
    const c = text[i]!;
    if (c === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word += text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '$' && text[i + 1] === "'") {
      let j = i + 2;
      let body = '';
      while (j < text.length && text[j] !== "'") {
        if (text[j] === '\\') body += text[j++];
        body += text[j++] ?? '';
      }
      word += decodeAnsi(body);
      i = j + 1;
    } else if (c === '\\' && text[i + 1] === "'") {
      word += "'";
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  const utf8 = words.map((w) => Buffer.from(w, 'latin1').toString('utf8'));
  if (utf8.length === 2 && utf8[0] === 'return' && utf8[1] === String(status)) return undefined;
  return utf8.length ? { level, cwd, words: utf8 } : undefined;
}

/** Every file and folder under `dir`. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The escapes bash's ansic_quote writes. */
function decodeAnsi(body: string): string {
  const simple: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'" };
  return body.replace(/\\([0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/gs, (_m, e: string) => {
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return simple[e] ?? `\\${e}`;
  });
}

/** Entries for keywords and assignments, which are not commands. */
/**
 * `a=(...)` / `a+=(...)`: bash traces an array assignment as its source text, unexpanded (the
 * expansions in it show as entries of their own), so its words are not a command's.
 */
export const isArrayAssignment = (e: TraceEntry): boolean => /^[A-Za-z_][A-Za-z0-9_]*\+?=\(/.test(e.words[0]!);

export function isCommandEntry(e: TraceEntry): boolean {
  const first = e.words[0]!;
  if (['for', 'case', 'select', '[[', '(('].includes(first) || isArrayAssignment(e)) return false;
  if (e.words.length === 1 && /^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\+?=/s.test(first)) return false;
  return true;
}
