/**
 * The decision for one Bash command line:
 *   deny  - something in it is catastrophic (the reason goes to Claude);
 *   ask   - the parse cannot be trusted or a command is hidden from view: a person must look, even if an
 *           allow rule would match;
 *   allow - every command in it provably only reads;
 *   none  - anything else: print nothing, and Claude Code's own rules and prompt decide.
 */
import type { Parser } from 'web-tree-sitter';
import type { HookConfig } from './config.js';
import { analyze, type Analysis, type SimpleCommand } from './commands.js';
import { baseName, invocationDeny, lineDeny, type DenyContext, type Invocation } from './catastrophic.js';
import { hasOption } from './options.js';
import { SECRET_VARIABLE } from '../shared/secretNames.js';
import { argumentsAreReadOnly, envPrefixIsHarmless, READ_ONLY_SUBCOMMANDS, READ_ONLY_VERBS, type PolicyContext } from './policy.js';
import { simpleSyntax } from './simple.js';
import type { SyntaxTree } from './syntax.js';
import { expandBraces, type Word } from './words.js';

export type Verdict = 'allow' | 'deny' | 'ask' | 'none';

export interface Decision {
  decision: Verdict;
  reason: string;
}

export interface ClassifyContext {
  /** tree-sitter, for lines outside simple.ts's plain subset; without it such a line throws NeedsParser. */
  parser?: Parser;
  cwd?: string;
  home: string;
  config: HookConfig;
  /** performance.now() value after which the hook stops and asks. */
  deadline: number;
}

const MAX_COMMAND_LENGTH = 100_000;
const MAX_NESTING = 4;
const STANDARD_BIN_DIRS = /^\/(usr\/(local\/)?)?s?bin\/[^/]+$|^\/opt\/homebrew\/s?bin\/[^/]+$/;
const SHELLS = /^(sh|bash|dash|zsh|ksh|mksh|ash)$/;
const SAFE_REDIRECT_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);

/** Thrown when a line needs the full parser and the context has none: load it and classify again. */
export class NeedsParser extends Error {}

/** Parses, giving up (null) when the deadline passes: a slow parse must never become a silent allow. */
function parseBefore(p: Parser, source: string, deadline: number): SyntaxTree | null {
  return p.parse(source, null, {
    progressCallback: (() => performance.now() > deadline) as unknown as () => void,
  });
}

/** What one simple command turned out to be after unwrapping. */
interface Unwrapped {
  layers: Invocation[];
  /** Why the command cannot be proven read-only (undefined: it can). */
  notReadOnly?: string;
  /** Why nobody can tell what it runs: the hook asks. */
  opaque?: string;
  /** Verdicts of scripts inside it (sh -c '...', eval '...'). */
  nested: Decision[];
}

class Classifier {
  private readonly policy: PolicyContext;
  private readonly deny: DenyContext;

  constructor(private readonly ctx: ClassifyContext) {
    const { config } = ctx;
    const subcommands: Record<string, string[]> = { ...READ_ONLY_SUBCOMMANDS };
    for (const [verb, subs] of Object.entries(config.subcommandSafe)) subcommands[verb] = [...(subcommands[verb] ?? []), ...subs];
    this.policy = { safeVerbs: new Set([...READ_ONLY_VERBS, ...config.safeVerbs]), subcommands };
    this.deny = { home: ctx.home, protectedPaths: config.protectedPaths, hardDeny: config.hardDeny };
  }

