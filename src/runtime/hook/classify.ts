/**
 * The decision for one Bash command line:
 *   deny  - something in it is catastrophic (the reason goes to Claude);
 *   ask   - the line holds something this hook cannot model exactly as bash does, or whose meaning is
 *           only known when it runs: a person must look, even where a static allow rule would match;
 *   allow - every command bash will run provably only reads, and reads no secret;
 *   none  - understood, not read-only: print nothing, and Claude Code's own rules and prompt decide.
 */
import { posix } from 'node:path';
import { analyzeLine } from './analyze.js';
import type { FileRedirect, Invocation, LineModel, Stdin } from './lineModel.js';
import type { Script } from './bash/ast.js';
import { literalWord, walkCommands } from './bash/walk.js';
import { UNKNOWN, type Arg } from './bash/expand.js';
import { Budget, BudgetExceeded } from './budget.js';
import { dangerousWrite, DECODERS, DOWNLOADERS, globCoversCriticalTree, isCriticalTree, judgeCode, NETWORK_READERS, variableScript } from './catastrophic.js';
import { isWrapper, lookUp, runsNothing, unwrap, type Use } from './commands/index.js';
import type { HookConfig } from './config.js';
import { FileView, knownTail, Protected, resolveIn, Secrets, throughProcessLink, userHomes } from './paths.js';
import { printsVariables } from './variables.js';

export type Verdict = 'allow' | 'deny' | 'ask' | 'none';

export interface Decision {
  decision: Verdict;
  reason: string;
}

export interface ClassifyContext {
  cwd?: string;
  home: string;
  config: HookConfig;
  /** performance.now() value after which the hook stops and asks. */
  deadline: number;
}

const MAX_COMMAND_LENGTH = 100_000;
const MAX_NESTING = 4;
/** Work units for one call (characters read, tokens, directory entries...): about a second's worth. */
const WORK_BUDGET = 4_000_000;
const STANDARD_BIN = /^\/(usr\/(local\/)?)?s?bin\/[^/]+$|^\/opt\/homebrew\/s?bin\/[^/]+$/;
/** Variables that may prefix a command (`LC_ALL=C sort`): none of them makes a program load or run code. */
const HARMLESS_ENV = /^(LANG|LANGUAGE|LC_[A-Z]+|TZ|NO_COLOR|COLUMNS|LINES|TERM|CLICOLOR|FORCE_COLOR|GREP_COLOR|GREP_COLORS|TIME_STYLE|BLOCK_SIZE|POSIXLY_CORRECT)$/;
/** Shell variables a line may set without steering any program: lowercase names that no tool reads. */
const HARMLESS_VARIABLE = /^[a-z][a-z0-9_]{0,31}$/;
const STEERING_NAME = /(^|_)(proxy|path|config|home|dir|registry|prefix|env|lib|preload|opts?|options|pager|editor|shell|host|url|index|token|key|secret)($|_)|^(npm|yarn|pnpm|pip|bun|git|node|python|ruby|perl)_/;
/** Redirection targets that are not files. */
const SAFE_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty']);
/** Commands that use a key without printing it: the key is `-i`'s value (ssh-add: its operands). */
const KEY_USERS = new Set(['ssh', 'scp', 'sftp', 'ssh-copy-id', 'ssh-add']);
/** Files that are the standard input: a script read from them comes from what feeds the command. */
const STDIN_FILES = /^\/(dev\/stdin|dev\/fd\/0|proc\/self\/fd\/0)$/;

/** String literals and shell commands inside one piece of code that are checked one by one. */
const MAX_CODE_LITERALS = 500;
const MAX_CODE_SHELL_TEXTS = 64;

/** What the checks found, first reason of each kind kept. */
class Findings {
  deny?: string;
  ask?: string;
  notReadOnly?: string;
  readonly verbs = new Set<string>();
  /** Files a downloader wrote, and files run as programs or scripts, in this line (absolute). */
  readonly downloaded = new Set<string>();
  readonly executed = new Set<string>();
  denyIf(reason: string | undefined): void {
    if (reason) this.deny ??= reason;
  }
  askIf(reason: string | undefined): void {
    if (reason) this.ask ??= reason;
  }
  not(reason: string | undefined): void {
    if (reason) this.notReadOnly ??= reason;
  }
}

/** Paths an argument stands for: concrete ones, and whether some are only known at run time. */
interface Resolved {
  paths: string[];
  /** Text with UNKNOWN pieces, made absolute where the directory is known. */
  unknown?: string;
  /** Through a /proc (or /dev/fd) link that leads where only the running command knows. */
  throughProcess?: boolean;
}

class Classifier {
  private readonly secrets: Secrets;
  private readonly protected: Protected;
  private readonly files: FileView;
  private readonly userHome: (user: string) => string | undefined;
  private readonly safeVerbs: ReadonlySet<string>;

  /** The line's own findings (depth 0): a deny found there stands even if the rest runs out of budget. */
  top?: Findings;

