/**
 * Commands that run code: shells (judged on the script they really run: `bash FILE -c x` runs FILE),
 * interpreters (their inline code goes to the catastrophic checks), editors and debuggers that run
 * shell commands (`vim -c ':!cmd'`, `gdb -ex 'shell cmd'`), tmux commands that start or type into
 * shells, ssh (its command runs on another machine, judged all the same), containers (their command
 * judged with their volumes mapped back), network tools, disk tools and process killers.
 */
import type { Arg } from '../bash/expand.js';
import { hasAny, parseOptions } from '../options.js';
import { known, no, ok, type Call, type Table, type Use } from './types.js';

const exact = (text: string): Arg => ({ text, exact: true, many: false });
const joined = (args: readonly Arg[]): Arg => ({ text: args.map((a) => a.text).join(' '), exact: args.every((a) => a.exact), many: false });

/** POSIX shells and bash: options until the first operand, then -c text, a script file or stdin. */
function shell(bash: boolean): Table {
  return (call) => {
    const args = call.args;
    let command = false;
    let stdin = false;
    let startup = false;
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i]!;
      // An argument only known at run time is taken as the first operand (the script, or -c's text).
      if (!a.exact) break;
      const t = a.text;
      if (t === '--' || t === '-') {
        i++;
        break;
      }
      if (/^--/.test(t)) {
        if (t === '--login') startup = true;
        if (t === '--rcfile' || t === '--init-file') {
          startup = true;
          i++;
        }
        continue;
      }
      if (/^[-+][A-Za-z]+$/.test(t)) {
        if (t.startsWith('-') && t.includes('c')) command = true;
        if (t.startsWith('-') && t.includes('s')) stdin = true;
        if (t.startsWith('-') && /[il]/.test(t)) startup = true;
        // -o/-O take a value (+o/+O too): it is the next word.
        if (/[oO]/.test(t)) i++;
        continue;
      }
      break;
    }
    const operands = args.slice(i);
    const use: Use = ok();
    if (startup) use.notReadOnly = `${call.verb} reads startup files (a login or interactive shell)`;
    if (command) {
      const text = operands[0];
      if (!text) return no(`${call.verb} -c without a script`);
      use.scripts = [{ text, how: `${call.verb} -c`, bash }];
    } else if (stdin || operands.length === 0) use.scriptFromStdin = true;
    else use.scriptFiles = [operands[0]!];
    return use;
  };
}

/** Interpreters: inline code (checked for catastrophic intent), a script file, or a script on stdin. */
function interpreter(lang: NonNullable<Use['code']>['lang'], codeOptions: RegExp, valueOptions: RegExp): Table {
  return (call) => {
    const args = call.args;
    const code: Arg[] = [];
    let i = 0;
    let module = false;
    for (; i < args.length; i++) {
      const a = args[i]!;
      const t = a.text;
      if (t === '--' || !t.startsWith('-') || t === '-') break;
      const m = codeOptions.exec(t);
      if (m) {
        // -c CODE, -e CODE, -ecode, --eval=CODE
        const attached = t.slice(m[0].length).replace(/^=/, '');
        code.push(attached ? { ...a, text: attached } : (args[++i] ?? exact('')));
        if (lang === 'python') break; // python -c ends option parsing
        continue;
      }
      if (t === '-m' && lang === 'python') module = true;
      if (valueOptions.test(t)) i++;
    }
    if (/^--?(version|v|V|help|h)$/.test(args[0]?.text ?? '') && args.length === 1) return ok();
    const use: Use = no(`${call.verb} runs a program`);
    if (code.length) use.code = { lang, text: joined(code) };
    else if (module) use.notReadOnly = `${call.verb} -m runs a module`;
    else if (i >= args.length || args[i]!.text === '-') use.scriptFromStdin = true;
    else use.scriptFiles = [args[i]!];
    return use;
  };
}

