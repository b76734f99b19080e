/**
 * Commands that run another command: what they run (peeled off layer by layer, so `sudo env nice rm`
 * is judged as rm), and what they add themselves (another user, a lock file, nohup.out, a changed
 * environment). A wrapper whose inner command cannot be found is not read-only.
 */
import type { Arg } from '../bash/expand.js';
import { hasAny, parseOptions, type OptionSpec } from '../options.js';
import { known } from './types.js';

export interface Unwrapped {
  /** The inner command's argv. */
  inner?: Arg[];
  /** It gets more arguments, only known at run time (xargs). */
  extraArgs?: boolean;
  /** Shell text it runs instead (`sudo -s cmd`, `watch 'cmd'`, `su -c cmd`). */
  script?: Arg;
  /** Variables it sets for the inner command (`env A=1 cmd`). */
  env?: Array<{ name: string; value: Arg }>;
  /** Why the wrapper itself is not read-only. */
  notReadOnly?: string;
  /** Why nobody can tell what it runs. */
  opaque?: string;
  /** Files it reads (xargs -a) or writes (script's log, time -o, strace -o). */
  reads?: Arg[];
  writes?: Arg[];
}

interface WrapperSpec extends OptionSpec {
  /** Options that make the wrapper not read-only, and why. */
  unsafe?: readonly string[];
  why?: string;
  /** Not read-only whatever its options. */
  always?: string;
  /** Options whose value is shell text it runs. */
  scriptOption?: readonly string[];
  /** Operands before the command (timeout's duration, chroot's root, flock's file, taskset's mask). */
  skip?: number;
  /** Options whose value is a file it writes. */
  writesValue?: readonly string[];
  /** With no command it does something else (prints, opens a shell). */
  alone?: string;
}