  constructor(
    private readonly ctx: ClassifyContext,
    private readonly budget: Budget,
  ) {
    this.files = new FileView(budget);
    this.secrets = new Secrets(ctx.home, ctx.config.protectedPaths, this.files);
    this.protected = new Protected(ctx.home, this.files);
    this.userHome = userHomes(ctx.home);
    this.safeVerbs = new Set(ctx.config.safeVerbs);
  }

  line(text: string, cwd: string | undefined, depth: number): Decision {
    const model = analyzeLine(text, { home: this.ctx.home, ...(cwd !== undefined ? { cwd } : {}), userHome: this.userHome, budget: this.budget });
    const f = new Findings();
    if (depth === 0) this.top ??= f;
    for (const why of model.secretVariables) f.denyIf(why);
    for (const inv of model.invocations) this.invocation(inv, f, depth, text);
    this.lineWide(model, f, depth);
    if (f.deny) return { decision: 'deny', reason: f.deny };
    if (model.error) return { decision: 'ask', reason: `bash would refuse this line (${model.error})` };
    if (model.inexact.length) return { decision: 'ask', reason: `cannot be checked with certainty: ${model.inexact[0]}` };
    if (model.opaque.length) return { decision: 'ask', reason: model.opaque[0]! };
    if (f.ask) return { decision: 'ask', reason: f.ask };
    const why = model.notReadOnly[0] ?? f.notReadOnly;
    if (why) return { decision: 'none', reason: why };
    return { decision: 'allow', reason: `read-only: ${[...f.verbs].join(', ') || 'no command'}` };
  }

  // ---- one command ------------------------------------------------------------------------------

  private invocation(inv: Invocation, f: Findings, depth: number, source: string): void {
    for (const { name, value } of inv.env) this.variable(name, value, inv, f, depth, true);
    this.command(inv.argv, inv, f, depth, false, source);
  }

  /** `NAME=value`: a value some program runs is judged as a script; others must be harmless. */
  private variable(name: string, value: Arg, inv: Invocation, f: Findings, depth: number, prefix: boolean): void {
    const script = variableScript(name, value);
    if (script) this.script(script, inv, f, depth, `${name}=`, false);
    const harmless = HARMLESS_ENV.test(name) || (!prefix && HARMLESS_VARIABLE.test(name) && !STEERING_NAME.test(name));
    if (!harmless) f.not(`sets ${name}${prefix ? ' for the command' : ''}`);
    else if (prefix && !value.exact) f.not(`sets ${name} to a value only known at run time`);
  }

  /** Peels wrappers (sudo, env, nice, xargs...) off `argv` and judges what really runs. */
  private command(argv: Arg[], inv: Invocation, f: Findings, depth: number, extraArgs: boolean, source: string): void {
    let args = argv;
    let extra = extraArgs;
    for (let layer = 0; layer < 16; layer++) {
      const name = args[0];
      if (!name) return;
      if (!name.exact) {
        f.askIf(`the command name ${show(name.text)} is only known at run time`);
        return;
      }
      const verb = posix.basename(name.text);
      if (name.text.includes('/') && !STANDARD_BIN.test(name.text)) f.not(`runs ${name.text}`);
      const rest = extra ? [...args.slice(1), { text: UNKNOWN, exact: false, many: true }] : args.slice(1);
      f.verbs.add(verb);
      f.denyIf(printsVariables(verb, rest));
      const entry = this.ctx.config.hardDeny.find((d) => {
        const [cmd, sub] = d.split(/\s+/, 2);
        return cmd === verb && (sub === undefined || rest[0]?.text === sub);
      });
      if (entry) f.denyIf(`"${entry}" is denied by this buddy's recipe (hook.hardDeny)`);
      if (runsNothing(verb, rest)) return;
      if (verb === 'eval') {
        // Known text was parsed into the line's own commands; unknown text was noted as opaque.
        if (!rest.every((a) => a.exact) && this.downloads(inv.argScripts.flat())) f.denyIf('eval of a download runs code nobody has read');
        return;
      }
      const wrapped = isWrapper(verb) ? unwrap(verb, rest) : undefined;
      if (wrapped) {
        f.not(wrapped.notReadOnly);
        f.askIf(wrapped.opaque);
        for (const { name: n, value } of wrapped.env ?? []) this.variable(n, value, inv, f, depth, true);
        for (const r of wrapped.reads ?? []) this.read(r, inv, f, false, verb);
        for (const w of wrapped.writes ?? []) this.write(w, inv, f, verb);
        if (wrapped.script) this.script(wrapped.script, inv, f, depth, verb, true);
        // xargs hands on names its input lists: what `find ~ | xargs cat` may read is all under find's starting points.
        if (wrapped.extraArgs && wrapped.inner?.length && inv.stdin.kind === 'pipe') for (const root of this.listedUnder(inv.stdin.from)) this.read(root, inv, f, true, 'xargs');
        if (!wrapped.inner) return;
        args = wrapped.inner;
        extra ||= Boolean(wrapped.extraArgs);
        continue;
      }
      const words = this.expandGlobs(rest, inv.cwd);
      const use = lookUp({ verb, args: words, stdin: inv.stdin, safeVerbs: this.safeVerbs, subcommandSafe: this.ctx.config.subcommandSafe });
      this.use(use ?? { notReadOnly: `${verb} is not known to be read-only`, reads: [], writes: [] }, !use, verb, words, inv, f, depth, source);
      return;
    }
    f.askIf('too many wrappers around one command');
  }

