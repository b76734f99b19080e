/**
 * Walks a parsed line the way bash runs it and lists every simple command it may run (in lists,
 * pipelines, subshells, substitutions, loops, function bodies, `eval`'d text), each with its arguments
 * as expanded as the line allows, where its standard input comes from, and the directory it runs in.
 * The working directory is a set of possibilities (`cd x && a; b`: b runs in x or where it started).
 */
import type { AndOr, Command, Part, Pipeline, Redirect, Script, SimpleCommand, Word } from './bash/ast.js';
import { Expander, UNKNOWN, type Arg } from './bash/expand.js';
import { parseBash } from './bash/parser.js';
import { commandStart, literalWord, walkCommands } from './bash/walk.js';
import { BudgetExceeded, type Budget } from './budget.js';
import { resolveIn } from './paths.js';
import { DECLARATIONS, secretExpansions } from './variables.js';
import type { FileRedirect, Invocation, LineModel, Stdin } from './lineModel.js';

interface Scope {
  cwd: string[] | undefined;
  vars: Map<string, string | null>;
  stdin: Stdin;
  inFunction: boolean;
  inLoop: boolean;
}

export interface AnalyzeContext {
  home: string;
  cwd?: string;
  userHome(user: string): string | undefined;
  budget: Budget;
}

/** Builtins that change which program later words run, or how later text is parsed or expanded. */
const CHANGES_THE_SHELL = new Set(['alias', 'unalias', 'enable', 'source', '.']);
/** shopt options and set flags that leave parsing and expansion as modelled. */
const HARMLESS_SHOPT = /^(dotglob|globstar|nocaseglob|nullglob|failglob|lastpipe|inherit_errexit|nocasematch|checkwinsize|histappend|cdspell|dirspell|checkhash|huponexit|globasciiranges)$/;
const HARMLESS_SET = /^[-+][euxvnhmbCTE]+$|^[-+]o$|^(errexit|nounset|xtrace|verbose|pipefail|errtrace|functrace|notify|monitor|noclobber|hashall|noexec)$/;
/** Builtins that take variable names, array elements included. */
const SUBSCRIPT_READERS = new Set(['test', '[', 'printf', 'read', 'unset', 'declare', 'typeset', 'local', 'export', 'readonly', 'mapfile', 'readarray', 'getopts', 'wait']);
/** Builtins with options that run code: compgen/complete -C -W -F, mapfile/readarray -C. */
const CALLBACK_TAKERS = new Set(['compgen', 'complete', 'mapfile', 'readarray']);
const VARIABLE_READERS = new Set(['read', 'mapfile', 'readarray', 'getopts', 'printf', 'unset']);

export function analyzeLine(source: string, ctx: AnalyzeContext): LineModel {
  const parsed = parseBash(source, ctx.budget);
  const model: LineModel = { invocations: [], redirects: [], functions: [], notReadOnly: [], inexact: [...parsed.inexact], assignments: [], opaque: [], spawnLoops: [], pipelines: [], secretVariables: secretExpansions(parsed.script) };
  if (parsed.error) model.error = parsed.error;
  const vars = new Map<string, string | null>();
  if (ctx.cwd !== undefined) vars.set('PWD', ctx.cwd);
  new Walker(model, ctx, assignedAnywhere(parsed.script)).script(parsed.script, {
    cwd: ctx.cwd !== undefined ? [ctx.cwd] : undefined,
    vars,
    stdin: { kind: 'inherit' },
    inFunction: false,
    inLoop: false,
  });
  return model;
}

const fork = (s: Scope, over: Partial<Scope> = {}): Scope => ({ ...s, vars: new Map(s.vars), ...over });

class Walker {
  private depth = 0;

  constructor(
    private readonly model: LineModel,
    private readonly ctx: AnalyzeContext,
    /** Every variable the line assigns somewhere: unknown inside function bodies and loops. */
    private readonly lineAssigned: Assigned,
  ) {}

  private expander(scope: Scope): Expander {
    return new Expander({ vars: scope.vars, home: this.ctx.home, userHome: this.ctx.userHome, budget: this.ctx.budget, inFunction: scope.inFunction });
  }

