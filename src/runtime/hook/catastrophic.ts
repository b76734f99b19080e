/**
 * What counts as catastrophic, whoever asks for it: the trees that must never be deleted or have their
 * permissions changed wholesale, the files whose overwriting breaks the machine (disks, system
 * configuration, the kernel's control files), the commands that feed unread text to a shell, and
 * interpreter one-liners whose literal code deletes home, forks forever or opens a remote shell.
 */
import { posix } from 'node:path';
import type { Arg } from './bash/expand.js';

const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root', '/sbin', '/srv', '/sys', '/usr', '/var', '/home', '/Users', '/System', '/Library', '/Applications', '/private', '/snap', '/nix', '/usr/local', '/var/lib', '/var/log'];

/** `/`, home, a parent of home, a top-level system directory, Claude's own state. */
export function isCriticalTree(path: string, home: string): boolean {
  let end = path.length;
  if (path[end - 1] === '*') end--;
  while (end > 0 && path[end - 1] === '/') end--;
  const base = path.slice(0, end) || '/';
  if (base === '/' || base === home || home.startsWith(`${base}/`)) return true;
  if (SYSTEM_DIRS.includes(base)) return true;
  return [posix.join(home, '.claude'), posix.join(home, '.claude', 'projects'), posix.join(home, '.config'), posix.join(home, '.ssh'), posix.join(home, '.local')].includes(base);
}

/** A glob that spreads over everything in a critical tree (`/*`, `~/.*`, `/**`). */
export function globCoversCriticalTree(pattern: string, home: string): boolean {
  const slash = pattern.lastIndexOf('/');
  const dir = pattern.slice(0, Math.max(slash, 0)) || '/';
  const last = pattern.slice(slash + 1);
  return /^[.]?\*+$|^\*\*$|^\?\*$|^\.\?\*$|^\[[^\]]*\]\*$/.test(last) && isCriticalTree(dir.replace(/\/\*\*$/, ''), home);
}

const SAFE_DEVICES = /^\/dev\/(null|zero|full|random|urandom|stdin|stdout|stderr|tty|ptmx|fd\/\d+|pts\/\d+|shm(\/.*)?|mqueue(\/.*)?|tcp\/.*|udp\/.*)$/;

/** What writing to `path` would break, if anything. */
export function dangerousWrite(path: string): string | undefined {
  if (path.startsWith('/dev/') && !SAFE_DEVICES.test(path)) return `${path} is a device: writing to it overwrites a disk or a kernel interface`;
  if (/^\/(etc|boot)(\/|$)/.test(path)) return `${path} is system configuration`;
  if (/^\/var\/spool\/cron(\/|$)|^\/var\/at(\/|$)/.test(path)) return `${path} schedules commands for the system`;
  if (/^\/proc\/(sysrq-trigger|sys(\/|$))|^\/sys(\/|$)/.test(path)) return `${path} controls the kernel`;
  if (/^\/(System|Library\/(LaunchDaemons|LaunchAgents|StartupItems))(\/|$)/.test(path)) return `${path} starts programs as the system`;
  return undefined;
}

/** Downloaders: their output is text nobody read. */
export const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c', 'http', 'https', 'xh', 'lwp-download', 'lynx', 'links', 'w3m', 'ftp', 'tftp', 'scp', 'sftp', 'rsync']);
/** Decoders: text that goes through them into a shell was hidden on purpose. */
export const DECODERS = /^(base64|base32|basenc|xxd|uudecode|openssl|gunzip|gzip|zcat|bzip2|bunzip2|bzcat|xz|unxz|xzcat|zstd|unzstd|zstdcat|rev|tr|od|perl|python3?|ruby|node|printf)$/;
/** Network readers: a shell fed from them is a remote shell. */
export const NETWORK_READERS = new Set(['nc', 'ncat', 'netcat', 'socat', 'telnet', 'openssl', 'ssh', 'curl', 'wget']);