  /** The paths under which the names a pipe's source prints lie: find's starting points, other commands' operands. */
  private listedUnder(from: Invocation[]): Arg[] {
    return from.flatMap((up) => {
      const [name, ...args] = up.argv;
      if (!name?.exact) return [];
      const verb = posix.basename(name.text);
      const find = verb === 'find' ? lookUp({ verb, args, stdin: up.stdin, safeVerbs: this.safeVerbs, subcommandSafe: {} }) : undefined;
      return find?.walks ?? args.filter((a) => a.exact && !a.text.startsWith('-'));
    });
  }

  private use(use: Use, unknownCommand: boolean, verb: string, args: Arg[], inv: Invocation, f: Findings, depth: number, source: string): void {
    f.not(use.notReadOnly);
    f.denyIf(use.denied);
    f.denyIf(use.destroys);
    f.denyIf(use.remoteShell);
    this.destructive(use, verb, args, inv, f);
    for (const w of use.writes) this.write(w, inv, f, verb);
    if (use.repo && !use.notReadOnly) {
      for (const dir of this.resolve(use.repo, inv.cwd).paths) f.not(this.files.gitConfigRunsPrograms(dir));
      if (!inv.cwd && !use.repo.text.startsWith('/')) f.not('git in a folder only known at run time (its configuration may run programs)');
    }
    for (const r of [...use.reads, ...(use.scriptFiles ?? [])]) this.read(r, inv, f, false, verb);
    for (const r of use.recursive ?? []) this.read(r, inv, f, true, verb);
    // A command that is not read-only may do anything with a path it is given: none may be a secret
    // (except the key ssh and its kin use without printing it).
    const keyUse = (a: Arg, i: number) => KEY_USERS.has(verb) && (verb === 'ssh-add' || args[i - 1]?.text === '-i' || a.text.startsWith('-i'));
    if (use.notReadOnly || unknownCommand) for (const c of mentions(args.filter((a, i) => !keyUse(a, i)))) this.read(c, inv, f, false, verb, true);
    // What a downloader writes, itself or through its output (`curl x > a.sh`, `wget -O- x | tee a.sh`).
    const fromDownload = DOWNLOADERS.has(verb) || (inv.stdin.kind === 'pipe' && upstreamVerbs(inv.stdin.from).some((v) => DOWNLOADERS.has(v)));
    if (fromDownload) for (const w of [...use.writes, ...inv.redirects.filter((r) => r.writes).map((r) => r.target)]) for (const p of this.resolve(w, inv.cwd).paths) f.downloaded.add(p);
    for (const s of use.scriptFiles ?? []) for (const p of this.resolve(s, inv.cwd).paths) f.executed.add(p);
    for (const run of use.runs ?? []) this.command(run.argv, inv, f, depth, run.extraArgs, source);
    for (const s of use.scripts ?? []) this.script(s.text, inv, f, depth, s.how, s.bash);
    if (use.scriptFromStdin) this.stdinScript(inv.stdin, inv, f, depth, verb, use.cron);
    for (const file of use.scriptFiles ?? []) this.fileScript(file, inv, f, depth, verb);
    if (use.code) {
      const code = judgeCode(use.code.text.text, use.code.lang, this.ctx.home);
      const literals = [...use.code.text.text.matchAll(/(["'`])((?:(?!\1)[^\\\n]|\\.){1,400}?)\1/g)];
      // Past these counts the checks would cost more than a person waiting for an answer.
      if (literals.length > MAX_CODE_LITERALS || code.shellTexts.length > MAX_CODE_SHELL_TEXTS) f.askIf(`${verb} code: too much to check`);
      for (const m of literals.slice(0, MAX_CODE_LITERALS)) this.read({ text: m[2]!, exact: true, many: false }, inv, f, false, `${verb} code`, true);
      f.denyIf(code.deny);
      for (const text of code.shellTexts.slice(0, MAX_CODE_SHELL_TEXTS)) this.script({ text, exact: true, many: false }, inv, f, depth, `${verb} code`, false, true);
      if (!use.code.text.exact && this.downloads(inv.argScripts.flat())) f.denyIf(`${verb} runs code from a download`);
    }
  }

  /** Deletions and permission changes of whole trees, however the paths are spelled. */
  private destructive(use: Use, verb: string, args: Arg[], inv: Invocation, f: Findings): void {
    const home = this.ctx.home;
    // The sandbox lets a command change the workdir as it likes; a repository's history is what it cannot give back.
    const history = (p: string, why: string): void => {
      const git = this.files.gitHistory(p);
      if (git) f.denyIf(`${verb} ${why} ${git}, a git repository's history, which nothing can bring back`);
    };
    /** `trees`: also the system, home and state trees (for what acts on a whole tree: rm -r, chmod -R, find). */
    const critical = (a: Arg, why: string, trees = true): void => {
      if (trees && !a.exact && /^\u0000[/]/.test(a.text) && a.text.length <= 3) f.denyIf(`${verb} ${why} ${show(a.text)}: if the variable is empty this is /`);
      if (trees && !a.exact && /^\u0000\//.test(a.text)) f.denyIf(`${verb} ${why} a path starting with an expansion and a slash: if it is empty this starts at /`);
      for (const cwd of inv.cwd ?? [undefined]) {
        if (a.pattern && !a.text.includes(UNKNOWN)) {
          const pattern = a.pattern.startsWith('/') || cwd === undefined ? a.pattern : `${cwd}/${a.pattern}`;
          if (trees && globCoversCriticalTree(pattern, home)) f.denyIf(`${verb} ${why} ${a.text}, which covers ${patternDir(pattern)}`);
          if (pattern.startsWith('/')) for (const p of [pattern, ...this.files.glob(pattern, 200).paths]) history(p, why);
          continue;
        }
        const r = this.resolve(a, cwd === undefined ? undefined : [cwd]);
        for (const p of r.paths) {
          if (trees && isCriticalTree(p, home)) f.denyIf(`${verb} ${why} ${p}${p === home ? ', your home folder' : ', a system or state folder'}`);
          history(p, why);
        }
      }
    };
    if (verb === 'rm') for (const a of use.writes) critical(a, 'deletes', (use.recursive ?? []).includes(a));
    if (verb === 'rm') for (const a of use.writes) if (a.exact && a.text.startsWith('/') && resolveIn('/', a.text) === '/') f.denyIf('rm of / deletes the system');
    if (/^(chmod|chown|chgrp|chattr|setfacl)$/.test(verb)) {
      for (const a of use.recursive ?? []) critical(a, 'changes the permissions of');
      for (const a of use.writes) if (a.exact && this.resolve(a, inv.cwd).paths.includes('/')) f.denyIf(`${verb} on / changes the whole system`);
    }
    if (verb === 'mv') for (const a of use.recursive ?? []) critical(a, 'moves away');
    if (verb === 'shred' || verb === 'truncate') for (const a of use.writes) critical(a, 'overwrites');
    if (use.walks && (use.runs?.length || args.some((a) => a.text === '-delete'))) {
      for (const a of use.walks) {
        critical(a, 'acts on everything in');
        // find ~/.claude -name .env -exec cat {} +: what it runs reaches the secrets inside.
        for (const p of this.resolve(a, inv.cwd).paths) {
          const secret = this.secrets.match(p) ?? this.secrets.inside(p);
          if (secret) f.denyIf(`${secret} holds a secret, and ${verb} runs commands on what it finds in ${p}`);
        }
      }
    }
    if (use.deletesIn) critical(use.deletesIn, 'deletes what its source lacks in');
    if (/^(g?tar|bsdtar|unzip)$/.test(verb)) for (const a of use.writes) critical(a, 'extracts files over');
  }

  // ---- paths ------------------------------------------------------------------------------------

  /**
   * Globs replaced by what they match now (the permissive way: more names rather than fewer), so the
   * tables see words, not patterns. A match that starts with `-` would be read as an option: such a
   * glob stays a pattern, which no table takes as read-only.
   */
  private expandGlobs(args: Arg[], cwds: string[] | undefined): Arg[] {
    const out: Arg[] = [];
    for (const a of args) {
      if (!a.pattern || a.text.includes(UNKNOWN) || (!a.pattern.startsWith('/') && !cwds)) {
        out.push(a);
        continue;
      }
      // A pattern over a whole system or home tree is judged as a pattern (it is never read-only).
      const absolute = (cwds ?? ['/']).map((c) => (a.pattern!.startsWith('/') ? a.pattern! : `${c}/${a.pattern}`));
      if (absolute.some((p) => globCoversCriticalTree(p, this.ctx.home))) {
        out.push(a);
        continue;
      }
      const words = new Set<string>();
      let complete = true;
      for (const base of a.pattern.startsWith('/') ? ['/'] : cwds!) {
        const prefix = base === '/' ? '/' : `${base}/`;
        const found = this.files.glob(a.pattern.startsWith('/') ? a.pattern : prefix + a.pattern, 200);
        complete &&= found.complete;
        for (const p of found.paths) words.add(a.pattern.startsWith('/') ? p : p.slice(prefix.length));
      }
      if (!complete || [...words].some((w) => w.startsWith('-'))) out.push(a);
      // No match: bash passes the pattern itself on (kept as a pattern for the secret checks).
      else if (!words.size) out.push({ text: a.text, exact: true, many: false, pattern: a.pattern });
      else for (const w of words) out.push({ text: w, exact: true, many: false });
    }
    return out;
  }

  private resolve(a: Arg, cwds: string[] | undefined): Resolved {
    if (a.text.includes(UNKNOWN)) {
      const abs = a.text.startsWith('/') || a.text.startsWith(UNKNOWN) ? a.text : cwds?.length === 1 ? `${cwds[0]}/${a.text}` : undefined;
      return { paths: [], unknown: abs ?? a.text };
    }
    const bases = a.text.startsWith('/') ? ['/'] : cwds;
    // In a directory only known at run time, a relative path may be anywhere.
    if (!bases) return { paths: [], unknown: `${UNKNOWN}/${a.text}` };
    const paths: string[] = [];
    for (const base of bases) {
      const link = throughProcessLink(a.text.startsWith('/') ? a.text : `${base}/${a.text}`);
      if (link !== undefined) return { paths, unknown: link, throughProcess: true };
      if (a.pattern) {
        const pattern = a.pattern.startsWith('/') ? a.pattern : `${base === '/' ? '' : base}/${a.pattern}`;
        const found = this.files.glob(pattern);
        paths.push(...found.paths);
        if (!found.complete) return { paths, unknown: pattern };
      } else {
        // Both readings: bash's logical one, and the kernel's (a link followed before its `..`).
        paths.push(resolveIn(base, a.text), this.files.real(a.text.startsWith('/') ? a.text : `${base === '/' ? '' : base}/${a.text}`));
      }
    }
    return { paths: [...new Set(paths.flatMap((p) => [p, this.files.real(p)]))] };
  }

  /** A file a command reads (or names, `mention`): never a secret; a path only known at run time is not provable. */
  private read(a: Arg, inv: Invocation, f: Findings, recursive: boolean, verb: string, mention = false): void {
    // /dev/fd/N of a process substitution: the command inside is judged on its own.
    if (a.text.startsWith(`/dev/fd/${UNKNOWN}`)) return;
    if (a.pattern && !a.text.includes(UNKNOWN)) {
      for (const cwd of a.pattern.startsWith('/') ? ['/'] : (inv.cwd ?? [])) {
        const pattern = a.pattern.startsWith('/') ? a.pattern : `${cwd}/${a.pattern}`;
        const secret = this.secrets.named(pattern, recursive);
        if (secret) f.denyIf(`${secret} holds a secret (${verb} ${show(a.text)} would read it); it is never read or changed by a tool call`);
      }
    }
    const r = this.resolve(a, inv.cwd);
    for (const p of r.paths) {
      const maybe = this.secrets.maybe(p);
      if (maybe) f.askIf(`${verb} ${mention ? 'is given' : 'reads'} ${maybe}, which may hold secrets`);
      // A command that may write what it is given: a person decides about a file no tool call may change.
      const guarded = mention && this.protected.why(p);
      if (guarded) f.askIf(`${verb} is given ${p}, ${guarded}, and it may write it`);
      const secret = this.secrets.match(p) ?? (recursive ? this.secrets.inside(p) : undefined) ?? this.secrets.sameFile(p);
      if (!secret) continue;
      f.denyIf(`${secret} holds a secret (${verb} ${recursive ? 'reads a folder that holds it' : 'would read it'}); it is never read or changed by a tool call`);
    }
    if (r.unknown === undefined) return;
    const literal = r.unknown.replace(/\u0000/g, '');
    const could = /[^/.]/.test(literal) ? this.secrets.could(knownTail(r.unknown)) : undefined;
    // A process's environment or memory whose number is only known at run time: it is one of them all the same.
    if (could?.startsWith('/proc/') && /^\/proc\/\u0000\/(task\/\u0000\/)?(environ|mem)$/.test(r.unknown)) f.denyIf(`${verb} reads ${show(r.unknown)}, a process's ${r.unknown.endsWith('mem') ? 'memory' : 'environment'}, where claude keeps its token`);
    if (could) f.askIf(`${verb} ${mention ? 'is given' : 'reads'} ${show(r.unknown)}, which may be ${could}, a secret`);
    if (!mention) f.not(`${verb} reads ${show(r.unknown)}, a path only known at run time`);
  }

  /** A file a command writes: never a disk, the system's configuration, the kernel's controls or a secret. */
  private write(a: Arg, inv: Invocation, f: Findings, verb: string): void {
    const r = this.resolve(a, inv.cwd);
    if (r.throughProcess) f.askIf(`${verb} writes through ${show(a.text)}, which leads where only the running command knows`);
    for (const p of r.paths) {
      f.denyIf(dangerousWrite(p) && `${verb} writes ${p}: ${dangerousWrite(p)}`);
      const secret = this.secrets.match(p);
      if (secret) f.denyIf(`${secret} holds a secret; ${verb} would change it, and no tool call may`);
      const why = this.protected.why(p);
      if (why) f.denyIf(`${verb} would write ${p}, ${why}: no tool call may change it`);
    }
    if (a.pattern && !a.text.includes(UNKNOWN)) {
      const pattern = a.pattern.startsWith('/') ? a.pattern : inv.cwd?.length === 1 ? `${inv.cwd[0]}/${a.pattern}` : undefined;
      const why = pattern && this.protected.named(pattern);
      if (why) f.denyIf(`${verb} would write ${show(a.text)}, which can name ${why}: no tool call may change it`);
    }
    // A path with a known part that may lead to one asks (a bare `$f` says nothing of where it leads: not read-only, as before).
    if (r.unknown !== undefined) {
      const tail = knownTail(r.unknown);
      const why = /[^/.]/.test(tail.replace(/\u0000/g, '')) ? this.protected.could(tail) : undefined;
      if (why) f.askIf(`${verb} writes ${show(r.unknown)}, which may be ${why}`);
    }
  }

  // ---- scripts ----------------------------------------------------------------------------------

  /** Shell text a command runs: judged as a line of its own (and never read-only in another shell). */
  private script(text: Arg, inv: Invocation, f: Findings, depth: number, how: string, bash: boolean, denyOnly = false): void {
    if (!text.exact) {
      if (this.downloads(inv.argScripts.flat())) f.denyIf(`${how} runs a download: code nobody has read`);
      else if (!denyOnly) f.askIf(`${how} runs text only known at run time`);
      return;
    }
    if (depth >= MAX_NESTING) {
      if (!denyOnly) f.askIf('scripts nested too deeply');
      return;
    }
    const cwd = inv.cwd?.length === 1 ? inv.cwd[0] : undefined;
    const d = this.line(text.text, cwd, depth + 1);
    if (d.decision === 'deny') f.denyIf(`${how}: ${d.reason}`);
    if (denyOnly) return;
    if (d.decision === 'ask') f.askIf(`${how}: ${d.reason}`);
    else if (d.decision === 'none') f.not(`${how} runs a script that is not read-only (${d.reason})`);
    else if (!bash) f.not(`${how} runs its text in a shell other than bash`);
  }

  /** A shell reading its script from standard input: what feeds it decides. */
  private stdinScript(stdin: Stdin, inv: Invocation, f: Findings, depth: number, verb: string, cron = false): void {
    f.not(`${verb} runs a script from its input`);
    // A crontab: the command of each line comes after its five time fields (or @reboot, @daily...).
    const asScript = (text: string) => (cron ? text.split('\n').map((l) => (/^\s*#|^\s*[A-Za-z_]\w*=/.test(l) ? '' : l.replace(/^\s*(@\w+|(\S+\s+){5})/, ''))).join('\n') : text);
    switch (stdin.kind) {
      case 'text':
        if (this.downloads(stdin.scripts)) f.denyIf(`${verb} runs a download: code nobody has read`);
        this.script({ text: asScript(stdin.text), exact: !stdin.text.includes(UNKNOWN), many: false }, inv, f, depth, `${verb} reading a here-document`, true);
        return;
      case 'file': {
        this.read(stdin.target, inv, f, false, verb);
        if (this.downloads(stdin.scripts)) f.denyIf(`${verb} runs a download: code nobody has read`);
        const text = stdin.scripts.length === 1 ? echoed(stdin.scripts[0]!) : undefined;
        if (text !== undefined) this.script({ text, exact: true, many: false }, inv, f, depth, `${verb} < <(...)`, true);
        return;
      }
      case 'pipe': {
        const text = producedText(stdin.from);
        if (text !== undefined) {
          this.script({ text: asScript(text), exact: true, many: false }, inv, f, depth, `${verb} reading piped text`, true);
          return;
        }
        const upstream = upstreamVerbs(stdin.from);
        if (upstream.some((v) => DOWNLOADERS.has(v))) f.denyIf('piping a download into a shell or interpreter runs code nobody has read');
        else if (upstream.some((v) => NETWORK_READERS.has(v))) f.denyIf('piping a network connection into a shell is a remote shell');
        else if (upstream.some((v) => DECODERS.test(v))) f.denyIf('decoding text into a shell runs code that was hidden on purpose');
        return;
      }
      case 'inherit':
        return;
    }
  }

  /** A script file operand: a process substitution's output, or a file nobody here can read. */
  private fileScript(file: Arg, inv: Invocation, f: Findings, depth: number, verb: string): void {
    if (file.exact && STDIN_FILES.test(file.text)) {
      this.stdinScript(inv.stdin, inv, f, depth, verb);
      return;
    }
    const index = inv.argv.indexOf(file);
    const scripts = index >= 0 ? (inv.argScripts[index] ?? []) : [];
    f.not(`${verb} runs the script in ${show(file.text)}`);
    if (!scripts.length) return;
    if (this.downloads(scripts)) {
      f.denyIf(`${verb} runs a download: code nobody has read`);
      return;
    }
    const text = scripts.length === 1 ? echoed(scripts[0]!) : undefined;
    if (text !== undefined) this.script({ text, exact: true, many: false }, inv, f, depth, `${verb} <(...)`, true);
  }

  /** Whether any of the scripts (at any depth) runs a downloader, wrappers peeled. */
  private downloads(scripts: Script[]): boolean {
    let found = false;
    walkCommands(scripts, (c) => {
      if (c.type !== 'simple') return;
      const words = c.words.map((w) => literalWord(w.parts) ?? '');
      for (let i = 0; i < words.length && !found; i++) {
        const verb = posix.basename(words[i]!);
        if (DOWNLOADERS.has(verb)) found = true;
        if (!isWrapper(verb) && !/^[A-Za-z_]\w*=/.test(words[i]!)) break;
      }
    }, true);
    return found;
  }

  // ---- the whole line ---------------------------------------------------------------------------

  private lineWide(model: LineModel, f: Findings, depth: number): void {
    for (const r of model.redirects) this.redirect(r, f);
    for (const a of model.assignments) {
      const script = variableScript(a.name, a.value);
      if (script) this.script(script, emptyInvocation(), f, depth, `${a.name}=`, false);
      if (!HARMLESS_ENV.test(a.name) && (!HARMLESS_VARIABLE.test(a.name) || STEERING_NAME.test(a.name))) f.not(`sets ${a.name}`);
    }
    for (const loop of model.spawnLoops) f.denyIf(`${loop}: a fork bomb`);
    for (const inv of model.invocations) {
      const name = inv.argv[0];
      if (name?.exact && name.text.includes('/')) for (const p of this.resolve(name, inv.cwd).paths) f.executed.add(p);
    }
    const ran = [...f.executed].find((p) => f.downloaded.has(p));
    if (ran) f.denyIf(`${ran} is downloaded and then run in the same line: code nobody has read`);
    // A shell reading its input in a pipeline that also holds a network tool: a remote shell.
    for (const stages of model.pipelines) {
      const verbs = upstreamVerbs(stages);
      const shellReadingInput = stages.some((s) => SHELL_ON_INPUT.test(innermost(s.argv)));
      if (shellReadingInput && verbs.some((v) => NETWORK_READERS.has(v) && v !== 'curl' && v !== 'wget')) f.denyIf('a shell joined to a network connection in one pipeline is a remote shell');
    }
    // Functions that call themselves (directly or through each other) and start jobs: fork bombs.
    const byName = new Map(model.functions.map((fn) => [fn.name, fn]));
    for (const fn of model.functions) {
      const seen = new Set<string>();
      const queue = [...fn.calls];
      let spawns = fn.spawns;
      while (queue.length) {
        const next = queue.shift()!;
        if (next === fn.name) {
          if (spawns) f.denyIf(`function ${fn.name} calls itself and starts more processes each time: a fork bomb`);
          break;
        }
        if (seen.has(next) || !byName.has(next)) continue;
        seen.add(next);
        spawns ||= byName.get(next)!.spawns;
        queue.push(...byName.get(next)!.calls);
      }
    }
  }

  private redirect(r: FileRedirect, f: Findings): void {
    const inv = { ...emptyInvocation(), cwd: r.cwd };
    if (/^\/dev\/(tcp|udp)\//.test(r.target.text)) f.denyIf(`${r.target.text} opens a network connection from the shell (how remote shells are made)`);
    if (r.writes) {
      this.write(r.target, inv, f, 'redirecting to');
      if (!(r.target.exact && SAFE_TARGETS.has(r.target.text))) f.not(`writes to ${show(r.target.text)}`);
      if (r.op === '<>') this.read(r.target, inv, f, false, 'reading');
    } else this.read(r.target, inv, f, false, 'reading');
  }
}

/** `%2e` and the like in a file: URL; text that is not valid percent-encoding stays as it is. */
function decodeURIComponentSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Candidate paths in arguments: operands, `--opt=VALUE`, `-xVALUE`, `key=VALUE`, `@file`, `file://PATH`. */
function mentions(args: Arg[]): Arg[] {
  const out: Arg[] = [];
  for (const a of args) {
    // A glob is checked as the pattern it is (what it may match), an unknown word as what it may be.
    const t = a.text;
    if (!a.exact || !t.startsWith('-')) out.push(a);
    const eq = t.indexOf('=');
    if (eq > 0) out.push({ ...a, text: t.slice(eq + 1) });
    if (/^-[A-Za-z]./.test(t) && !t.startsWith('--')) out.push({ ...a, text: t.slice(2) });
    if (t.startsWith('@')) out.push({ ...a, text: t.slice(1) });
    const url = /^file:\/\/(?:localhost)?(\/.*)$/i.exec(t);
    if (url) out.push({ ...a, text: decodeURIComponentSafely(url[1]!) });
  }
  return out.filter((c) => c.text.length > 0);
}

/** The verbs of a pipe's source and of everything upstream of it (wrappers peeled). */
function upstreamVerbs(from: Invocation[], depth = 0): string[] {
  const out: string[] = [];
  for (const inv of from) {
    let args = inv.argv;
    for (let i = 0; i < 8 && args[0]?.exact; i++) {
      const verb = posix.basename(args[0].text);
      out.push(verb);
      const inner = isWrapper(verb) ? unwrap(verb, args.slice(1))?.inner : undefined;
      if (!inner) break;
      args = inner;
    }
    if (inv.stdin.kind === 'pipe' && depth < 16) out.push(...upstreamVerbs(inv.stdin.from, depth + 1));
  }
  return out;
}

/** Text a pipe's source writes, when it is literal: echo/printf of known words, cat of a here-document. */
function producedText(from: Invocation[]): string | undefined {
  if (from.length !== 1) return undefined;
  const inv = from[0]!;
  const [name, ...args] = inv.argv;
  if (!name?.exact || !args.every((a) => a.exact)) return undefined;
  return literalOutput(posix.basename(name.text), args.map((a) => a.text), () => (inv.stdin.kind === 'text' ? inv.stdin.text : inv.stdin.kind === 'pipe' ? producedText(inv.stdin.from) : undefined));
}

function literalOutput(verb: string, args: string[], input: () => string | undefined): string | undefined {
  if (verb === 'echo') {
    const newline = args[0] !== '-n';
    const words = args[0] === '-n' || args[0] === '-e' || args[0] === '-E' ? args.slice(1) : args;
    if (args[0] === '-e') return undefined;
    return words.join(' ') + (newline ? '\n' : '');
  }
  if (verb === 'printf' && args.length === 1 && !args[0]!.includes('%')) return args[0]!.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  if (verb === 'printf' && args[0] === '%s\\n') return args.slice(1).map((a) => `${a}\n`).join('');
  if (verb === 'printf' && args[0] === '%s') return args.slice(1).join('');
  if (verb === 'cat' && args.length === 0) return input();
  return undefined;
}

/** What a `<(...)` script prints, when it is one echo/printf of literal words. */
function echoed(s: Script): string | undefined {
  const c = s.items.length === 1 && !s.items[0]!.rest.length && s.items[0]!.first.commands.length === 1 ? s.items[0]!.first.commands[0] : undefined;
  if (c?.type !== 'simple' || c.redirects.length || c.assignments.length) return undefined;
  const words: string[] = [];
  for (const w of c.words) {
    const text = literalWord(w.parts);
    if (text === undefined) return undefined;
    words.push(text);
  }
  const [verb, ...args] = words;
  return verb ? literalOutput(verb, args, () => undefined) : undefined;
}

/** A shell given no script: it runs what comes on its input (`sh`, `sh -i`, `bash -s`). */
const SHELL_ON_INPUT = /^(sh|bash|dash|zsh|ksh|ash|mksh|busybox sh)( -[a-zA-Z]+)*$/;

/** The command with its options, wrappers peeled: `sh -i`. */
function innermost(argv: Arg[]): string {
  let args = argv;
  for (let i = 0; i < 8 && args[0]?.exact; i++) {
    const verb = posix.basename(args[0].text);
    const inner = isWrapper(verb) ? unwrap(verb, args.slice(1))?.inner : undefined;
    if (!inner) return [verb, ...args.slice(1).map((a) => a.text)].join(' ');
    args = inner;
  }
  return '';
}

function emptyInvocation(): Invocation {
  return { argv: [], env: [], redirects: [], stdin: { kind: 'inherit' }, cwd: undefined, vars: new Map(), argScripts: [], inFunction: false, inLoop: false, background: false };
}

const show = (text: string) => text.replace(/\u0000/g, '…');

function patternDir(pattern: string): string {
  return pattern.replace(/\/[^/]*$/, '') || '/';
}

/**
 * Whether a Bash allow rule may approve the line, read generously: the rule's literal text before its
 * first wildcard appears in the line at a word's start (Claude Code checks each command of a compound
 * line on its own).
 */
function ruleMayMatch(rule: string, line: string): boolean {
  const body = /^Bash\((.*)\)$/s.exec(rule)?.[1];
  if (body === undefined) return false;
  const prefix = body.replace(/:\*$/, '').split('*')[0]!.trim().replace(/\s+/g, ' ');
  return !prefix || ` ${line.replace(/\s+/g, ' ')}`.includes(` ${prefix}`) || line.replace(/\s+/g, ' ').split(/[;&|()`$]/).some((c) => c.trim().startsWith(prefix));
}

export function classifyCommand(command: string, ctx: ClassifyContext): Decision {
  if (command.length > MAX_COMMAND_LENGTH) return { decision: 'ask', reason: 'command too long to check' };
  const budget = new Budget(WORK_BUDGET, ctx.deadline);
  let classifier: Classifier | undefined;
  try {
    classifier = new Classifier(ctx, budget);
    const d = classifier.line(command, ctx.cwd, 0);
    // A catch-all rule (`Bash(*)`, the open posture) is the recipe saying every command may run: kept.
    const rules = ctx.config.allowRules?.filter((r) => !/^Bash(\(\*\))?$/.test(r));
    const rule = d.decision === 'none' && !ctx.config.sandboxed ? rules?.find((r) => ruleMayMatch(r, command)) : undefined;
    return rule ? { decision: 'ask', reason: `${d.reason}; the rule ${rule} would let it run unchecked, so a person decides` } : d;
  } catch (err) {
    // What was found to deny before the budget ran out is proven: more checking could only add reasons.
    const denied = classifier?.top?.deny;
    if (err instanceof BudgetExceeded) return denied ? { decision: 'deny', reason: denied } : { decision: 'ask', reason: `checking it took too much work (${err.message})` };
    if (err instanceof RangeError) return { decision: 'ask', reason: 'nested too deeply to check' };
    throw err;
  }
}
