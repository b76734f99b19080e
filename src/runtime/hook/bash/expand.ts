/**
 * What a word becomes when bash expands it, as far as the line itself tells: brace expansion (bash's
 * braces.c algorithm, on the parsed parts), tilde, parameters whose values are known, field splitting
 * on IFS, and which characters stay active for pathname expansion. Unknown pieces (a command's output,
 * a variable from the environment) are kept as UNKNOWN characters in the text, so checks can still see
 * the shape (`"$DIR"/` is UNKNOWN + '/').
 */
import type { ParamPart, Part, Word } from './ast.js';
import { BudgetExceeded, type Budget } from '../budget.js';

/** Stands for text only known when the command runs. */
export const UNKNOWN = '\u0000';

export interface Arg {
  /** The field's text; UNKNOWN where a piece is not known. */
  text: string;
  /** No UNKNOWN in it, and it is exactly one field. */
  exact: boolean;
  /** It may become any number of fields (unquoted unknown expansion, or a glob). */
  many: boolean;
  /** Pathname pattern (quoted special characters backslash-escaped) when it has active glob characters. */
  pattern?: string;
}

/** What expansion needs from the line and the machine. */
export interface ExpandContext {
  /** Variables: a value, `null` for set in this line to something unknown; absent for the environment. */
  vars: ReadonlyMap<string, string | null>;
  home: string;
  /** `~user`'s home, if known. */
  userHome(user: string): string | undefined;
  budget: Budget;
  /** Inside a function body (positional parameters are the function's). */
  inFunction?: boolean;
}

const DEFAULT_IFS = ' \t\n';

/** A character after brace expansion: literal (active = unquoted, so braces and globs count) or a part. */
type Cell = { ch: string; active: boolean } | { part: Part };

// ---- brace expansion (braces.c) -------------------------------------------------------------------

function cellsOf(parts: readonly Part[]): Cell[] {
  const cells: Cell[] = [];
  for (const p of parts) {
    if (p.t === 'lit') for (const ch of p.text) cells.push({ ch, active: true });
    else cells.push({ part: p });
  }
  return cells;
}

const isCh = (c: Cell | undefined, ch: string): boolean => c !== undefined && 'ch' in c && c.active && c.ch === ch;

/**
 * brace_gobbler: index of the cell that satisfies `want` (`{`, `}` or `,`) at the top level, or -1.
 * Quoted text and expansions are single cells, so they never count.
 */
function gobble(cells: Cell[], from: number, want: string, budget: Budget): number {
  budget.spend(cells.length - from, 'brace expansion');
  let level = 0;
  let commas = want === '}' ? 0 : 1;
  for (let i = from; i < cells.length; i++) {
    const c = cells[i]!;
    if (!('ch' in c) || !c.active) continue;
    if (c.ch === want && level === 0 && commas > 0) {
      // An open brace at the start followed by a close brace is left alone (`{}`).
      if (want === '{' && i === 0 && isCh(cells[i + 1], '}')) continue;
      return i;
    }
    if (c.ch === '{') level++;
    else if (c.ch === '}' && level) level--;
    else if (want === '}' && c.ch === ',' && level === 0) commas++;
    else if (want === '}' && c.ch === '.' && isCh(cells[i + 1], '.') && !isCh(cells[i + 2], want) && level === 0) commas++;
  }
  return -1;
}

function sequence(amble: Cell[], limit: number): Cell[][] | undefined {
  if (!amble.every((c) => 'ch' in c)) return undefined;
  const text = amble.map((c) => (c as { ch: string }).ch).join('');
  const m = /^(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, a, b, inc] = m as unknown as [string, string, string, string | undefined];
  const numeric = /\d/.test(a);
  if (numeric !== /\d/.test(b)) return undefined;
  const start = numeric ? Number(a) : a.charCodeAt(0);
  const end = numeric ? Number(b) : b.charCodeAt(0);
  let step = Math.abs(Number(inc ?? 1)) || 1;
  if (start > end) step = -step;
  const width = numeric && (/^-?0\d/.test(a) || /^-?0\d/.test(b)) ? Math.max(a.length, b.length) : 0;
  const out: Cell[][] = [];
  for (let n = start; step > 0 ? n <= end : n >= end; n += step) {
    if (out.length >= limit) throw new BudgetExceeded('brace expansion');
    let s = numeric ? String(Math.abs(n)).padStart(width - (n < 0 ? 1 : 0), '0') : String.fromCharCode(n);
    if (numeric && n < 0) s = `-${s}`;
    // Between Z and a lie [ \ ] ^ _ `, which bash then reads as quoting, name and glob characters:
    // the whole sequence becomes words only known at run time (an unquoted unknown expansion).
    if (!numeric && !/^[A-Za-z]$/.test(s)) return [[{ part: { t: 'param', name: '', braced: true, subs: [] } }]];
    out.push([...s].map((ch) => ({ ch, active: false })));
  }
  return out;
}