  script(s: Script, scope: Scope): Invocation[] {
    const out: Invocation[] = [];
    for (const item of s.items) out.push(...this.andOr(item, item.background ? fork(scope) : scope, item.background));
    return out;
  }

  private andOr(item: AndOr, scope: Scope, background: boolean): Invocation[] {
    const out = this.pipeline(item.first, scope, background);
    if (!item.rest.length) return out;
    // What follows && or || may not run: its effects become possibilities, not facts.
    const before = fork(scope);
    for (const { pipeline } of item.rest) out.push(...this.pipeline(pipeline, scope, background));
    merge(scope, before);
    return out;
  }

  private pipeline(p: Pipeline, scope: Scope, background: boolean): Invocation[] {
    if (p.commands.length === 1) return this.command(p.commands[0]!, scope, background);
    const out: Invocation[] = [];
    let previous: Invocation[] = [];
    p.commands.forEach((c, i) => {
      // Every stage runs in a subshell of its own, reading the previous stage's output.
      const stage = fork(scope, i > 0 ? { stdin: { kind: 'pipe', from: previous } } : {});
      previous = this.command(c, stage, background);
      out.push(...previous);
      // With `shopt -s lastpipe` the last stage runs in this shell: keep its effects as possibilities.
      if (i === p.commands.length - 1) merge(scope, fork(scope), stage);
    });
    this.model.pipelines.push(out);
    return out;
  }

  private command(c: Command, scope: Scope, background: boolean): Invocation[] {
    this.ctx.budget.spend(1, 'commands');
    if (++this.depth > 200) throw new BudgetExceeded('nesting');
    try {
      return this.commandIn(c, scope, background);
    } finally {
      this.depth--;
    }
  }

  private commandIn(c: Command, scope: Scope, background: boolean): Invocation[] {
    if (c.type === 'simple') return this.simple(c, scope, background);
    const inner = this.redirected(c.redirects, scope);
    const out: Invocation[] = [];
    switch (c.type) {
      case 'subshell':
        return this.script(c.body, fork(inner));
      case 'group':
        out.push(...this.script(c.body, inner));
        break;
      case 'if': {
        const before = fork(inner);
        for (const clause of c.clauses) {
          out.push(...this.script(clause.test, inner));
          out.push(...this.script(clause.body, inner));
        }
        if (c.otherwise) out.push(...this.script(c.otherwise, inner));
        merge(inner, before);
        break;
      }
      case 'while':
      case 'until':
        if (loopsForever(c.type, c.test) && startsJobs(c.body)) this.model.spawnLoops.push(`${c.type} loop that never ends starts a background job on every turn`);
        out.push(...this.loop(inner, changesIn([c.test, c.body]), (s) => [...this.script(c.test, s), ...this.script(c.body, s)]));
        break;
      case 'for':
      case 'select':
        for (const w of c.items ?? []) this.words([w], inner);
        inner.vars.set(c.name, null);
        out.push(...this.loop(inner, changesIn([c.body]), (s) => this.script(c.body, s)));
        break;
      case 'arith-for':
        this.model.notReadOnly.push('arithmetic for loop');
        this.arithmetic(c.text);
        if (/^\s*[^;]*;\s*;/.test(c.text) && startsJobs(c.body)) this.model.spawnLoops.push('for ((;;)) loop that never ends starts a background job on every turn');
        for (const sub of c.subs) out.push(...this.script(sub, fork(inner)));
        out.push(...this.loop(inner, changesIn([c.body]), (s) => this.script(c.body, s)));
        break;
      case 'case': {
        this.words([c.subject], inner);
        const before = fork(inner);
        for (const item of c.items) {
          this.words(item.patterns, inner);
          out.push(...this.script(item.body, inner));
        }
        merge(inner, before);
        break;
      }
      case 'arith':
        this.model.notReadOnly.push('arithmetic command');
        this.arithmetic(c.text);
        for (const sub of c.subs) out.push(...this.script(sub, fork(inner)));
        break;
      case 'cond':
        out.push(...this.cond(c.words, inner));
        break;
      case 'function': {
        this.model.notReadOnly.push(`defines function ${c.name}`);
        // The body runs when called, after whatever the line did before: nothing set in the line is known.
        const body = this.inFunction(inner);
        // Inside the body $FUNCNAME is the function's own name.
        body.vars.set('FUNCNAME', c.name);
        const calls = this.command(c.body, body, false);
        out.push(...calls);
        this.model.functions.push({
          name: c.name,
          calls: calls.flatMap((i) => (i.argv[0]?.exact ? [i.argv[0].text] : [])),
          spawns: containsSpawn(c.body),
        });
        break;
      }
      case 'coproc':
        this.model.notReadOnly.push('coproc');
        out.push(...this.command(c.body, fork(inner), true));
        break;
    }
    for (const inv of out) inv.background ||= background;
    return out;
  }