/** Calls that run shell text, in the usual scripting languages. */
const RUNS_SHELL = /\b(system|popen|exec[lv]?p?e?|execSync|execFileSync|spawn|spawnSync|execFile|check_output|check_call|getoutput|getstatusoutput|Popen|run|call|shell_exec|passthru|proc_open|pcntl_exec|do\s+shell\s+script|IO\.popen|Open3|%x|qx|execute)\b|`/;
/** Calls that delete trees. */
const DELETES_TREE = /\b(rmtree|rmSync|rm_rf|rm_r|remove_tree|rmdirSync|removedirs|rimraf|deleteRecursively|FileUtils\.rm|shutil\.rmtree|fs\.rm\b|unlinkSync)\b/;
/** Expressions that mean the home folder or the root. */
const HOME_OR_ROOT = /(["'`])(\/|~|~\/|\/home|\/Users|\/root|\/etc|\/usr|\/\*)\1|expanduser\(\s*["']~["']\s*\)|Path\.home\(\)|os\.homedir\(\)|homedir\(\)|Dir\.home|ENV\[["']HOME["']\]|\$ENV\{HOME\}|os\.environ\[["']HOME["']\]|os\.getenv\(["']HOME["']\)|getenv\(["']HOME["']\)|process\.env\.HOME/;
const FORKS = /\bfork\b|os\.fork|Process\.fork|child_process|spawn/;
const ENDLESS = /while\s*\(?\s*(true|1|True)\s*\)?|for\s*\(\s*;\s*;\s*\)|\bloop\s*(do|\{)|\bwhile\s*:|fork\s+while\s+fork|fork\s+for\b|fork\s+until\b|while\s+fork|1\s+while\b/;
const SOCKETS = /\bsocket\b|Socket|fsockopen|TCPSocket|net\.connect|net\.Socket|createConnection|\/dev\/tcp|\/inet\//;
const SHELLS = /\/bin\/(ba|da|z)?sh|\bpty\.spawn|os\.dup2|dup2|\bexec\b|cmd\.exe|sh\s+-i|proc_open|IO\.popen|io\.popen|os\.execute|spawn\(|subprocess/;

export interface CodeVerdict {
  /** Shell text the code runs (string literals of a code that runs shell commands). */
  shellTexts: string[];
  deny?: string;
}

/** Heuristics over interpreter code: what it runs, and the catastrophic patterns in it. */
export function judgeCode(code: string, lang: string, home: string): CodeVerdict {
  const verdict: CodeVerdict = { shellTexts: [] };
  if (lang === 'awk') {
    if (/\/inet\d?\//.test(code) && /\|&/.test(code)) verdict.deny = 'the awk program talks to the network and runs commands: a remote shell';
    for (const m of code.matchAll(/\bsystem\s*\(\s*"((?:[^"\\]|\\.)*)"/g)) verdict.shellTexts.push(m[1]!.replace(/\\(.)/g, '$1'));
    for (const m of code.matchAll(/"((?:[^"\\]|\\.)*)"\s*\|\s*getline|\|\s*"((?:[^"\\]|\\.)*)"/g)) verdict.shellTexts.push((m[1] ?? m[2]!).replace(/\\(.)/g, '$1'));
    return verdict;
  }
  if (RUNS_SHELL.test(code)) {
    for (const m of code.matchAll(/(["'`])((?:(?!\1)[^\\]|\\.)*)\1/g)) verdict.shellTexts.push(m[2]!.replace(/\\(.)/g, '$1'));
    // List forms: subprocess.run(['rm', '-rf', '/home/ada']), spawn('rm', ['-rf', ...]).
    for (const m of code.matchAll(/\[([^\][]*)\]/g)) {
      const items = [...m[1]!.matchAll(/(["'])((?:(?!\1)[^\\]|\\.)*)\1/g)].map((x) => x[2]!);
      if (items.length > 1) verdict.shellTexts.push(items.map((x) => `'${x.replace(/'/g, "'\\''")}'`).join(' '));
    }
    for (const m of code.matchAll(/(["'])([\w./-]+)\1\s*,\s*\[([^\]]*)\]/g)) {
      const items = [...m[3]!.matchAll(/(["'])((?:(?!\1)[^\\]|\\.)*)\1/g)].map((x) => x[2]!);
      verdict.shellTexts.push([m[2]!, ...items].map((x) => `'${x.replace(/'/g, "'\\''")}'`).join(' '));
    }
  }
  const critical = [...code.matchAll(/(["'`])([^"'`\n]{1,200})\1/g)].some((m) => m[2]!.startsWith('/') && isCriticalTree(m[2]!.replace(/\/+$/, '') || '/', home));
  if (DELETES_TREE.test(code) && (HOME_OR_ROOT.test(code) || critical)) verdict.deny = `the ${lang} code deletes the home folder or the system`;
  else if (FORKS.test(code) && ENDLESS.test(code)) verdict.deny = `the ${lang} code forks in an endless loop: a fork bomb`;
  else if (SOCKETS.test(code) && SHELLS.test(code)) verdict.deny = `the ${lang} code joins a shell to a network connection: a remote shell`;
  return verdict;
}

/** Environment variables whose value is a command some program runs. */
const COMMAND_VARIABLES = /^(PAGER|GIT_PAGER|MANPAGER|SYSTEMD_PAGER|EDITOR|VISUAL|GIT_EDITOR|GIT_SEQUENCE_EDITOR|GIT_SSH_COMMAND|GIT_SSH|GIT_EXTERNAL_DIFF|GIT_ASKPASS|SSH_ASKPASS|SUDO_ASKPASS|BROWSER|PROMPT_COMMAND|LESSOPEN|LESSCLOSE|FCEDIT|TERMINAL)$/;
/** Prompts: shown, not run, but each `$(...)` in them runs whenever they are (PS4 under set -x). */
const PROMPT_VARIABLES = /^PS[0-4]$/;

/** The shell text a variable's value becomes, when a program or the shell runs it. */
export function variableScript(name: string, value: Arg): Arg | undefined {
  if (COMMAND_VARIABLES.test(name)) return value;
  // As the words of `:`, the text runs only the substitutions in it.
  if (PROMPT_VARIABLES.test(name)) return { ...value, text: `: ${value.text}` };
  return undefined;
}