/** Shell text in an editor's or debugger's commands: `:!cmd`, `!cmd`, `shell cmd`, system('cmd'). */
function shellTextIn(commands: Arg[]): Arg[] {
  const out: Arg[] = [];
  for (const c of commands) {
    const t = c.text;
    const bang = /(?:^|[\s:|])!(.+)$/s.exec(t) ?? /^\s*(?:shell|silent!?\s+!)\s+(.+)$/s.exec(t);
    if (bang) out.push({ ...c, text: bang[1]! });
    for (const m of t.matchAll(/\bsystem(?:list)?\s*\(\s*(['"])(.*?)\1/g)) out.push({ ...c, text: m[2]! });
    if (!c.exact) out.push(c);
  }
  return out;
}

function editor(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'cSsTuUwWiqtrnd', longValue: ['cmd'] });
  const commands = [...p.options.filter((o) => ['-c', '--cmd'].includes(o.name)).map((o) => o.value!), ...p.operands.filter((a) => a.text.startsWith('+')).map((a) => ({ ...a, text: a.text.slice(1) }))];
  const scripts = shellTextIn(commands).map((text) => ({ text, how: `${call.verb} command`, bash: false }));
  return { ...no(`${call.verb} edits files`), writes: p.operands.filter((a) => !a.text.startsWith('+')), ...(scripts.length ? { scripts } : {}) };
}

function gdb(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'xpcsedi', longValue: ['eval-command', 'ex', 'command', 'init-command', 'init-eval-command', 'pid', 'args', 'core', 'directory', 'tty'] });
  const commands = p.options.filter((o) => ['-ex', '--eval-command', '-e', '--ex', '-iex', '--init-eval-command'].includes(o.name) && o.value).map((o) => o.value!);
  const exWords = call.args.flatMap((a, i) => (a.text === '-ex' || a.text === '-iex') && call.args[i + 1] ? [call.args[i + 1]!] : []);
  const scripts = shellTextIn([...commands, ...exWords]).map((text) => ({ text, how: 'gdb shell command', bash: false }));
  return { ...no('gdb runs and controls programs'), ...(scripts.length ? { scripts } : {}) };
}

/**
 * Whether a tmux command reaches a buddy's own server: its socket (`-L buddy-init-<name>`, or `-S` to
 * it), or no socket named at all, since claude runs inside the buddy's pane and tmux then talks to the
 * server in $TMUX. Any command there can type into claude's pane or set a hook that runs a program.
 */
export function buddysTmux(args: readonly Arg[]): string | undefined {
  if (args.length === 1 && args[0]!.text === '-V') return undefined;
  for (let i = 0; i < args.length && args[i]!.text.startsWith('-'); i++) {
    const a = args[i]!;
    if (/^-[fT]$/.test(a.text)) i++;
    const socket = /^-[LS]/.test(a.text) ? (a.text.length > 2 ? { ...a, text: a.text.slice(2) } : args[++i]) : undefined;
    if (!socket) continue;
    if (!socket.exact || /(^|\/)buddy-init-/.test(socket.text)) return `tmux on ${socket.exact ? socket.text : 'a socket only known at run time'}, a buddy's own tmux server, can type into claude's pane`;
    return undefined;
  }
  return "tmux with no socket named talks to the server claude runs in (the buddy's own): it can type into claude's pane";
}

/** tmux commands that run shell text (new-window 'cmd', run-shell, send-keys...), chained with `;`. */
function tmux(call: Call): Use {
  const scripts: NonNullable<Use['scripts']> = [];
  const RUNS = /^(new-session|new|new-window|neww|split-window|splitw|respawn-pane|respawnp|respawn-window|respawnw|run-shell|run|if-shell|if|pipe-pane|pipep|display-popup|popup)$/;
  let i = 0;
  while (i < call.args.length && /^-/.test(call.args[i]!.text)) i += /^-[LSfT]$/.test(call.args[i]!.text) ? 2 : 1;
  // Split the rest into tmux commands at `;` words (and words ending in `;`).
  const commands: Arg[][] = [[]];
  for (const a of call.args.slice(i)) {
    if (a.text === ';' || a.text === '\\;') commands.push([]);
    else if (a.text.endsWith(';') && !a.text.endsWith('\\;')) {
      commands[commands.length - 1]!.push({ ...a, text: a.text.slice(0, -1) });
      commands.push([]);
    } else commands[commands.length - 1]!.push(a);
  }
  for (const [name, ...rest] of commands) {
    if (!name) continue;
    for (const a of rest) for (const m of a.text.matchAll(/#\((.*?)\)/gs)) scripts.push({ text: { ...a, text: m[1]! }, how: 'tmux #() format', bash: false });
    if (name.text === 'send-keys' || name.text === 'send') {
      // Keys typed into a pane run as a command line there: each key string typed as it is, Enter
      // (C-m) ends a line. -t and -N take a value; the other options are flags.
      const keys: Arg[] = [];
      for (let j = 0; j < rest.length; j++) {
        const t = rest[j]!.text;
        if (/^-[lRMXHK]*[tN]$/.test(t)) j++;
        else if (!/^-[lRMXHK]+$/.test(t)) keys.push(rest[j]!);
      }
      const NAMED: Record<string, string> = { Enter: '\n', 'C-m': '\n', KPEnter: '\n', 'C-j': '\n', Space: ' ', Tab: '\t' };
      const text = keys.map((k) => NAMED[k.text] ?? k.text).join('');
      scripts.push({ text: { text, exact: keys.every((k) => k.exact), many: false }, how: 'tmux send-keys', bash: true });
    } else if (RUNS.test(name.text)) {
      const operands = rest.filter((a, j) => !a.text.startsWith('-') && !/^-[a-zA-Z]*[tscnFeE]$/.test(rest[j - 1]?.text ?? ''));
      for (const text of operands) scripts.push({ text, how: `tmux ${name.text}`, bash: false });
    }
  }
  return { ...no('tmux changes a session'), ...(scripts.length ? { scripts } : {}) };
}

/** ssh HOST COMMAND...: the words are joined and run by the remote shell. */
function ssh(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'BbcDEeFIiJLlmOoPpQRSWw', stopAtOperand: true });
  const [, ...command] = p.operands;
  const use: Use = { ...no('ssh connects to another machine'), network: true };
  const scripts: NonNullable<Use['scripts']> = command.length ? [{ text: joined(command), how: 'ssh remote command', bash: false }] : [];
  // Options whose value is a command ssh runs here, through the user's shell (`-o ProxyCommand=...`).
  for (const o of p.options) {
    const m = o.name === '-o' && o.value ? /^\s*(ProxyCommand|LocalCommand|KnownHostsCommand|RemoteCommand)\s*(?:=\s*|\s+)(.*)$/is.exec(o.value.text) : null;
    if (m) scripts.push({ text: { ...o.value!, text: m[2]! }, how: `ssh ${m[1]}`, bash: false });
  }
  if (scripts.length) use.scripts = scripts;
  return use;
}

/** docker/podman run|exec|create: the container's command, with bind-mounted paths mapped back. */
function container(call: Call): Use {
  const [sub, ...rest] = call.args;
  const what = known(sub);
  const use: Use = no(`${call.verb} ${what ?? ''} changes containers`.trim());
  if (what !== 'run' && what !== 'exec' && what !== 'create') return use;
  const valueOptions = /^(-v|--volume|--mount|-e|--env|--env-file|-w|--workdir|-u|--user|--name|-p|--publish|--network|--net|--entrypoint|-h|--hostname|--platform|--pull|-l|--label|--cpus|-m|--memory|--device|--cap-add|--cap-drop|--security-opt|--restart|--log-driver|--log-opt|--add-host|--dns|--ipc|--pid|--gpus|--shm-size|--ulimit|--tmpfs|--volumes-from|--cidfile|-a|--attach|--detach-keys|--stop-signal|--stop-timeout|--health-cmd|--init-path|--runtime|--userns|--uts|--group-add|--mac-address|--ip|--ip6|--link|--expose|--label-file)$/;
  const mounts: Array<{ host: string; inside: string }> = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const t = rest[i]!.text;
    if (!t.startsWith('-')) break;
    const [name, attached] = t.includes('=') ? [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)] : [t, undefined];
    const value = attached ?? (valueOptions.test(name!) ? rest[++i]?.text : undefined);
    if ((name === '-v' || name === '--volume') && value) {
      const [host, inside] = value.split(':');
      if (host && inside) mounts.push({ host, inside });
    }
    if (name === '--mount' && value) {
      const src = /(?:^|,)(?:source|src)=([^,]+)/.exec(value)?.[1];
      const dst = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(value)?.[1];
      if (src && dst) mounts.push({ host: src, inside: dst });
    }
    if (name === '--privileged' || (name === '--pid' && value === 'host')) use.notReadOnly = `${call.verb} ${name} gives the container the host`;
  }
  const argv = rest.slice(i + 1);
  if (mounts.some((m) => m.host === '/')) use.destroys = `${call.verb} mounts the whole host filesystem into a container`;
  if (argv.length) {
    const mapped = argv.map((a) => {
      const m = mounts.find((x) => a.text === x.inside || a.text.startsWith(`${x.inside}/`));
      return m ? { ...a, text: m.host + a.text.slice(m.inside.length) } : a;
    });
    use.runs = [{ argv: mapped, extraArgs: false, how: `${call.verb} ${what}` }];
  }
  return use;
}