  /**
   * A loop body may run any number of times: what it changes (variables it sets, the directory if it
   * changes directory) is unknown inside it, from its first command on, and after it.
   */
  private loop(scope: Scope, changes: Changes, body: (s: Scope) => Invocation[]): Invocation[] {
    changes.vars.forget(scope.vars);
    if (changes.cd) scope.cwd = undefined;
    const before = fork(scope);
    const out = body(fork(scope, { inLoop: true }));
    merge(scope, before);
    return out;
  }

  private inFunction(scope: Scope): Scope {
    const vars = new Map(scope.vars);
    this.lineAssigned.forget(vars);
    return { ...scope, vars, cwd: undefined, inFunction: true };
  }

  /** `[[ ... ]]`: words expanded without splitting; arithmetic operators evaluate their operands. */
  private cond(words: Word[], scope: Scope): Invocation[] {
    const out = this.words(words, scope);
    words.forEach((w, i) => {
      if (/^-(eq|ne|lt|le|gt|ge)$/.test(w.text)) {
        for (const operand of [words[i - 1], words[i + 1]]) {
          if (operand && !this.arithmeticOperandIsSafe(operand, scope)) this.model.inexact.push('[[ ]] arithmetic on text that may hold $(...), which bash would run');
        }
      }
      if (w.text === '-v' && words[i + 1] && /\[/.test(words[i + 1]!.text)) this.model.inexact.push('[[ -v ]] of an array element: its subscript is evaluated, $(...) in it run');
    });
    return out;
  }

  /** An operand bash evaluates as arithmetic runs any `$(...)` in its text: only numbers and trusted names are safe. */
  private arithmeticOperandIsSafe(w: Word, scope: Scope): boolean {
    const arg = this.expander(scope).value(w);
    if (arg.exact) return /^\s*-?\d+\s*$/.test(arg.text) || (/^[A-Za-z_]\w*$/.test(arg.text) && !this.lineAssigned.has(arg.text));
    return w.parts.length === 1 && w.parts[0]!.t === 'param' && !this.lineAssigned.has(w.parts[0]!.name) && !w.parts[0]!.op;
  }

  /**
   * Text bash evaluates as arithmetic: the value of every variable in it is evaluated again, and a
   * subscript's $(...) runs. Numbers, operators and names the line never sets are safe; anything else
   * may run commands the model cannot list.
   */
  private arithmetic(text: string): void {
    if (!arithmeticIsSafe(text, this.lineAssigned)) this.model.inexact.push('arithmetic on text that may hold $(...), which bash would run');
  }

  /** Scripts inside words run before the command: visit them, in order. */
  private words(words: readonly Word[], scope: Scope): Invocation[] {
    const out: Invocation[] = [];
    for (const w of words) for (const p of w.parts) out.push(...this.part(p, scope));
    return out;
  }

  private part(p: Part, scope: Scope): Invocation[] {
    switch (p.t) {
      case 'cmdsub':
      case 'procsub':
        return this.script(p.body, fork(scope, { stdin: p.t === 'procsub' && p.dir === '>' ? { kind: 'pipe', from: [] } : scope.stdin }));
      case 'arith':
        this.arithmetic(p.text);
        return p.subs.flatMap((s) => this.script(s, fork(scope)));
      case 'param':
        if (p.op && /^:?[=]$/.test(p.op)) this.model.notReadOnly.push('assigning expansion ${name=value}');
        if (p.op === ':') this.arithmetic(p.operandText ?? '');
        if (p.subscript !== undefined && !/^([0-9]+|[@*])$/.test(p.subscript)) this.arithmetic(p.subscript);
        return p.subs.flatMap((s) => this.script(s, fork(scope)));
      case 'dq':
        return p.parts.flatMap((q) => this.part(q, scope));
      default:
        return [];
    }
  }

  /** Redirections of a compound command: visit their words; the body reads the redirected input. */
  private redirected(redirects: Redirect[], scope: Scope): Scope {
    if (!redirects.length) return scope;
    const { stdin } = this.redirects(redirects, scope);
    return stdin ? { ...scope, stdin } : scope;
  }

  private redirects(redirects: Redirect[], scope: Scope): { files: FileRedirect[]; stdin?: Stdin; invocations: Invocation[] } {
    const files: FileRedirect[] = [];
    const invocations: Invocation[] = [];
    let stdin: Stdin | undefined;
    const ex = this.expander(scope);
    for (const r of redirects) {
      invocations.push(...this.words([r.target], scope));
      if (r.heredoc) {
        if (!r.heredoc.quoted) for (const p of r.heredoc.body.parts) invocations.push(...this.part(p, scope));
        if (r.fd === undefined || r.fd === 0) stdin = { kind: 'text', text: r.heredoc.quoted ? r.heredoc.body.text : ex.quoted(r.heredoc.body.parts), scripts: r.heredoc.quoted ? [] : scriptsIn(r.heredoc.body) };
        continue;
      }
      if (r.op === '<<<') {
        if (r.fd === undefined || r.fd === 0) stdin = { kind: 'text', text: `${ex.value(r.target).text}\n`, scripts: scriptsIn(r.target) };
        continue;
      }
      const args = ex.word(r.target);
      if ((r.op === '<&' || r.op === '>&') && args.length === 1 && /^(\d+|-)$/.test(args[0]!.text)) continue;
      // `>& word` and `&>`: a file when the word is not a number.
      const target = args.length === 1 ? args[0]! : { text: UNKNOWN, exact: false, many: true };
      const writes = r.op !== '<' && r.op !== '<&';
      const f: FileRedirect = { op: r.op, target, cwd: scope.cwd, writes, ...(r.fd !== undefined ? { fd: r.fd } : {}) };
      files.push(f);
      if ((r.op === '<' || r.op === '<>' || r.op === '<&') && (r.fd === undefined || r.fd === 0)) stdin = { kind: 'file', target, scripts: scriptsIn(r.target) };
    }
    this.model.redirects.push(...files);
    return { files, invocations, ...(stdin ? { stdin } : {}) };
  }

  private simple(c: SimpleCommand, scope: Scope, background: boolean): Invocation[] {
    const out: Invocation[] = [];
    const ex = this.expander(scope);
    // Assignments' values, then the words, then the redirections: bash's order.
    const env: Array<{ name: string; value: Arg }> = [];
    const prefixScope = c.words.length ? fork(scope) : scope;
    for (const a of c.assignments) {
      for (const s of a.subs) out.push(...this.script(s, fork(scope)));
      if (a.subscript !== undefined && !/^\d+$/.test(a.subscript)) this.arithmetic(a.subscript);
      let value: Arg;
      if (a.array) {
        out.push(...this.words(a.array, scope));
        value = { text: UNKNOWN, exact: false, many: false };
      } else {
        if (a.value) out.push(...this.words([a.value], scope));
        value = a.value ? this.expander(prefixScope).value(a.value) : { text: '', exact: true, many: false };
      }
      if (a.append || a.subscript !== undefined || a.array) prefixScope.vars.set(a.name, null);
      else prefixScope.vars.set(a.name, value.exact ? value.text : null);
      if (a.name === 'IFS' && (!value.exact || value.text !== ' \t\n')) this.model.inexact.push('IFS set to another value (field splitting is not modelled then)');
      env.push({ name: a.name, value });
    }
    const argv: Arg[] = [];
    const argScripts: Script[][] = [];
    for (const w of c.words) {
      out.push(...this.words([w], scope));
      const scripts = scriptsIn(w);
      for (const arg of ex.word(w)) {
        argv.push(arg);
        argScripts.push(scripts);
      }
    }
    const { files, stdin, invocations } = this.redirects(c.redirects, scope);
    out.push(...invocations);
    if (!c.words.length || !argv.length) {
      // No words, or words that expand to nothing: assignments stay in this shell.
      if (!c.words.length) for (const a of env) this.model.assignments.push(a);
      return out;
    }
    const inv: Invocation = {
      argv,
      env,
      redirects: files,
      stdin: stdin ?? scope.stdin,
      cwd: scope.cwd,
      vars: new Map(scope.vars),
      argScripts,
      inFunction: scope.inFunction,
      inLoop: scope.inLoop,
      background,
    };
    this.model.invocations.push(inv);
    out.push(inv);
    out.push(...this.builtinEffects(inv, scope));
    return out;
  }

  /** What builtins do to the shell itself: directories, variables, text run by `eval`. */
  private builtinEffects(inv: Invocation, scope: Scope): Invocation[] {
    const start = commandStart(inv.argv.map((a) => (a.exact ? a.text : undefined)));
    const name = start === undefined ? undefined : inv.argv[start];
    if (!name) return [];
    if (!name.exact) {
      this.model.opaque.push(`the command name ${name.text.replace(/\0/g, '…')} is only known at run time`);
      return [];
    }
    const args = inv.argv.slice(start! + 1);
    // -C runs a command with arguments of its own, -W expands words (running their $(...)), -F calls a
    // function: code the line does not show being called (the classifier judges the text).
    if (CALLBACK_TAKERS.has(name.text) && args.some((a) => !a.exact || /^-[A-Za-z]*[CWF]/.test(a.text))) this.model.opaque.push(`${name.text} runs code it is given`);
    switch (name.text) {
      case 'cd':
      case 'pushd':
        this.cd(args, scope);
        return [];
      case 'popd':
        scope.cwd = undefined;
        return [];
      case 'eval': {
        if (!args.every((a) => a.exact)) {
          this.model.opaque.push('eval of text only known at run time');
          return [];
        }
        return this.evalText(args.map((a) => a.text).join(' '), scope);
      }
      case 'trap': {
        // The action runs in this shell, later (on exit or a signal): its commands are the line's too.
        const action = args.find((a) => a.text !== '--');
        if (!action || /^-[lp]$/.test(action.text) || action.text === '-' || action.text === '') return [];
        if (!action.exact) {
          this.model.opaque.push('trap of text only known at run time');
          return [];
        }
        return this.evalText(action.text, scope);
      }
      case 'let':
        for (const a of args) this.arithmetic(a.exact ? a.text : '$');
        return [];

      case 'shopt':
        if (args.some((a) => a.text === '-s' || a.text === '-u') && args.some((a) => !/^-/.test(a.text) && !HARMLESS_SHOPT.test(a.text))) this.model.inexact.push('shopt changes how the rest of the line is read');
        return [];
      case 'set':
        if (args.some((a) => !a.exact || (!HARMLESS_SET.test(a.text) && a.text !== '--'))) this.model.inexact.push('set changes how the rest of the line is read');
        return [];
      case 'hash':
        if (args.some((a) => a.text.startsWith('-p'))) this.model.inexact.push('hash -p changes which program a name runs');
        return [];
      default:
        if (CHANGES_THE_SHELL.has(name.text)) this.model.inexact.push(`${name.text} changes how the rest of the line is read`);
        // Names with a subscript (`test -v 'a[$(x)]'`, `printf -v 'a[i]'`, `read 'a[$(x)]'`): bash
        // evaluates the subscript, running what is in it.
        if (SUBSCRIPT_READERS.has(name.text)) {
          const afterV = name.text === 'test' || name.text === '[' || name.text === 'printf';
          const names = args.filter((x, i) => (afterV ? args[i - 1]?.text === '-v' : !x.text.startsWith('-')));
          for (const n of names) {
            if (!n.exact) this.arithmetic('$');
            else if (n.text.includes('[')) this.arithmetic(n.text.slice(n.text.indexOf('[') + 1));
          }
        }
        if (DECLARATIONS.has(name.text) || VARIABLE_READERS.has(name.text)) {
          // A name reference makes every later use of the name another variable's: not modelled.
          if (DECLARATIONS.has(name.text) && name.text !== 'export' && args.some((a) => !a.exact || /^-[a-zA-Z]*n/.test(a.text))) this.model.inexact.push(`${name.text} -n (a name that stands for another variable)`);
          for (const a of args) {
            const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?=(.*))?$/s.exec(a.text.replace(/^-.*/, ''));
            if (m) scope.vars.set(m[1]!, m[2] && a.exact && !m[2].startsWith('+') ? m[3]! : null);
          }
          // read/mapfile/printf -v/getopts name their variables in various places: all unknown now.
          if (VARIABLE_READERS.has(name.text)) this.lineAssigned.forget(scope.vars);
        }
        return [];
    }
  }