/** brace_expand: every expansion of the cells; more than `limit` of them is more than the hook checks. */
function braceExpand(cells: Cell[], limit: number, budget: Budget): Cell[][] {
  budget.spend(cells.length, 'brace expansion');
  let i = 0;
  let open = -1;
  for (;;) {
    open = gobble(cells, i, '{', budget);
    if (open < 0) break;
    if (gobble(cells, open + 1, '}', budget) >= 0) break;
    i = open + 1;
  }
  if (open < 0) return [cells];
  const close = gobble(cells, open + 1, '}', budget);
  const preamble = cells.slice(0, open);
  const amble = cells.slice(open + 1, close);
  const postamble = cells.slice(close + 1);
  let middles: Cell[][];
  const hasComma = gobble(amble, 0, ',', budget) >= 0;
  if (!hasComma) {
    const seq = sequence(amble, limit);
    if (!seq) {
      // Not an expansion after all: keep the braces as text and go on after them.
      const rest = braceExpand(postamble, limit, budget);
      return rest.map((r) => [...preamble, ...cells.slice(open, close + 1).map((c) => ('ch' in c ? { ch: c.ch, active: false } : c)), ...r]);
    }
    middles = seq;
  } else {
    middles = [];
    let from = 0;
    for (;;) {
      const comma = nextTopComma(amble, from);
      const piece = amble.slice(from, comma < 0 ? amble.length : comma);
      for (const e of braceExpand(piece, limit, budget)) middles.push(e);
      if (comma < 0) break;
      from = comma + 1;
    }
  }
  const tails = braceExpand(postamble, limit, budget);
  const out: Cell[][] = [];
  for (const m of middles) {
    for (const t of tails) {
      out.push([...preamble, ...m, ...t]);
      if (out.length > limit) throw new BudgetExceeded('brace expansion');
    }
  }
  return out;
}

/**
 * Brace expansion works on the word's text, so a `$name` it puts letters after reads a longer name:
 * `$HOME{a,b}` is `$HOMEa $HOMEb`. (The parser reads names whole, so only expansion makes this.)
 */
function longerNames(cells: Cell[]): Cell[] {
  const out: Cell[] = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    const p = 'part' in c && c.part.t === 'param' ? c.part : undefined;
    if (!p || p.braced || !/^[A-Za-z_]/.test(p.name)) {
      out.push(c);
      continue;
    }
    let name = p.name;
    for (let next = cells[i + 1]; next && 'ch' in next && /^\w$/.test(next.ch); next = cells[i + 1]) {
      name += next.ch;
      i++;
    }
    out.push(name === p.name ? c : { part: { ...p, name } });
  }
  return out;
}

/** Plain text in a `${...}` operand: no quotes, expansions or glob characters. */
const PLAIN_OPERAND = /^[\w.,~+=@%^-]*$/;

/**
 * `${v:OFFSET:LENGTH}` with literal numbers, `${v/PAT/REP}` (and `//`, `/#`, `/%`) with plain text,
 * `${v^^}` `${v,,}` `${v^}` `${v,}` without a pattern: the value bash computes. Anything else
 * (arithmetic, glob patterns, quoting) is undefined: only known at run time.
 */