const SPECS: Record<string, WrapperSpec> = {
  sudo: { shortValue: 'ugCDpUrtTRh', longValue: ['user', 'group', 'close-from', 'chdir', 'host', 'prompt', 'role', 'type', 'other-user', 'command-timeout', 'chroot'], stopAtOperand: true, always: 'sudo runs the command as another user', alone: 'sudo without a command' },
  doas: { shortValue: 'uC', stopAtOperand: true, always: 'doas runs the command as another user', alone: 'doas without a command' },
  pkexec: { longValue: ['user'], stopAtOperand: true, always: 'pkexec runs the command as another user', alone: 'pkexec opens a root shell' },
  command: { stopAtOperand: true },
  builtin: { stopAtOperand: true },
  exec: { shortValue: 'a', stopAtOperand: true },
  nice: { shortValue: 'n', longValue: ['adjustment'], stopAtOperand: true },
  nohup: { stopAtOperand: true, always: 'nohup writes nohup.out' },
  time: { shortValue: 'of', longValue: ['output', 'format'], stopAtOperand: true, writesValue: ['-o', '--output'], unsafe: ['-o', '--output'], why: 'time -o writes a file' },
  stdbuf: { shortValue: 'ioe', longValue: ['input', 'output', 'error'], stopAtOperand: true },
  timeout: { shortValue: 'sk', longValue: ['signal', 'kill-after'], stopAtOperand: true, skip: 1 },
  setsid: { stopAtOperand: true, always: 'setsid starts a new session' },
  ionice: { shortValue: 'cnpPu', longValue: ['class', 'classdata', 'pid', 'pgid', 'uid'], stopAtOperand: true, always: 'ionice changes scheduling' },
  taskset: { shortValue: '', stopAtOperand: true, always: 'taskset changes scheduling' },
  chrt: { shortValue: 'TPD', longValue: ['sched-runtime', 'sched-period', 'sched-deadline'], stopAtOperand: true, skip: 1, always: 'chrt changes scheduling' },
  prlimit: { shortValue: 'po', longValue: ['pid', 'output'], stopAtOperand: true, always: 'prlimit changes limits' },
  flock: { shortValue: 'wEc', longValue: ['timeout', 'wait', 'conflict-exit-code', 'command'], stopAtOperand: true, skip: 1, scriptOption: ['-c', '--command'], always: 'flock creates a lock file' },
  watch: { shortValue: 'nq', longValue: ['interval', 'equexit'], stopAtOperand: true, always: 'watch runs the command again and again' },
  chroot: { longValue: ['userspec', 'groups'], stopAtOperand: true, skip: 1, always: 'chroot needs root', alone: 'chroot without a root' },
  unshare: { shortValue: 'SGR', longValue: ['setuid', 'setgid', 'root', 'wd', 'propagation', 'setgroups', 'map-user', 'map-group', 'map-users', 'map-groups', 'kill-child'], stopAtOperand: true, always: 'unshare changes namespaces', alone: 'unshare opens a shell' },
  nsenter: { shortValue: 'tSGrw', longValue: ['target', 'setuid', 'setgid', 'root', 'wd'], stopAtOperand: true, always: 'nsenter enters another namespace', alone: 'nsenter opens a shell' },
  'systemd-run': { shortValue: 'pEuHM', longValue: ['property', 'setenv', 'unit', 'description', 'slice', 'uid', 'gid', 'nice', 'host', 'machine', 'working-directory', 'on-active', 'on-boot', 'on-startup', 'on-unit-active', 'on-unit-inactive', 'on-calendar', 'timer-property', 'path-property', 'socket-property', 'service-type', 'expand-environment'], stopAtOperand: true, always: 'systemd-run starts a unit' },
  su: { shortValue: 'csgGw', longValue: ['command', 'shell', 'group', 'supp-group', 'whitelist-environment', 'session-command'], stopAtOperand: true, scriptOption: ['-c', '--command', '--session-command'], always: 'su runs as another user', alone: 'su opens a shell' },
  runuser: { shortValue: 'csgGuw', longValue: ['command', 'shell', 'group', 'supp-group', 'user', 'whitelist-environment', 'session-command'], stopAtOperand: true, scriptOption: ['-c', '--command', '--session-command'], always: 'runuser runs as another user', alone: 'runuser opens a shell' },
  script: { shortValue: 'cBIOTEm', longValue: ['command', 'log-io', 'log-in', 'log-out', 'log-timing', 'echo', 'logging-format'], scriptOption: ['-c', '--command'], always: 'script writes a typescript file', alone: 'script opens a shell' },
  strace: { shortValue: 'abeEIoOpPsSuUX', stopAtOperand: true, writesValue: ['-o'], always: 'strace traces processes (it can read their memory)' },
  ltrace: { shortValue: 'aeEnopsuwAlLx', stopAtOperand: true, writesValue: ['-o'], always: 'ltrace traces processes' },
  fakeroot: { shortValue: 'lfsib', stopAtOperand: true, always: 'fakeroot changes how the command sees files' },
  valgrind: { stopAtOperand: true, always: 'valgrind runs the program under instrumentation' },
  'xvfb-run': { shortValue: 'nsfepw', stopAtOperand: true, always: 'xvfb-run starts an X server' },
  'dbus-run-session': { longValue: ['config-file', 'dbus-daemon'], stopAtOperand: true, always: 'dbus-run-session starts a bus' },
  caffeinate: { shortValue: 'tw', stopAtOperand: true },
  arch: { shortValue: 'de', stopAtOperand: true },
  numactl: { shortValue: 'iCmNpP', longValue: ['interleave', 'cpunodebind', 'membind', 'physcpubind', 'preferred'], stopAtOperand: true, always: 'numactl changes placement' },
  cgexec: { shortValue: 'g', stopAtOperand: true, always: 'cgexec moves the command to a cgroup' },
  unbuffer: { stopAtOperand: true },
  rlwrap: { stopAtOperand: true, always: 'rlwrap keeps a history file' },
  catchsegv: { stopAtOperand: true },
  gosu: { stopAtOperand: true, skip: 1, always: 'gosu runs the command as another user' },
  'su-exec': { stopAtOperand: true, skip: 1, always: 'su-exec runs the command as another user' },
  setpriv: { stopAtOperand: true, always: 'setpriv changes privileges' },
  chpst: { shortValue: 'uUbe/nlLmdofcprt', stopAtOperand: true, always: 'chpst changes the process state' },
  cpulimit: { shortValue: 'lpe', longValue: ['limit', 'pid', 'exe'], stopAtOperand: true, always: 'cpulimit changes scheduling' },
  firejail: { stopAtOperand: true, always: 'firejail runs the command in a sandbox' },
  fakechroot: { stopAtOperand: true, always: 'fakechroot changes how the command sees files' },
  torsocks: { shortValue: 'uapP', stopAtOperand: true, always: 'torsocks sends the command through Tor' },
  proxychains: { shortValue: 'f', stopAtOperand: true, always: 'proxychains sends the command through proxies' },
  proxychains4: { shortValue: 'f', stopAtOperand: true, always: 'proxychains sends the command through proxies' },
  'flatpak-spawn': { stopAtOperand: true, always: 'flatpak-spawn runs the command outside its sandbox' },
  'sandbox-exec': { shortValue: 'fnpD', stopAtOperand: true, always: 'sandbox-exec runs the command under a profile' },
};