  /** Text parsed and run in this shell (eval, a trap's action). */
  private evalText(text: string, scope: Scope): Invocation[] {
    if (++this.depth > 50) throw new BudgetExceeded('eval nesting');
    try {
      const nested = parseBash(text, this.ctx.budget);
      this.model.secretVariables.push(...secretExpansions(nested.script));
      if (nested.error) this.model.inexact.push(`text run in this shell that does not parse: ${nested.error}`);
      this.model.inexact.push(...nested.inexact);
      return this.script(nested.script, scope);
    } finally {
      this.depth--;
    }
  }

  private cd(args: Arg[], scope: Scope): void {
    const operands = args.filter((a) => !(a.exact && /^-[LPe@]+$/.test(a.text)));
    const oldpwd = scope.cwd;
    if (operands.length === 0) scope.cwd = [scope.vars.get('HOME') ?? this.ctx.home].filter((h): h is string => typeof h === 'string');
    else if (operands[0]!.exact && operands[0]!.text === '-' && operands.length === 1) {
      // cd - goes back to $OLDPWD.
      const old = scope.vars.get('OLDPWD');
      scope.cwd = typeof old === 'string' ? [old] : undefined;
    } else if (operands.length > 1 || !operands[0]!.exact || scope.cwd === undefined) scope.cwd = undefined;
    else {
      const dir = operands[0]!.text;
      // A relative name may be found through CDPATH instead; only an unset one is known.
      if (!/^(\/|\.\/|\.\.\/|\.$|\.\.$)/.test(dir) && scope.vars.has('CDPATH')) scope.cwd = undefined;
      else scope.cwd = scope.cwd.map((c) => resolveIn(c, dir));
    }
    const oldSingle = oldpwd?.length === 1 ? oldpwd[0]! : null;
    scope.vars.set('OLDPWD', oldSingle);
    scope.vars.set('PWD', scope.cwd?.length === 1 ? scope.cwd[0]! : null);
  }
}