/**
 * Builtins that run code they are given: compgen/complete -C COMMAND and -W WORDS (expanded like a
 * line, so a $(...) in it runs), mapfile/readarray -C CALLBACK.
 */
function callbacks(call: Call): Use {
  const completion = call.verb === 'compgen' || call.verb === 'complete';
  const p = parseOptions(call.args, { shortValue: completion ? 'oAGWFCXPSD' : 'dnOsucC' });
  const scripts: NonNullable<Use['scripts']> = [];
  for (const o of p.options) {
    if (!o.value) continue;
    if (o.name === '-C') scripts.push({ text: o.value, how: `${call.verb} -C`, bash: true });
    if (o.name === '-W' && completion) scripts.push({ text: { ...o.value, text: `: ${o.value.text}` }, how: `${call.verb} -W`, bash: true });
  }
  return { ...no(`${call.verb} ${completion ? 'runs completion code' : 'reads into variables'}`), ...(scripts.length ? { scripts } : {}) };
}

function kill(call: Call): Use {
  const a = call.args.map((x) => x.text);
  if (a[0] === '-l' || a[0] === '-L') return ok();
  // kill [-s SIG | -n NUM | -SIG] [--] pid...: after the signal, every word is a pid; -1 is "all".
  let i = a[0] === '-s' || a[0] === '-n' ? 2 : a[0]?.startsWith('-') && a[0] !== '--' && a.length > 1 ? 1 : 0;
  if (a[i] === '--') i++;
  const use = no('kill signals processes');
  // Signal 0 only checks that the process exists.
  const check = a[0] === '-0' || ((a[0] === '-s' || a[0] === '-n') && a[1] === '0');
  if (!check && (a.slice(i).some((p) => p === '-1' || p === '1') || (a.length === 1 && a[0] === '-1'))) use.destroys = 'kill -1 signals every process you may signal (1 is init)';
  return use;
}