/** env: NAME=VALUE pairs, -u NAME, -C DIR, and -S, which splits a string into the command line. */
function env(args: Arg[]): Unwrapped {
  const p = parseOptions(args, { shortValue: 'uCS', longValue: ['unset', 'chdir', 'split-string', 'block-signal', 'default-signal', 'ignore-signal'], stopAtOperand: true });
  if (p.unclear) return { opaque: 'env has an argument only known at run time where an option could be' };
  const out: Unwrapped = {};
  const split = p.options.find((o) => o.name === '-S' || o.name === '--split-string');
  let rest = p.operands;
  if (split) {
    if (!split.value?.exact || /['"\\$`]/.test(split.value.text)) return { opaque: 'env -S splits a string into a command line by its own rules' };
    rest = [...split.value.text.split(/\s+/).filter(Boolean).map((text) => ({ text, exact: true, many: false })), ...rest];
  }
  if (hasAny(p, ['-C', '--chdir'])) out.notReadOnly = 'env -C runs the command in another folder';
  const vars: Array<{ name: string; value: Arg }> = [];
  while (rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!.text)) {
    const a = rest.shift()!;
    const eq = a.text.indexOf('=');
    vars.push({ name: a.text.slice(0, eq), value: { ...a, text: a.text.slice(eq + 1) } });
  }
  if (vars.length) out.env = vars;
  if (!rest.length) return { ...out, notReadOnly: 'env prints the environment, which holds secrets' };
  return { ...out, inner: rest };
}

/** xargs: the command gets arguments from its input (only known at run time). */
function xargs(args: Arg[]): Unwrapped {
  // -i[REPLACE], -l[N] and -e[EOF] take a value only when it is attached: spelled long here.
  args = args.map((a) => {
    const m = a.exact ? /^-([ile])(.*)$/s.exec(a.text) : null;
    if (!m) return a;
    const [long, fallback] = { i: ['--replace', '{}'], l: ['--max-lines', '1'], e: ['--eof', ''] }[m[1] as 'i' | 'l' | 'e'];
    return { ...a, text: `${long}=${m[2] || fallback}` };
  });
  const p = parseOptions(args, { shortValue: 'adEeIiLlnPs', longValue: ['arg-file', 'delimiter', 'eof', 'replace', 'max-lines', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'], stopAtOperand: true });
  if (p.unclear) return { opaque: 'xargs has an argument only known at run time where an option could be' };
  const out: Unwrapped = {};
  const file = p.options.find((o) => o.name === '-a' || o.name === '--arg-file')?.value;
  if (file) out.reads = [file];
  if (hasAny(p, ['-p', '--interactive', '-o', '--open-tty'])) out.notReadOnly = 'xargs asks on the terminal';
  const replace = p.options.find((o) => ['-I', '-i', '--replace'].includes(o.name));
  const token = replace ? (replace.value?.text ?? '{}') : undefined;
  const inner = p.operands.length ? p.operands : [{ text: 'echo', exact: true, many: false }];
  if (token) return { ...out, inner: inner.map((a) => (a.text.includes(token) ? { text: a.text.split(token).join('\u0000'), exact: false, many: false } : a)) };
  return { ...out, inner, extraArgs: true };
}

/** sg GROUP [-c] COMMAND: the command is shell text. */
function sg(args: Arg[]): Unwrapped {
  const rest = args.filter((a) => a.text !== '-').slice(1);
  const words = rest[0]?.text === '-c' ? rest.slice(1) : rest;
  if (!words.length) return { notReadOnly: 'sg opens a shell' };
  return { notReadOnly: 'sg runs as another group', script: { text: words.map((w) => w.text).join(' '), exact: words.every((w) => w.exact), many: false } };
}

/** busybox APPLET args: the applet is the command. */
function busybox(args: Arg[]): Unwrapped {
  return args.length && args[0]!.exact && !args[0]!.text.startsWith('-') ? { inner: args } : { notReadOnly: 'busybox without an applet' };
}

/** sudo -s/-i and doas -s: the rest is shell text. */
function withShellMode(verb: string, p: ReturnType<typeof parseOptions>): Unwrapped | undefined {
  if ((verb === 'sudo' || verb === 'doas') && hasAny(p, ['-s', '--shell', '-i', '--login'])) {
    const words = p.operands;
    if (!words.length) return { notReadOnly: `${verb} opens a root shell` };
    if (!words.every((w) => w.exact)) return { opaque: `${verb} -s runs text only known at run time`, notReadOnly: `${verb} runs as another user` };
    return { script: { text: words.map((w) => w.text).join(' '), exact: true, many: false }, notReadOnly: `${verb} runs as another user` };
  }
  if (verb === 'sudo' && hasAny(p, ['-e', '--edit'])) return { notReadOnly: 'sudo -e edits files as root', writes: p.operands };
  if (verb === 'sudo' && hasAny(p, ['-l', '--list', '-v', '--validate', '-k', '-K', '--reset-timestamp', '--remove-timestamp', '-V', '--version']) && !p.operands.length) return { notReadOnly: 'sudo talks to the sudo policy' };
  return undefined;
}

/** If `verb` wraps another command, what it runs. Undefined: not a wrapper. */
export function unwrap(verb: string, args: Arg[]): Unwrapped | undefined {
  if (verb === 'env') return env(args);
  if (verb === 'sg') return sg(args);
  if (verb === 'xargs') return xargs(args);
  if (verb === 'busybox') return busybox(args);
  if (verb === 'command' && args.length && /^-[vV]+$/.test(args[0]!.text)) return undefined;
  if (verb === 'taskset' && args.some((a) => a.text === '-p' || a.text === '--pid')) return { notReadOnly: 'taskset -p changes a running process' };
  if (verb === 'ionice' && args.some((a) => /^-[pPu]$|^--(pid|pgid|uid)$/.test(a.text))) return { notReadOnly: 'ionice changes a running process' };
  const spec = SPECS[verb];
  if (!spec) return undefined;
  const p = parseOptions(args, spec);
  if (p.unclear) return { opaque: `${verb} has an argument only known at run time where an option could be` };
  const shellMode = withShellMode(verb, p);
  if (shellMode) return shellMode;
  const out: Unwrapped = {};
  if (spec.always) out.notReadOnly = spec.always;
  const bad = spec.unsafe && hasAny(p, spec.unsafe);
  if (bad) out.notReadOnly = spec.why ?? `${verb} ${bad.name}`;
  const written = spec.writesValue ? p.options.filter((o) => o.value && spec.writesValue!.includes(o.name)).map((o) => o.value!) : [];
  if (written.length) out.writes = written;
  const script = spec.scriptOption ? p.options.find((o) => spec.scriptOption!.includes(o.name) && o.value)?.value : undefined;
  if (script) return { ...out, script };
  let operands = p.operands;
  // taskset MASK cmd / taskset -c LIST cmd; chrt PRIO cmd; timeout DURATION cmd; chroot ROOT cmd; flock FILE cmd.
  const skip = verb === 'taskset' ? 1 : (spec.skip ?? 0);
  if (verb === 'flock' || verb === 'script') out.writes = [...(out.writes ?? []), ...operands.slice(0, 1)];
  operands = operands.slice(skip);
  if (verb === 'watch' && !hasAny(p, ['-x', '--exec'])) {
    // watch joins its arguments and runs them with sh -c.
    if (!operands.length) return { ...out, notReadOnly: 'watch without a command' };
    return { ...out, script: { text: operands.map((o) => o.text).join(' '), exact: operands.every((o) => o.exact), many: false } };
  }
  // runuser -u USER cmd runs cmd itself; su/runuser USER without -c open a shell.
  if (verb === 'runuser' && hasAny(p, ['-u', '--user']) && operands.length) return { ...out, inner: operands };
  if (verb === 'su' || verb === 'runuser' || verb === 'script') return { ...out, notReadOnly: spec.alone ?? spec.always ?? verb };
  if (!operands.length) return { ...out, notReadOnly: spec.alone ?? `${verb} without a command does something else` };
  return { ...out, inner: operands };
}

export const isWrapper = (verb: string): boolean => verb in SPECS || verb === 'env' || verb === 'xargs' || verb === 'busybox' || verb === 'sg';

/** `command -v name`, `exec` with only redirections: they run nothing. */
export const runsNothing = (verb: string, args: readonly Arg[]): boolean =>
  (verb === 'command' && /^-[vV]+$/.test(known(args[0]) ?? '')) || (verb === 'exec' && args.length === 0);