/** After a part that may or may not have run: values that differ become unknown, directories possibilities. */
function merge(scope: Scope, before: Scope, also?: Scope): void {
  for (const s of also ? [before, also] : [before]) {
    for (const [k, v] of s.vars) if (scope.vars.get(k) !== v) scope.vars.set(k, null);
    for (const k of scope.vars.keys()) if (!s.vars.has(k)) scope.vars.set(k, null);
    if (scope.cwd === undefined || s.cwd === undefined) scope.cwd = undefined;
    else scope.cwd = [...new Set([...scope.cwd, ...s.cwd])];
  }
}

/** `while true`, `while :`, `until false`: a loop whose test never changes. */
function loopsForever(kind: 'while' | 'until', test: Script): boolean {
  const first = test.items.length === 1 ? test.items[0]!.first.commands[0] : undefined;
  const word = first?.type === 'simple' && first.words.length === 1 ? first.words[0]!.text : '';
  return kind === 'while' ? /^(true|:|\/bin\/true|\/usr\/bin\/true)$/.test(word) : /^(false|\/bin\/false)$/.test(word);
}

/** The script starts a background job somewhere (`cmd &`). */
function startsJobs(s: Script): boolean {
  let found = false;
  walkCommands([s], () => {}, false, (inner) => {
    found ||= inner.items.some((i) => i.background);
  });
  return found;
}