function pkill(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'sgGPtuUFnl', longValue: ['signal', 'pgroup', 'group', 'parent', 'terminal', 'euid', 'uid', 'pidfile', 'session', 'ns', 'nslist'] });
  const pattern = p.operands[0];
  const use = no(`${call.verb} signals processes`);
  if (call.verb === 'killall5' || (!pattern && hasAny(p, ['-u', '--euid', '-U', '--uid'])) || (pattern?.exact && /^(\.|\.\*|\^|\$|\^\.\*\$?|\.\+|\[\^\]|)$/.test(pattern.text))) use.destroys = `${call.verb} kills every process it matches, which is all of them`;
  return use;
}

/** Disk tools: they destroy data unless they only print. */
function disk(readOnly: RegExp): Table {
  return (call) => (call.args.length && call.args.every((a) => readOnly.test(a.text) || !a.text.startsWith('-')) && call.args.some((a) => readOnly.test(a.text)) ? ok() : { ...no(`${call.verb} changes disks`), destroys: `${call.verb} can destroy a disk's data` });
}

/** curl / wget: network, and the files they write. */
function download(call: Call): Use {
  const p = parseOptions(call.args, call.verb === 'curl'
    ? { shortValue: 'oAbcdDeEFHKmrTuUwxXyYzCKP', longValue: ['output', 'user-agent', 'cookie', 'cookie-jar', 'data', 'data-raw', 'data-binary', 'data-urlencode', 'dump-header', 'referer', 'form', 'header', 'config', 'max-time', 'range', 'upload-file', 'user', 'proxy', 'request', 'output-dir', 'trace', 'trace-ascii', 'stderr', 'libcurl', 'write-out'] }
    : { shortValue: 'OoaPeiUtTwQ', longValue: ['output-document', 'output-file', 'append-output', 'directory-prefix', 'execute', 'input-file', 'user-agent', 'tries', 'timeout', 'wait', 'quota', 'post-data', 'post-file', 'header', 'save-cookies', 'load-cookies'] });
  const writes = p.options.filter((o) => o.value && /^(-o|--output|--output-dir|-D|--dump-header|-c|--cookie-jar|--trace|--trace-ascii|--stderr|--libcurl|-O|--output-document|-a|--append-output|--output-file|-P|--directory-prefix|--save-cookies)$/.test(o.name)).map((o) => o.value!);
  const reads = p.options.filter((o) => o.value && /^(-T|--upload-file|-K|--config|-i|--input-file|--post-file|--load-cookies)$/.test(o.name)).map((o) => o.value!);
  for (const o of p.options) if (o.value && /^(-d|--data|--data-binary|--data-urlencode|-F|--form)$/.test(o.name) && o.value.text.includes('@')) reads.push({ ...o.value, text: o.value.text.slice(o.value.text.indexOf('@') + 1) });
  return { notReadOnly: `${call.verb} reaches the network`, reads, writes, network: true };
}