function transform(v: string, op: string, operand: string): string | undefined {
  // Characters, case and offsets beyond ASCII depend on the locale the command runs in.
  if (/[^\x00-\x7f]/.test(v + operand)) return undefined;
  const chars = [...v];
  if (op === ':') {
    const m = /^\s*(-?\d{1,9})\s*(?::\s*(-?\d{1,9})\s*)?$/.exec(operand);
    if (!m) return undefined;
    let start = Number(m[1]);
    if (start < 0) start += chars.length;
    if (start < 0 || start > chars.length) return '';
    if (m[2] === undefined) return chars.slice(start).join('');
    const length = Number(m[2]);
    const end = length < 0 ? chars.length + length : start + length;
    return end < start ? undefined : chars.slice(start, end).join('');
  }
  if (op.startsWith('/')) {
    const slash = operand.indexOf('/');
    const [pat, rep] = slash < 0 ? [operand, ''] : [operand.slice(0, slash), operand.slice(slash + 1)];
    if (!pat || !PLAIN_OPERAND.test(pat) || !PLAIN_OPERAND.test(rep)) return undefined;
    if (op === '//') return v.split(pat).join(rep);
    if (op === '/#') return v.startsWith(pat) ? rep + v.slice(pat.length) : v;
    if (op === '/%') return v.endsWith(pat) ? v.slice(0, v.length - pat.length) + rep : v;
    const at = v.indexOf(pat);
    return at < 0 ? v : v.slice(0, at) + rep + v.slice(at + pat.length);
  }
  if (operand !== '') return undefined;
  if (op === '^^') return v.toUpperCase();
  if (op === ',,') return v.toLowerCase();
  if (op === '^') return chars.length ? chars[0]!.toUpperCase() + chars.slice(1).join('') : '';
  if (op === ',') return chars.length ? chars[0]!.toLowerCase() + chars.slice(1).join('') : '';
  return undefined;
}

function sameCells(a: Cell[], b: Cell[]): boolean {
  return a.length === b.length && a.every((c, i) => {
    const d = b[i]!;
    return 'ch' in c ? 'ch' in d && c.ch === d.ch : 'part' in d && c.part === d.part;
  });
}

function nextTopComma(cells: Cell[], from: number): number {
  let level = 0;
  for (let i = from; i < cells.length; i++) {
    if (isCh(cells[i], '{')) level++;
    else if (isCh(cells[i], '}') && level) level--;
    else if (isCh(cells[i], ',') && level === 0) return i;
  }
  return -1;
}

function partsOf(cells: Cell[]): Part[] {
  const parts: Part[] = [];
  let lit = '';
  let quotedLit = '';
  const flush = () => {
    if (lit) parts.push({ t: 'lit', text: lit });
    if (quotedLit) parts.push({ t: 'sq', text: quotedLit });
    lit = '';
    quotedLit = '';
  };
  for (const c of cells) {
    if ('ch' in c) {
      if (c.active) {
        if (quotedLit) flush();
        lit += c.ch;
      } else {
        if (lit) flush();
        quotedLit += c.ch;
      }
    } else {
      flush();
      parts.push(c.part);
    }
  }
  flush();
  return parts;
}

// ---- the other expansions -------------------------------------------------------------------------

/** A run of expanded text: `quoted` text is never split or globbed; `expanded` text came from $... */
interface Piece {
  text: string;
  quoted: boolean;
  expanded: boolean;
  /** `"$@"` / `"${a[@]}"`: quoted, yet any number of words (none at all included). */
  words?: boolean;
}