function scriptsIn(w: Word): Script[] {
  const out: Script[] = [];
  const visit = (p: Part) => {
    if (p.t === 'cmdsub' || p.t === 'procsub') out.push(p.body);
    else if (p.t === 'dq') p.parts.forEach(visit);
    else if (p.t === 'param' || p.t === 'arith') out.push(...p.subs);
  };
  w.parts.forEach(visit);
  return out;
}

/** `$((...))` text that evaluates no untrusted text: numbers, operators, names the line never sets. */
function arithmeticIsSafe(text: string, lineAssigned: Assigned): boolean {
  if (/[$`'"\\[]/.test(text) || /(^|[^=!<>])=(?!=)|\+\+|--|[-+*/%&|^]=|<<=|>>=/.test(text)) return false;
  for (const name of text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (lineAssigned.has(name)) return false;
  return true;
}

/** Whether a function body starts background jobs or pipelines. */
function containsSpawn(c: Command): boolean {
  let found = false;
  walkCommands([{ start: 0, end: 0, items: [{ start: 0, end: 0, first: { start: 0, end: 0, negated: false, timed: false, commands: [c] }, rest: [], background: false }] }], () => {}, false, (s) => {
    found ||= s.items.some((i) => i.background || [i.first, ...i.rest.map((r) => r.pipeline)].some((p) => p.commands.length > 1));
  });
  return found;
}

/**
 * Variables a part of the line may assign: the names seen (`x=`, `for x`, `read x`, `declare x`,
 * `${x:=}`...), or `any` at all (eval, source, a command name only known at run time).
 */
class Assigned {
  readonly names = new Set<string>();
  any = false;

  has(name: string): boolean {
    return this.any || this.names.has(name);
  }

  /** Makes them unknown in `vars` (with `any`, those with a default too: HOME, IFS...). */
  forget(vars: Map<string, string | null>): void {
    for (const n of this.any ? [...vars.keys(), ...DEFAULTED, ...this.names] : this.names) vars.set(n, null);
  }
}

/** Variables the expander gives a value when the line has not set them. */
const DEFAULTED = ['HOME', 'IFS', 'PWD', 'OLDPWD', 'CDPATH'];

interface Changes {
  vars: Assigned;
  /** The directory may change (cd, pushd, popd, or text run by eval/source). */
  cd: boolean;
}

/** What scripts may change in the shell that runs them, read from their syntax (nested scripts included: over-approximated). */
function changesIn(scripts: Script[]): Changes {
  const changes: Changes = { vars: new Assigned(), cd: false };
  const part = (p: Part): void => {
    if (p.t === 'param' && p.op && /^:?=$/.test(p.op)) changes.vars.names.add(p.name);
    if (p.t === 'dq') p.parts.forEach(part);
  };
  walkCommands(scripts, (c) => {
    if (c.type === 'for' || c.type === 'select') changes.vars.names.add(c.name);
    // Names followed by an assignment operator (a name is read whole: \b keeps the scan linear).
    if (c.type === 'arith') for (const m of c.text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\b\s*(\+\+|--|[-+*/%&|^]?=(?!=)|<<=|>>=)/g)) changes.vars.names.add(m[1]!);
    if (c.type !== 'simple') return;
    for (const a of c.assignments) changes.vars.names.add(a.name);
    for (const w of c.words) w.parts.forEach(part);
    const names = c.words.map((w) => literalWord(w.parts));
    const start = commandStart(names);
    if (start === undefined || start >= c.words.length) return;
    // A name only known at run time may be any builtin (the classifier never allows running one);
    // `$FUNCNAME` calls the function it is in.
    const word = c.words[start]!.parts;
    if (word.length === 1 && word[0]!.t === 'param' && word[0]!.name === 'FUNCNAME' && !word[0]!.op && !word[0]!.prefix && word[0]!.subscript === undefined) return;
    const name = names[start] ?? 'eval';
    if (name === 'cd' || name === 'pushd' || name === 'popd' || name === 'eval' || name === 'source' || name === '.') changes.cd = true;
    if (name === 'eval' || name === 'source' || name === '.') changes.vars.any = true;
    if (DECLARATIONS.has(name) || VARIABLE_READERS.has(name)) {
      for (const arg of names.slice(start + 1)) {
        if (arg === undefined) changes.vars.any = true;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(arg ?? '');
        if (m) changes.vars.names.add(m[1]!);
      }
    }
  }, true);
  return changes;
}

/** Every variable the line assigns anywhere. */
function assignedAnywhere(s: Script): Assigned {
  return changesIn([s]).vars;
}