  classify(source: string, depth: number): Decision {
    if (source.length > MAX_COMMAND_LENGTH) return { decision: 'ask', reason: 'command too long to check' };
    const { parser } = this.ctx;
    const tree = simpleSyntax(source) ?? (parser ? parseBefore(parser, source, this.ctx.deadline) : undefined);
    if (tree === undefined) throw new NeedsParser(source);
    if (!tree) return { decision: 'ask', reason: 'checking took too long' };
    try {
      const analysis = analyze(tree.rootNode, this.ctx.cwd, this.ctx.home);
      const verdict = this.decide(analysis, depth);
      if (verdict.decision === 'deny' || analysis.untrusted.length === 0) return verdict;
      // The parse is off, so commands may be missing from it. `{rm,-rf,/}` is one: bash expands the
      // braces into a command line, tree-sitter sees an error. Look again with braces expanded.
      const expanded = expandCommandBraces(source);
      if (expanded !== source && depth < MAX_NESTING) {
        const again = this.classify(expanded, depth + 1);
        if (again.decision === 'deny') return again;
      }
      return { decision: 'ask', reason: `cannot be checked with certainty: ${analysis.untrusted[0]}` };
    } finally {
      tree.delete();
    }
  }

  private decide(analysis: Analysis, depth: number): Decision {
    const unwrapped = analysis.commands.map((c) => this.unwrap(c, depth));
    const invocations = unwrapped.flatMap((u) => u.layers);
    for (const inv of invocations) {
      const reason = invocationDeny(inv, this.deny);
      if (reason) return { decision: 'deny', reason };
    }
    const lineReason = lineDeny(analysis, invocations, this.deny);
    if (lineReason) return { decision: 'deny', reason: lineReason };
    const nested = unwrapped.flatMap((u) => u.nested);
    const denied = nested.find((d) => d.decision === 'deny');
    if (denied) return denied;
    if (analysis.untrusted.length) return { decision: 'ask', reason: analysis.untrusted[0]! };
    const opaque = unwrapped.find((u) => u.opaque)?.opaque ?? nested.find((d) => d.decision === 'ask')?.reason;
    if (opaque) return { decision: 'ask', reason: opaque };

    const why = this.whyNotReadOnly(analysis, unwrapped, nested);
    if (why) return { decision: 'none', reason: why };
    const verbs = [...new Set(unwrapped.map((u) => u.layers[u.layers.length - 1]?.verb).filter(Boolean))];
    return { decision: 'allow', reason: `read-only: ${verbs.join(', ') || 'no command'}` };
  }

  private whyNotReadOnly(analysis: Analysis, unwrapped: Unwrapped[], nested: Decision[]): string | undefined {
    if (analysis.notReadOnly.length) return analysis.notReadOnly[0];
    for (const r of analysis.redirects) {
      if (r.heredocExpands) return 'here-document with expansions';
      const writes = /^(>|>>|&>|&>>|>\||<>|>&)$/.test(r.operator);
      if (!writes || !r.target) continue;
      const value = r.target.value;
      if (r.operator === '>&' && value !== undefined && /^(\d+|-)$/.test(value)) continue;
      if (value === undefined || !SAFE_REDIRECT_TARGETS.has(value)) return `writes to ${r.target.text}`;
    }
    for (const u of unwrapped) if (u.notReadOnly) return u.notReadOnly;
    if (nested.some((d) => d.decision !== 'allow')) return 'runs a script that is not read-only';
    for (const c of analysis.commands) {
      const words = [c.name, ...c.args, ...c.assignments.map((a) => a.value)].filter((w): w is Word => w !== undefined);
      const secret = words.flatMap((w) => w.variables).find((v) => SECRET_VARIABLE.test(v));
      if (secret) return `expands $${secret}, which may hold a secret`;
    }
    return undefined;
  }