const GLOB_CHARS = /[*?[]/;
/** `*` and `?` always make a pattern; `[` only with a `]` after it (a lone `[` is the test command). */
const WILDCARDS = /[*?]/;

export class Expander {
  constructor(private readonly ctx: ExpandContext) {}

  /** Expands a command word (or a redirection target) into its fields. */
  word(w: Word, opts: { assignmentLike?: boolean; noBraces?: boolean } = {}): Arg[] {
    const assignmentLike = opts.assignmentLike ?? isAssignmentLike(w.parts);
    if (opts.noBraces) return this.fields(this.pieces(w.parts, { tilde: true, colons: assignmentLike ? 'after-equals' : 'none' }));
    const cells = cellsOf(w.parts);
    const args: Arg[] = [];
    for (const body of braceExpand(cells, 4096, this.ctx.budget)) {
      // A word brace expansion changed is a new word, without the parser's assignment flag (subst.c).
      const colons = assignmentLike && sameCells(body, cells) ? 'after-equals' : 'none';
      args.push(...this.fields(this.pieces(partsOf(longerNames(body)), { tilde: true, colons })));
    }
    return args;
  }

  /** The value of an assignment's right side: no brace expansion, no splitting, no globbing. */
  value(w: Word): Arg {
    const pieces = this.pieces(w.parts, { tilde: true, colons: 'value' });
    const text = pieces.map((p) => p.text).join('');
    return { text, exact: !text.includes(UNKNOWN), many: false };
  }

  /** Text of parts in double-quote context (here-document bodies, `[[ ]]` operands). */
  quoted(parts: readonly Part[]): string {
    return this.pieces([{ t: 'dq', parts: [...parts] }], { tilde: false, colons: 'none' }).map((p) => p.text).join('');
  }

  /**
   * The pieces of a word. `colons`: where else a tilde expands: after each `:` of an assignment's
   * value, or after the `=` and each `:` of an argument that looks like an assignment.
   */
  private pieces(parts: readonly Part[], opts: { tilde: boolean; colons: 'none' | 'value' | 'after-equals' }): Piece[] {
    const out: Piece[] = [];
    parts.forEach((p, index) => {
      this.ctx.budget.spend(1, 'expansion');
      if (p.t === 'lit') {
        let text = p.text;
        if (opts.tilde && index === 0 && text.startsWith('~')) {
          // The prefix runs to the first slash (in an assignment's value, also to the first colon).
          const end = opts.colons === 'value' ? text.search(/[/:]/) : text.indexOf('/');
          const prefix = end < 0 ? text : text.slice(0, end);
          // A tilde prefix must be entirely unquoted: `~"ada"` is literal.
          const whole = end >= 0 || parts.length === 1;
          const home = whole ? this.tilde(prefix.slice(1)) : undefined;
          if (home !== undefined) {
            out.push({ text: home, quoted: true, expanded: true });
            text = text.slice(prefix.length);
          }
        }
        if (opts.colons !== 'none' && index === 0) text = this.colonTildes(text, opts.colons);
        out.push({ text, quoted: false, expanded: false });
      } else if (p.t === 'esc' || p.t === 'sq' || p.t === 'ansi') out.push({ text: p.text, quoted: true, expanded: false });
      else if (p.t === 'dq') {
        const inner = this.pieces(p.parts, { tilde: false, colons: 'none' });
        // "$@" of nothing and "" are different: the quotes alone make an (empty) field.
        out.push({ text: '', quoted: true, expanded: false });
        for (const q of inner) out.push({ ...q, quoted: true });
        if (p.parts.some((q) => q.t === 'param' && (q.name === '@' || q.subscript === '@'))) out.push({ text: '', quoted: true, expanded: true, words: true });
      } else if (p.t === 'param') out.push({ text: this.param(p), quoted: false, expanded: true });
      // A process substitution becomes the path of a pipe: /dev/fd/N.
      else if (p.t === 'procsub') out.push({ text: `/dev/fd/${UNKNOWN}`, quoted: true, expanded: true });
      else out.push({ text: UNKNOWN, quoted: false, expanded: true });
    });
    return out;
  }

  /** Tildes after `:` (and after the `=` of `name=...`) in the first literal run of a word. */
  private colonTildes(text: string, mode: 'value' | 'after-equals'): string {
    if (!text.includes('~')) return text;
    let head = '';
    let rest = text;
    if (mode === 'after-equals') {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.exec(text);
      if (!m) return text;
      head = m[0];
      rest = text.slice(head.length);
    }
    const segments = rest.split(':');
    // The last segment may run on into quoted text, which a tilde prefix may not contain; the first
    // segment of a value was handled as the word's start.
    return head + segments.map((seg, i) => {
      if ((mode === 'value' && i === 0) || !seg.startsWith('~')) return seg;
      const end = seg.indexOf('/');
      const prefix = end < 0 ? seg : seg.slice(0, end);
      const home = this.tilde(prefix.slice(1));
      return home === undefined ? seg : home + seg.slice(prefix.length);
    }).join(':');
  }

  private tilde(user: string): string | undefined {
    if (user === '') return this.ctx.vars.get('HOME') ?? this.ctx.home;
    if (user === '+') return this.known('PWD');
    if (user === '-') return this.known('OLDPWD');
    if (/^[+-]?\d+$/.test(user)) return UNKNOWN;
    return this.ctx.userHome(user) ?? UNKNOWN;
  }

  private known(name: string): string {
    const v = this.ctx.vars.get(name);
    return typeof v === 'string' ? v : UNKNOWN;
  }

  /** A parameter's value, UNKNOWN where it cannot be known. */
  private param(p: ParamPart): string {
    if (!p.name) return UNKNOWN;
    if (p.prefix || p.subscript !== undefined) {
      if (p.prefix === '#' && !p.op && p.subscript === undefined) {
        const v = this.scalar(p.name);
        return v.includes(UNKNOWN) ? UNKNOWN : String([...v].length);
      }
      return UNKNOWN;
    }
    const v = this.scalar(p.name);
    if (!p.op) return v;
    const operand = () => this.operand(p);
    switch (p.op) {
      case ':-':
      case ':=':
        return v.includes(UNKNOWN) ? UNKNOWN : v === '' ? operand() : v;
      case ':?':
        return v.includes(UNKNOWN) || v === '' ? UNKNOWN : v;
      case ':+':
        return v.includes(UNKNOWN) ? UNKNOWN : v === '' ? '' : operand();
      case '#':
      case '##':
      case '%':
      case '%%': {
        const pat = operand();
        if (v.includes(UNKNOWN) || pat.includes(UNKNOWN) || GLOB_CHARS.test(pat)) return UNKNOWN;
        if (p.op.startsWith('#')) return v.startsWith(pat) ? v.slice(pat.length) : v;
        return v.endsWith(pat) ? v.slice(0, v.length - pat.length) : v;
      }
      default:
        return v.includes(UNKNOWN) ? UNKNOWN : (transform(v, p.op, p.operandText ?? '') ?? UNKNOWN);
    }
  }

  private operand(p: ParamPart): string {
    if (!p.operand || /['"`\\]/.test(p.operandText ?? '')) return p.operand?.length ? UNKNOWN : '';
    return this.pieces(p.operand, { tilde: true, colons: 'none' }).map((x) => x.text).join('');
  }

  private scalar(name: string): string {
    // Positional and special parameters ($1 $@ $# $? $$ $! $- $0 $_) are left unknown.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === '_') return UNKNOWN;
    if (name === 'IFS') {
      const v = this.ctx.vars.get('IFS');
      return v === undefined ? DEFAULT_IFS : v ?? UNKNOWN;
    }
    if (name === 'HOME' && !this.ctx.vars.has('HOME')) return this.ctx.home;
    return this.known(name);
  }

  /** Field splitting of unquoted expansion results, then glob detection. */
  private fields(pieces: Piece[]): Arg[] {
    const ifsValue = this.ctx.vars.get('IFS');
    const ifs = ifsValue === undefined ? DEFAULT_IFS : ifsValue;
    const args: Arg[] = [];
    let text = '';
    let pattern = '';
    let glob = false;
    let bracket = false;
    let many = false;
    let hasContent = false;
    const end = (force: boolean) => {
      if (!hasContent && !force) return;
      const arg: Arg = { text, exact: !text.includes(UNKNOWN) && !many && !glob, many: many || glob };
      if (glob) arg.pattern = pattern;
      args.push(arg);
      text = '';
      pattern = '';
      glob = false;
      bracket = false;
      many = false;
      hasContent = false;
    };
    for (const piece of pieces) {
      if (piece.words) many = true;
      if (piece.quoted) {
        if (bracket && piece.text.includes(']')) glob = true;
        text += piece.text;
        pattern += piece.text.replace(/[*?[\]\\]/g, '\\$&');
        hasContent = true;
        continue;
      }
      if (!piece.expanded) {
        text += piece.text;
        pattern += piece.text;
        const open = piece.text.indexOf('[');
        if (WILDCARDS.test(piece.text) || (open >= 0 && piece.text.indexOf(']', open + 1) > 0) || (bracket && piece.text.includes(']'))) glob = true;
        if (piece.text.includes('[')) bracket = true;
        if (piece.text) hasContent = true;
        continue;
      }
      // An unquoted expansion: split on IFS where the value is known.
      if (ifs === null) {
        text += piece.text;
        pattern += piece.text;
        many = true;
        hasContent = true;
        continue;
      }
      for (const ch of piece.text) {
        if (ch === UNKNOWN) {
          text += ch;
          pattern += ch;
          many = true;
          hasContent = true;
        } else if (ifs.includes(ch)) {
          // Whitespace IFS characters collapse; others each end a field.
          if (/\s/.test(ch)) end(false);
          else end(true);
        } else {
          text += ch;
          pattern += ch;
          if (WILDCARDS.test(ch) || (ch === ']' && bracket)) glob = true;
          if (ch === '[') bracket = true;
          hasContent = true;
        }
      }
    }
    end(false);
    return args;
  }
}

/** `name=...` at the start of a word: bash expands tildes after its `=` and `:` even as an argument. */
function isAssignmentLike(parts: readonly Part[]): boolean {
  const first = parts[0];
  return first?.t === 'lit' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text);
}