/** nc / ncat / socat / telnet: network; with a program attached, a remote shell. */
function netcat(call: Call): Use {
  const use: Use = { ...no(`${call.verb} opens network connections`), network: true };
  const texts = call.args.map((a) => a.text);
  if (call.verb === 'socat') {
    if (texts.some((t) => /^(exec|system):/i.test(t))) use.remoteShell = 'socat joins a program to a connection: a remote shell';
  } else if (texts.some((t, i) => /^-[a-zA-Z]*[ec]$/.test(t) || /^--(exec|sh-exec|lua-exec)/.test(t) || (t === '-e' && texts[i + 1]))) use.remoteShell = `${call.verb} -e/-c joins a program to a connection: a remote shell`;
  return use;
}

/**
 * Package and environment runners that run the command they are given (`npm exec -- cmd`,
 * `uv run cmd`, `kubectl exec pod -- cmd`): what follows the first `--` (or the first operand after
 * their subcommand and options) is a command line of its own.
 */
function runsGiven(subcommands: RegExp, valueOptions = /^$/): Table {
  return (call) => {
    const args = call.args;
    const sub = args.findIndex((a) => !a.text.startsWith('-'));
    const use = no(`${call.verb} runs a program`);
    if (sub < 0 || !subcommands.test(args[sub]!.text)) return use;
    const dashes = args.findIndex((a, i) => i > sub && a.text === '--');
    let i = dashes >= 0 ? dashes + 1 : sub + 1;
    if (dashes < 0) while (i < args.length && args[i]!.text.startsWith('-')) i += valueOptions.test(args[i]!.text) ? 2 : 1;
    // kubectl exec POD -- cmd, docker-style NAME first: the first operand is the target, not the command.
    if (dashes < 0 && /^(exec|run)$/.test(args[sub]!.text) && /^(kubectl|oc)$/.test(call.verb)) i++;
    const argv = args.slice(i);
    if (argv.length) use.runs = [{ argv, extraArgs: false, how: `${call.verb} ${args[sub]!.text}` }];
    return use;
  };
}

/** Text on standard input that a scheduler will run (crontab -, at, batch). */
function scheduler(call: Call): Use {
  const use = no(`${call.verb} schedules commands`);
  const f = call.args.findIndex((a) => a.text === '-f');
  const fileOperand = call.verb === 'crontab' ? call.args.find((a) => !a.text.startsWith('-')) : f >= 0 ? call.args[f + 1] : undefined;
  if (call.verb === 'crontab' && call.args.some((a) => /^-[lr]$/.test(a.text))) return use;
  if (fileOperand && fileOperand.text !== '-') return { ...use, reads: [fileOperand] };
  return { ...use, scriptFromStdin: true, ...(call.verb === 'crontab' ? { cron: true } : {}) };
}

/** GNU parallel CMD ::: ARGS: the command with each argument (no command: each argument is one). */
function parallel(call: Call): Use {
  const sep = call.args.findIndex((a) => a.text === ':::' || a.text === '::::');
  const use = no('parallel runs commands');
  if (sep < 0) return use;
  let i = 0;
  while (i < sep && call.args[i]!.text.startsWith('-')) i += /^-[jSbdIeEnNsx]$|^--(jobs|sshlogin|delimiter|replace|eof|max-args|max-chars|workdir|tmpdir)$/.test(call.args[i]!.text) ? 2 : 1;
  const command = call.args.slice(i, sep);
  const inputs = call.args.slice(sep + 1).filter((a) => a.text !== ':::' && a.text !== '::::');
  if (!command.length) use.scripts = inputs.map((text) => ({ text, how: 'parallel', bash: false }));
  else use.runs = inputs.map((a) => ({ argv: command.some((c) => c.text.includes('{}')) ? command.map((c) => ({ ...c, text: c.text.replace(/\{\}/g, a.text), exact: c.exact && a.exact })) : [...command, a], extraArgs: false, how: 'parallel' }));
  return use;
}