  /** Peels sudo, env, command, nice, timeout, xargs, sh -c, eval... down to what really runs. */
  private unwrap(cmd: SimpleCommand, depth: number): Unwrapped {
    const result: Unwrapped = { layers: [], nested: [] };
    const notReadOnly = (why: string) => (result.notReadOnly ??= why);
    for (const a of cmd.assignments) {
      if (!envPrefixIsHarmless(a.name, a.value)) notReadOnly(`sets ${a.name} for the command`);
    }
    const name = cmd.name;
    if (!name) return result;
    if (name.value === undefined || name.dynamic) {
      result.opaque = `the command name ${name.text} is only known at run time`;
      return result;
    }
    if (name.ansiC || name.brace || name.glob) {
      // Still look at what it decodes to, so `$'\x72m' -rf /` is denied rather than asked about.
      const [verb = '', ...rest] = name.brace ? expandBraces(name.value) : [name.value];
      result.layers.push({ verb: baseName(verb), args: [...rest.map((v) => ({ ...name, value: v })), ...cmd.args], cmd });
      result.opaque = `the command name ${name.text} is disguised (quoting or expansion)`;
      return result;
    }
    if (name.value.includes('/') && !STANDARD_BIN_DIRS.test(name.value)) notReadOnly(`runs ${name.value}`);

    let verb = baseName(name.value);
    let args = cmd.args;
    for (;;) {
      result.layers.push({ verb, args, cmd });
      const inner = this.wrapped(verb, args, result, depth);
      if (!inner) break;
      if (inner.name.value === undefined || inner.name.dynamic) {
        result.opaque = `${verb} runs a command only known at run time`;
        break;
      }
      verb = baseName(inner.name.value);
      args = inner.args;
    }
    const last = result.layers[result.layers.length - 1]!;
    const outer = result.layers[0]!.verb;
    if (outer === 'xargs' && result.layers.length > 1 && !this.policy.safeVerbs.has(last.verb)) {
      notReadOnly(`xargs feeds arbitrary arguments to ${last.verb}`);
    }
    // A shell -c or eval is judged by the script it runs (result.nested), not as a command of its own.
    const judgedByScript = result.nested.length > 0;
    if (!result.notReadOnly && !result.opaque && !judgedByScript && !this.isWrapperOnly(last) && !argumentsAreReadOnly(last.verb, last.args, this.policy)) {
      notReadOnly(`${last.verb} is not known to be read-only with these arguments`);
    }
    return result;
  }

  /** `command -v x`, `exec` with only redirections: wrappers that run nothing. */
  private isWrapperOnly(inv: Invocation): boolean {
    const v = inv.args.map((a) => a.value);
    if (inv.verb === 'command') return v[0] === '-v' || v[0] === '-V';
    return inv.verb === 'exec' && inv.args.length === 0;
  }