const PYTHON_VALUE = /^-[WXQ]$/;

export const RUNNERS: Record<string, Table> = {
  sh: shell(true),
  bash: shell(true),
  dash: shell(true),
  ash: shell(true),
  rbash: shell(true),
  zsh: shell(false),
  ksh: shell(false),
  mksh: shell(false),
  yash: shell(false),
  posh: shell(false),
  fish: shell(false),
  csh: shell(false),
  tcsh: shell(false),
  source: (call) => ({ ...no(`${call.verb} runs the commands in a file in this shell`), scriptFiles: call.args.slice(0, 1) }),
  '.': (call) => ({ ...no('. runs the commands in a file in this shell'), scriptFiles: call.args.slice(0, 1) }),
  python: interpreter('python', /^-c/, PYTHON_VALUE),
  python2: interpreter('python', /^-c/, PYTHON_VALUE),
  python3: interpreter('python', /^-c/, PYTHON_VALUE),
  pypy: interpreter('python', /^-c/, PYTHON_VALUE),
  pypy3: interpreter('python', /^-c/, PYTHON_VALUE),
  perl: interpreter('perl', /^-[a-zA-Z]*[eE]/, /^-[IMmx]$/),
  ruby: interpreter('ruby', /^-[a-zA-Z]*e/, /^-[IrCEx]$/),
  node: interpreter('node', /^(-e|--eval|-p|--print|-pe|-ep)(?=$|=)/, /^(-r|--require|--import|--loader|--experimental-loader|-C|--conditions|--input-type|--stack-size)$/),
  nodejs: interpreter('node', /^(-e|--eval|-p|--print)(?=$|=)/, /^(-r|--require|--import)$/),
  bun: interpreter('node', /^(-e|--eval|-p|--print)(?=$|=)/, /^(-r|--preload|--cwd|--env-file|--config)$/),
  deno: (call) => (known(call.args[0]) === 'eval' ? { ...no('deno eval runs code'), code: { lang: 'node', text: joined(call.args.slice(1)) } } : no('deno runs a program')),
  php: interpreter('php', /^-r/, /^-[cdfz]$/),
  lua: interpreter('lua', /^-e/, /^-l$/),
  luajit: interpreter('lua', /^-e/, /^-l$/),
  osascript: interpreter('tcl', /^-e/, /^-[ls]$/),
  vim: editor,
  vi: editor,
  nvim: editor,
  ex: editor,
  view: editor,
  vimdiff: editor,
  gdb,
  tmux,
  ssh,
  docker: container,
  podman: container,
  nerdctl: container,
  compgen: callbacks,
  complete: callbacks,
  mapfile: callbacks,
  readarray: callbacks,
  kill,
  pkill,
  killall: pkill,
  killall5: pkill,
  crontab: scheduler,
  at: scheduler,
  batch: scheduler,
  parallel,
  npx: (call) => {
    const c = call.args.findIndex((a) => a.text === '-c' || a.text === '--call');
    return c >= 0 && call.args[c + 1] ? { ...no('npx runs a program'), scripts: [{ text: call.args[c + 1]!, how: 'npx -c', bash: false }] } : no('npx runs a package');
  },
  npm: runsGiven(/^(exec|x|explore)$/),
  yarn: runsGiven(/^exec$/),
  pnpm: runsGiven(/^(exec|dlx)$/),
  uv: runsGiven(/^run$/, /^(--with|--python|-p|--project|--directory|--env-file|--group|--extra)$/),
  poetry: runsGiven(/^run$/),
  pipenv: runsGiven(/^run$/),
  pdm: runsGiven(/^run$/),
  conda: runsGiven(/^run$/, /^(-n|--name|-p|--prefix)$/),
  mamba: runsGiven(/^run$/, /^(-n|--name|-p|--prefix)$/),
  bundle: runsGiven(/^exec$/),
  direnv: runsGiven(/^exec$/),
  kubectl: runsGiven(/^exec$/, /^(-c|--container|-n|--namespace)$/),
  oc: runsGiven(/^exec$/, /^(-c|--container|-n|--namespace)$/),
  'nix-shell': (call) => {
    const run = call.args.findIndex((a) => a.text === '--run' || a.text === '--command');
    return run >= 0 && call.args[run + 1] ? { ...no('nix-shell runs a command'), scripts: [{ text: call.args[run + 1]!, how: 'nix-shell --run', bash: true }] } : no('nix-shell opens a shell');
  },
  curl: download,
  wget: download,
  nc: netcat,
  ncat: netcat,
  netcat: netcat,
  socat: netcat,
  telnet: netcat,
  mkfs: (call) => ({ ...no('mkfs formats a disk'), destroys: `${call.verb} formats a disk` }),
  wipefs: disk(/^(-n|--no-act|-J|--json|-i|--noheadings|-O|--output|-p|--parsable)$/),
  blkdiscard: (call) => ({ ...no('blkdiscard discards a device'), destroys: `${call.verb} discards a whole device` }),
  sgdisk: disk(/^(-p|--print|-v|--verify|-i|--info|-L|--list-types|-O|--print-mbr|-P|--pretend|--version|-V)$/),
  gdisk: disk(/^-l$/),
  fdisk: disk(/^(-l|--list|-s|--getsz|-V|--version)$/),
  sfdisk: disk(/^(-l|--list|-d|--dump|-J|--json|-s|--show-size|-V|--version|--verify|-g|--show-geometry)$/),
  cfdisk: disk(/^(-V|--version)$/),
  parted: (call) => (call.args.some((a) => a.text === '-l' || a.text === '--list') || (call.args.some((a) => a.text === 'print') && !call.args.some((a) => /^(mklabel|mktable|rm|mkpart|resizepart|name|set|toggle|rescue)$/.test(a.text))) ? ok() : { ...no('parted changes partitions'), destroys: 'parted changes a partition table' }),
  'cryptsetup': (call) => (call.args.some((a) => /^(luksFormat|erase|luksErase|reencrypt|luksKillSlot)$/.test(a.text)) ? { ...no('cryptsetup changes a device'), destroys: 'cryptsetup erases an encrypted device' } : no('cryptsetup changes devices')),
  lvremove: (call) => ({ ...no('lvremove removes volumes'), destroys: `${call.verb} removes a logical volume` }),
  vgremove: (call) => ({ ...no('vgremove removes volumes'), destroys: `${call.verb} removes a volume group` }),
  pvremove: (call) => ({ ...no('pvremove removes volumes'), destroys: `${call.verb} removes a physical volume` }),
  zpool: (call) => (call.args.some((a) => /^(destroy|labelclear)$/.test(a.text)) ? { ...no('zpool destroys'), destroys: 'zpool destroys a pool' } : no('zpool changes pools')),
  zfs: (call) => (known(call.args[0]) === 'destroy' ? { ...no('zfs destroys'), destroys: 'zfs destroy deletes datasets' } : no('zfs changes datasets')),
  mdadm: (call) => (call.args.some((a) => a.text === '--zero-superblock') ? { ...no('mdadm wipes'), destroys: 'mdadm --zero-superblock wipes a RAID member' } : no('mdadm changes arrays')),
  hdparm: (call) => (call.args.some((a) => /^--(security-erase|security-erase-enhanced|trim-sector-ranges|write-sector|make-bad-sector)/.test(a.text)) ? { ...no('hdparm erases'), destroys: 'hdparm erases a disk' } : no('hdparm changes a disk')),
  nvme: (call) => (call.args.some((a) => /^(format|sanitize)$/.test(a.text)) ? { ...no('nvme erases'), destroys: 'nvme format/sanitize erases a disk' } : no('nvme talks to a disk')),
  badblocks: (call) => (call.args.some((a) => /^-[a-zA-Z]*w/.test(a.text)) ? { ...no('badblocks -w writes'), destroys: 'badblocks -w overwrites a disk' } : no('badblocks reads a disk')),
};
for (const name of ['mkfs.ext2', 'mkfs.ext3', 'mkfs.ext4', 'mkfs.xfs', 'mkfs.btrfs', 'mkfs.vfat', 'mkfs.fat', 'mkfs.ntfs', 'mkfs.exfat', 'mkfs.f2fs', 'mkfs.minix', 'mke2fs', 'mkswap', 'mkntfs', 'mkdosfs', 'mkexfatfs', 'newfs', 'newfs_msdos', 'newfs_apfs', 'newfs_hfs', 'mkisofs']) RUNNERS[name] = RUNNERS.mkfs!;