  /** If `verb args` runs another command, returns it; records scripts and side effects on the way. */
  private wrapped(verb: string, args: Word[], result: Unwrapped, depth: number): { name: Word; args: Word[] } | undefined {
    const vals = args.map((a) => a.value);
    const from = (i: number) => (i < args.length ? { name: args[i]!, args: args.slice(i + 1) } : undefined);
    const skipOptions = (valueOptions: RegExp, flagOptions: RegExp, start = 0): number => {
      let i = start;
      while (i < args.length) {
        const v = vals[i];
        if (v === '--') return i + 1;
        if (v === undefined || !v.startsWith('-') || v === '-') return i;
        i += valueOptions.test(v) ? 2 : flagOptions.test(v) ? 1 : Number.NaN;
        if (Number.isNaN(i)) return -1;
      }
      return i;
    };
    switch (verb) {
      case 'sudo':
      case 'doas': {
        result.notReadOnly ??= `${verb} runs as another user`;
        const i = skipOptions(/^-[ugCDhpUrtT]$/, /^-[EHnSbkKlvAPsi]+$|^--[a-z-]+(=.*)?$/);
        return i >= 0 ? from(i) : undefined;
      }
      case 'env': {
        let i = skipOptions(/^-[uC]$/, /^-[i0v]+$|^--(ignore-environment|null|unset=.*|chdir=.*|debug)$/);
        if (i < 0 || vals.some((v) => v === '-S' || v?.startsWith('--split-string'))) {
          result.opaque = 'env -S splits a string into a command';
          return undefined;
        }
        if (hasOption(vals.slice(0, i).map((v) => v ?? ''), { short: 'C', long: ['chdir'] })) result.notReadOnly ??= 'env -C changes directory';
        while (i < args.length && /^[A-Za-z_]\w*=/.test(args[i]!.text)) {
          const [n, ...v] = (vals[i] ?? args[i]!.text).split('=');
          if (!envPrefixIsHarmless(n!, { ...args[i]!, value: v.join('='), dynamic: args[i]!.dynamic })) result.notReadOnly ??= `sets ${n} for the command`;
          i++;
        }
        if (i >= args.length) result.notReadOnly ??= 'env prints the environment, which holds secrets';
        return from(i);
      }
      case 'command':
      case 'builtin': {
        if (vals[0] === '-v' || vals[0] === '-V') return undefined;
        const i = skipOptions(/^$/, /^-p$/);
        return i >= 0 ? from(i) : undefined;
      }
      case 'exec': {
        const i = skipOptions(/^-a$/, /^-[cl]+$/);
        return i >= 0 ? from(i) : undefined;
      }
      case 'nice': {
        const i = skipOptions(/^-n$/, /^-\d+$|^--adjustment=.*$/);
        return i >= 0 ? from(i) : undefined;
      }
      case 'nohup':
        result.notReadOnly ??= 'nohup writes nohup.out';
        return from(0);
      case 'time': {
        const i = skipOptions(/^$/, /^-p$/);
        return i >= 0 ? from(i) : undefined;
      }
      case 'stdbuf': {
        const i = skipOptions(/^-[ioe]$/, /^-[ioe].+$|^--(input|output|error)=.*$/);
        return i >= 0 ? from(i) : undefined;
      }
      case 'timeout': {
        const i = skipOptions(/^-[sk]$/, /^--(signal|kill-after)=.*$|^--(preserve-status|foreground|verbose)$|^-v$/);
        return i >= 0 ? from(i + 1) : undefined; // then the duration, then the command
      }
      case 'xargs': {
        const i = skipOptions(/^-[adEIiLlnPs]$/, /^-[0prtx]+$|^-[IiLlnPs].+$|^--[a-z-]+(=.*)?$/);
        if (i < 0) return undefined;
        if (i >= args.length) return undefined; // bare xargs runs echo
        return from(i);
      }
      case 'eval': {
        if (vals.some((v) => v === undefined)) {
          result.opaque = 'eval of text only known at run time';
          return undefined;
        }
        result.nested.push(this.nested(vals.join(' '), depth));
        return undefined;
      }
      default:
        if (SHELLS.test(verb)) return this.shell(verb, args, result, depth);
        if (verb === 'source' || verb === '.') result.notReadOnly ??= `${verb} runs the commands in a file`;
        return undefined;
    }
  }

  private shell(verb: string, args: Word[], result: Unwrapped, depth: number): undefined {
    const c = args.findIndex((a) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a.value ?? ''));
    if (c < 0) {
      result.notReadOnly ??= `${verb} runs a script`;
      return undefined;
    }
    // Login and interactive shells read startup files (~/.profile, ~/.bashrc) that could hold anything.
    const options = args.slice(0, c + 1).map((a) => a.value ?? '');
    if (options.some((o) => (/^-[a-zA-Z]+$/.test(o) && /[il]/.test(o)) || (o.startsWith('--') && o !== '--norc' && o !== '--noprofile'))) {
      result.notReadOnly ??= `${verb} starts a login or interactive shell, which reads startup files`;
    }
    const script = args[c + 1];
    if (!script || script.value === undefined) {
      result.opaque = `${verb} -c of a script only known at run time`;
      return undefined;
    }
    result.nested.push(this.nested(script.value, depth));
    return undefined;
  }

  private nested(script: string, depth: number): Decision {
    if (depth >= MAX_NESTING) return { decision: 'ask', reason: 'scripts nested too deeply' };
    return this.classify(script, depth + 1);
  }
}

/** `{rm,-rf,/}` -> `rm -rf /`, for a second look at lines tree-sitter cannot parse. */
function expandCommandBraces(source: string): string {
  return source.replace(/(^|[\s;&|(])\{([^{}\s]*,[^{}\s]*)\}(?=$|[\s;&|)])/g, (_m, lead: string, inner: string) => `${lead}${inner.split(',').join(' ')}`);
}

export function classifyCommand(command: string, ctx: ClassifyContext): Decision {
  return new Classifier(ctx).classify(command, 0);
}
