/**
 * A bash 5.2 parser for one command line, written after bash's own parse.y: the same tokenizer rules
 * (metacharacters, where reserved words and assignments are recognised, numbers before redirections,
 * `{var}>`), here-documents read at the next newline, and `$(...)` parsed recursively as bash 5.2 does.
 * What it cannot be sure of (settings that change parsing, bash-version differences, constructs whose
 * meaning depends on context) goes into `inexact`; a line with any of those is never allowed.
 * test/hook/oracle.test.ts checks it against the real bash.
 */
import type { AndOr, Assignment, CaseItem, Command, ParamPart, ParseResult, Part, Pipeline, Redirect, RedirectOp, Script, SimpleCommand, Word } from './ast.js';
import { decodeAnsiC } from './ansi.js';
import { walkCommands } from './walk.js';
import type { Budget } from '../budget.js';

/** End of input, as a character. */
const EOF = '';

const BLANK = (c: string) => c === ' ' || c === '\t';
const META = (c: string) => c === '(' || c === ')' || c === '<' || c === '>' || c === ';' || c === '&' || c === '|';
/** Characters that end an unquoted word (bash's shellbreak). */
const BREAK = (c: string) => META(c) || BLANK(c) || c === '\n';
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const SPECIAL_PARAM = /[@*#?\-$!0-9]/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in', 'function', 'time', '{', '}', '!', '[[', ']]', 'coproc']);
/** Tokens after which a reserved word is recognised (reserved_word_acceptable). */
const RESERVED_OK = new Set(['\n', ';', '(', ')', '|', '&', '{', '}', '&&', 'ARITH_CMD', '!', '|&', ']]', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'if', '||', ';;', ';&', ';;&', 'then', 'time', 'TIMEOPT', 'TIMEIGN', 'coproc', 'until', 'while', 'BEGIN', 'DOLPAREN']);
/** Builtins whose arguments are parsed as assignments (`declare a=(x y)`). */
const ASSIGNMENT_BUILTINS = new Set(['alias', 'declare', 'export', 'local', 'readonly', 'typeset', 'eval', 'let']);
const REDIRECT_OPS = new Set(['<', '>', '>>', '>|', '<>', '<&', '>&', '&>', '&>>', '<<', '<<-', '<<<']);
/** Tokens that end a command list (what may follow a list but never start a command). */
const LIST_END = new Set(['EOF', ')', '}', 'then', 'else', 'elif', 'fi', 'do', 'done', 'esac', ';;', ';&', ';;&']);

interface Tok {
  k: string;
  start: number;
  end: number;
  word?: Word;
  /** The word had quotes or escapes (never a reserved word then). */
  quoted?: boolean;
  num?: number;
  name?: string;
  text?: string;
  subs?: Script[];
}

class ParseError extends Error {}

/** Saved lexer state around a nested parse ($(...)). */
interface LexState {
  last: string;
  before: string;
  casePat: boolean;
  esacs: number;
  expectingIn: number;
  openBraces: number;
  allowOpenBrace: boolean;
  assignOk: boolean;
  pending: Redirect[];
  eofToken: string;
  peeked: Tok | undefined;
  condExpr: boolean;
  extPattern: boolean;
  regexp: boolean;
}

export function parseBash(source: string, budget: Budget): ParseResult {
  return new Parser(source, budget).parseInput();
}

class Parser {
  private readonly src: string;
  private pos = 0;
  /** Positions before recent reads, for ungetc. */
  private readonly back: number[] = [];
  /** Here-document bodies already read ahead: at this newline, continue after them. */
  private readonly skipTo = new Map<number, number>();
  private last = 'BEGIN';
  private before = 'BEGIN';
  private casePat = false;
  private esacs = 0;
  private expectingIn = 0;
  private openBraces = 0;
  private allowOpenBrace = false;
  private assignOk = false;
  private condExpr = false;
  private regexp = false;
  /** Here-documents whose bodies start at the next newline. */
  private pending: Redirect[] = [];
  /** `)` while parsing a `$(...)`. */
  private eofToken = '';
  private peeked: Tok | undefined;
  private depth = 0;
  private readonly inexact = new Set<string>();
  /** Simple command being read: only redirections so far (bash's PST_REDIRLIST). */
  private redirList = false;

  /** `raw`: a piece of a line read on its own (a here-document body, an operand), taken as it is. */
  constructor(source: string, private readonly budget: Budget, raw = false) {
    // bash reads a string line by line and ends the last line with a newline; a line ending in a
    // backslash gets a second backslash instead, so the backslash stays literal.
    if (!raw && !source.endsWith('\n')) {
      let trailing = 0;
      while (source[source.length - 1 - trailing] === '\\') trailing++;
      source += trailing % 2 === 1 ? '\\' : '\n';
    }
    this.src = source;
  }

  // ---- characters ---------------------------------------------------------------------------------

  /** Next character; with `remove`, a backslash-newline pair is skipped (bash's shell_getc(1)). */
  private getc(remove: boolean): string {
    this.budget.spend();
    this.back.push(this.pos);
    if (this.back.length > 8) this.back.shift();
    for (;;) {
      if (this.pos >= this.src.length) return EOF;
      const c = this.src[this.pos]!;
      if (remove && c === '\\' && this.src[this.pos + 1] === '\n') {
        this.pos += 2;
        continue;
      }
      this.pos = c === '\n' ? (this.skipTo.get(this.pos) ?? this.pos + 1) : this.pos + 1;
      return c;
    }
  }

  private ungetc(): void {
    this.pos = this.back.pop() ?? this.pos;
  }

  private fail(message: string): never {
    throw new ParseError(message);
  }

  private note(reason: string): void {
    this.inexact.add(reason);
  }

  // ---- tokens -------------------------------------------------------------------------------------

  private peek(): Tok {
    this.peeked ??= this.readToken();
    return this.peeked;
  }

  private next(): Tok {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  private tok(k: string, start: number, extra: Partial<Tok> = {}): Tok {
    this.before = this.last;
    this.last = k;
    return { k, start, end: this.pos, ...extra };
  }

  private reservedOk(): boolean {
    if (RESERVED_OK.has(this.last)) return true;
    return this.last === 'WORD' && (this.before === 'function' || this.before === 'coproc');
  }

  /** bash's command_token_position: where a word may be an assignment. */
  private commandPosition(): boolean {
    if (this.last === 'ASSIGN') return true;
    if (this.redirList && !REDIRECT_OPS.has(this.last)) return true;
    return this.last !== ';;' && this.last !== ';&' && this.last !== ';;&' && this.reservedOk();
  }

  private readToken(): Tok {
    let c: string;
    do c = this.getc(true);
    while (BLANK(c));
    const start = this.pos - 1;
    if (c === EOF) return this.tok('EOF', this.pos);
    if (c === '#') {
      while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.getc(false);
      c = this.getc(false);
      if (c === EOF) return this.tok('EOF', this.pos);
    }
    if (c === '\n') {
      if (this.pending.length) this.readHeredocs();
      this.assignOk = false;
      return this.tok('\n', start);
    }
    if (this.regexp) return this.readWordToken(c, start);
    if (META(c)) {
      this.assignOk = false;
      const p = this.getc(!(this.eofToken && c === this.eofToken));
      if (p === c) {
        switch (c) {
          case '<': {
            const q = this.getc(true);
            if (q === '-') return this.tok('<<-', start);
            if (q === '<') return this.tok('<<<', start);
            this.ungetc();
            return this.tok('<<', start);
          }
          case '>':
            return this.tok('>>', start);
          case ';': {
            this.casePat = true;
            const q = this.getc(true);
            if (q === '&') return this.tok(';;&', start);
            this.ungetc();
            return this.tok(';;', start);
          }
          case '&':
            return this.tok('&&', start);
          case '|':
            return this.tok('||', start);
          case '(': {
            const d = this.doubleParen(start);
            if (d) return d;
            break;
          }
        }
      } else if (c === '<' && p === '&') return this.tok('<&', start);
      else if (c === '>' && p === '&') return this.tok('>&', start);
      else if (c === '<' && p === '>') return this.tok('<>', start);
      else if (c === '>' && p === '|') return this.tok('>|', start);
      else if (c === '&' && p === '>') {
        const q = this.getc(true);
        if (q === '>') return this.tok('&>>', start);
        this.ungetc();
        return this.tok('&>', start);
      } else if (c === '|' && p === '&') return this.tok('|&', start);
      else if (c === ';' && p === '&') {
        this.casePat = true;
        return this.tok(';&', start);
      }
      this.ungetc();
      if (c === ')' && this.last === '(' && this.before === 'WORD') this.allowOpenBrace = true;
      if (this.casePat && c === ')') this.casePat = false;
      // <( and >( start a process substitution: a word.
      if (!((c === '<' || c === '>') && p === '(')) return this.tok(c, start);
    }
    if (c === '-' && (this.last === '<&' || this.last === '>&')) return this.tok('-', start);
    return this.readWordToken(c, start);
  }

  /** `((`: an arithmetic command (or the header of `for ((...))`); undefined: two parens after all. */
  private doubleParen(start: number): Tok | undefined {
    if (this.last !== 'for' && !this.reservedOk()) return undefined;
    const body = this.matched('(', ')', 'arith');
    const closed = this.getc(false) === ')';
    if (!closed) {
      // bash re-reads this as nested subshells; that reading is not modelled.
      this.note('(( ... ) read as nested subshells');
      this.fail('(( without ))');
    }
    const k = this.last === 'for' ? 'ARITH_FOR' : 'ARITH_CMD';
    return this.tok(k, start, { text: body.text.slice(0, -1), subs: body.subs });
  }

  // ---- words --------------------------------------------------------------------------------------

  private readWordToken(first: string, start: number): Tok {
    const b = new WordBuilder();
    let c = first;
    let allDigits = DIGIT.test(c);
    let quoted = false;
    let dollar = false;
    let compound = false;
    for (;;) {
      if (c === EOF) break;
      this.budget.spend();
      if (c === '\\') {
        const p = this.getc(false);
        if (p === '\n') {
          c = this.getc(true);
          continue;
        }
        quoted = true;
        allDigits = false;
        if (p === EOF) break;
        b.push({ t: 'esc', text: p });
        c = this.getc(true);
        continue;
      }
      if (c === "'" || c === '"' || c === '`') {
        if (c === "'") b.push({ t: 'sq', text: this.singleQuoted() });
        else if (c === '"') b.push({ t: 'dq', parts: this.doubleQuoted() });
        else b.push(this.backtick());
        if (c !== '`') quoted = true;
        if (c === '"') dollar = true;
        allDigits = false;
        c = this.getc(true);
        continue;
      }
      if (this.regexp && (c === '(' || c === '|')) {
        // `[[ x =~ (a|b) ]]`: parentheses and bars are part of the regular expression.
        b.lit(c === '(' ? `(${this.matched('(', ')', 'plain').text}` : c);
        allDigits = false;
        c = this.getc(true);
        continue;
      }
      if (this.condExpr && this.extPattern && '?*+@!'.includes(c)) {
        const p = this.getc(true);
        if (p === '(') {
          b.lit(`${c}(${this.matched('(', ')', 'plain').text}`);
          this.note('extended glob pattern in [[ ]]');
          allDigits = false;
          c = this.getc(true);
          continue;
        }
        this.ungetc();
      }
      if (c === '$' || c === '<' || c === '>') {
        const p = this.getc(true);
        if (p === '(' || (c === '$' && (p === '{' || p === '['))) {
          b.push(this.dollarConstruct(c, p));
          dollar = true;
          allDigits = false;
          c = this.getc(true);
          continue;
        }
        if (c === '$' && (p === "'" || p === '"')) {
          if (p === "'") b.push({ t: 'ansi', text: this.ansiC() });
          else {
            this.note('$"..." (translated string)');
            b.push({ t: 'dq', parts: this.doubleQuoted() });
          }
          quoted = true;
          allDigits = false;
          c = this.getc(true);
          continue;
        }
        if (c === '$') {
          this.ungetc();
          const param = this.bareParam();
          if (param) {
            b.push(param);
            dollar = true;
            allDigits = false;
            c = this.getc(true);
            continue;
          }
        } else this.ungetc();
      }
      if (c === '[' && b.isIdentifier() && (this.assignmentAcceptable() || false)) {
        // `a[...]=`: the subscript is read as one piece, blanks included.
        b.lit(`[${this.matched('[', ']', 'plain').text}`);
        allDigits = false;
        c = this.getc(true);
        continue;
      }
      if (c === '=' && b.isAssignmentTarget() && (this.assignmentAcceptable() || this.assignOk)) {
        const p = this.getc(true);
        if (p === '(') {
          b.lit('=');
          b.array = this.compoundAssignment();
          compound = true;
          allDigits = false;
          c = this.getc(true);
          continue;
        }
        this.ungetc();
      }
      if (BREAK(c)) {
        this.ungetc();
        break;
      }
      b.lit(c);
      allDigits &&= DIGIT.test(c);
      if (c === '$') dollar = true;
      c = this.getc(true);
    }
    const end = this.pos;
    if (end === start) this.fail(`syntax error near unexpected token \`${first}'`);
    const text = this.src.slice(start, end);
    const word: Word = { start, end, text, parts: b.finish() };
    const next = this.src[this.pos] ?? '';
    const plain = b.plainText();

    if (allDigits && plain !== undefined && (next === '<' || next === '>' || this.last === '<&' || this.last === '>&')) {
      const n = Number(plain);
      if (Number.isSafeInteger(n) && n < 2 ** 31) return this.tok('NUMBER', start, { num: n, word });
    }
    if (plain !== undefined) {
      const special = this.specialToken(plain);
      if (special) return this.tok(special, start, { word });
      if (!dollar && !quoted && this.reservedOk() && RESERVED.has(plain)) {
        const r = this.reserved(plain);
        if (r) return this.tok(r, start, { word });
      }
    }
    if (this.commandPosition() && plain !== undefined && ASSIGNMENT_BUILTINS.has(plain)) this.assignOk = true;
    // {name}>file: the descriptor goes into the variable.
    if (plain !== undefined && /^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(plain) && (next === '<' || next === '>')) {
      return this.tok('REDIR_WORD', start, { name: plain.slice(1, -1), word });
    }
    const assignment = isAssignment(word);
    const k = assignment && (this.assignmentAcceptable() || compound) ? 'ASSIGN' : 'WORD';
    const t = this.tok(k, start, { word, quoted });
    if (t.k === 'WORD' && (this.before === 'for' || this.before === 'case' || this.before === 'select')) this.expectingIn++;
    if (this.before === 'function') this.allowOpenBrace = true;
    if (compound) (t.word as Word & { array?: Word[] }).array = b.array;
    return t;
  }

  private extPattern = false;

  private assignmentAcceptable(): boolean {
    return this.commandPosition() && !this.casePat;
  }

  /** bash's special_case_tokens: `in`, `do`, `esac`, `{`, `}`, `]]`, `time -p`. */
  private specialToken(w: string): string | undefined {
    const { last, before } = this;
    if (last === 'WORD' && (before === 'for' || before === 'case' || before === 'select') && w === 'in') {
      if (before === 'case') {
        this.casePat = true;
        this.esacs++;
      }
      if (this.expectingIn) this.expectingIn--;
      return 'in';
    }
    if (this.expectingIn && (last === 'WORD' || last === '\n') && w === 'in') {
      if (this.caseStmt) {
        this.casePat = true;
        this.esacs++;
      }
      this.expectingIn--;
      return 'in';
    }
    if (this.expectingIn && (last === '\n' || last === ';') && w === 'do') {
      this.expectingIn--;
      return 'do';
    }
    if (last === 'WORD' && (before === 'for' || before === 'select') && w === 'do') {
      if (this.expectingIn) this.expectingIn--;
      return 'do';
    }
    if (this.esacs && last === 'in' && w === 'esac') {
      this.esacs--;
      this.casePat = false;
      return 'esac';
    }
    if (this.allowOpenBrace) {
      this.allowOpenBrace = false;
      if (w === '{') {
        this.openBraces++;
        return '{';
      }
    }
    if (last === 'ARITH_FOR' && w === 'do') return 'do';
    if (last === 'ARITH_FOR' && w === '{') {
      this.openBraces++;
      return '{';
    }
    if (this.openBraces && this.reservedOk() && w === '}') {
      this.openBraces--;
      return '}';
    }
    if (last === 'time' && w === '-p') return 'TIMEOPT';
    if ((last === 'time' || last === 'TIMEOPT') && w === '--') return 'TIMEIGN';
    if (this.condExpr && w === ']]') return ']]';
    return undefined;
  }

  private caseStmt = false;

  /** CHECK_FOR_RESERVED_WORD; undefined where bash reads the word as a plain word. */
  private reserved(w: string): string | undefined {
    if (this.casePat && w !== 'esac') return undefined;
    if (w === 'time' && !this.timeAcceptable()) return undefined;
    if (this.casePat && (this.last === '|' || this.last === '(') && w === 'esac') return undefined;
    if (w === 'esac') {
      this.casePat = false;
      this.caseStmt = false;
      this.esacs--;
    } else if (w === 'case') this.caseStmt = true;
    else if (w === '{') this.openBraces++;
    else if (w === '}' && this.openBraces) this.openBraces--;
    return w;
  }

  private timeAcceptable(): boolean {
    switch (this.last) {
      case 'BEGIN':
      case ';':
      case '\n':
        return this.before !== '|';
      case '&&':
      case '||':
      case '&':
      case 'while':
      case 'do':
      case 'until':
      case 'if':
      case 'then':
      case 'elif':
      case 'else':
      case '{':
      case '(':
      case ')':
      case '!':
      case 'time':
      case 'TIMEOPT':
      case 'TIMEIGN':
      case 'DOLPAREN':
        return true;
      default:
        return false;
    }
  }

  /** `'...'`: everything up to the next quote, newlines included. */
  private singleQuoted(): string {
    let text = '';
    for (;;) {
      const c = this.getc(false);
      if (c === EOF) this.fail('unexpected EOF while looking for matching `\'\'');
      if (c === "'") return text;
      text += c;
    }
  }

  /**
   * Text up to an unescaped `close`, backslash pairs kept as they are (`$'...'`, `` `...` ``): a
   * backslash only keeps the next character from closing it.
   */
  private escapedUntil(close: string, continuations: boolean): string {
    let raw = '';
    for (;;) {
      const c = this.getc(continuations);
      if (c === EOF) this.fail(`unexpected EOF while looking for matching \`${close}'`);
      if (c === close) return raw;
      raw += c;
      if (c === '\\') {
        const n = this.getc(false);
        if (n === EOF) this.fail(`unexpected EOF while looking for matching \`${close}'`);
        raw += n;
      }
    }
  }

  /** `$'...'`: decoded as bash decodes it. */
  private ansiC(): string {
    const decoded = decodeAnsiC(this.escapedUntil("'", false));
    if (decoded.localeDependent) this.note("$'...' escape above ASCII (a locale-dependent character or a raw byte)");
    if (decoded.truncated) this.note("$'...' with a NUL byte (bash's reading of the rest varies)");
    return decoded.text;
  }

  /**
   * `"..."`: literal text, backslash escapes of `$ \` " \ newline`, and expansions. Read as bash's
   * parse_matched_pair reads it (so `$(...)` inside is parsed as a script), with the parts bash's
   * expansion sees.
   */
  private doubleQuoted(heredoc = false): Part[] {
    const b = new WordBuilder();
    // In a here-document, `"` is an ordinary character and the text ends with the input.
    const escapable = heredoc ? '$`\\' : '$`"\\';
    for (;;) {
      const c = this.getc(!heredoc);
      if (c === EOF) {
        if (heredoc) return b.finish();
        this.fail('unexpected EOF while looking for matching `"\'');
      }
      if (c === '"' && !heredoc) return b.finish();
      if (c === '\\') {
        const n = this.getc(false);
        if (n === EOF) {
          if (heredoc) {
            b.lit('\\');
            return b.finish();
          }
          this.fail('unexpected EOF while looking for matching `"\'');
        }
        if (n === '\n' && !heredoc) continue;
        if (escapable.includes(n)) b.push({ t: 'esc', text: n });
        else b.lit(`\\${n}`);
        continue;
      }
      if (c === '`') {
        b.push(this.backtick());
        continue;
      }
      if (c === '$') {
        const p = this.getc(true);
        if (p === '(' || p === '{' || p === '[') {
          b.push(this.dollarConstruct('$', p));
          continue;
        }
        this.ungetc();
        const param = this.bareParam();
        if (param) b.push(param);
        else b.lit('$');
        continue;
      }
      b.lit(c);
    }
  }

  /** `$name`, `$1`, `$@`... after a `$` (not yet read); undefined when `$` is literal. */
  private bareParam(): ParamPart | undefined {
    const c = this.getc(true);
    if (NAME_START.test(c)) {
      let name = c;
      for (;;) {
        const n = this.getc(true);
        if (!NAME_CHAR.test(n) || n === EOF) {
          this.ungetc();
          break;
        }
        name += n;
      }
      return { t: 'param', name, braced: false, subs: [] };
    }
    if (c !== EOF && SPECIAL_PARAM.test(c)) return { t: 'param', name: c, braced: false, subs: [] };
    this.ungetc();
    return undefined;
  }

  /** `$(...)`, `$((...))`, `${...}`, `$[...]`, `<(...)`, `>(...)` after their opening two characters. */
  private dollarConstruct(c: string, p: string): Part {
    if (c !== '$') return { t: 'procsub', dir: c as '<' | '>', body: this.commandSubstitution() };
    if (p === '{') return this.paramBraces();
    if (p === '[') {
      this.note('$[...] arithmetic');
      const body = this.matched('[', ']', 'arith');
      return { t: 'arith', text: body.text.slice(0, -1), subs: body.subs };
    }
    if (this.src[this.pos] === '(') {
      // $(( is arithmetic when it closes with )); bash reads anything else as $( (...) ).
      this.getc(false);
      const body = this.matched('(', ')', 'arith');
      if (this.getc(false) !== ')') {
        this.note('$(( ... ) read as a command substitution');
        this.fail('$(( without ))');
      }
      return { t: 'arith', text: body.text.slice(0, -1), subs: body.subs };
    }
    return { t: 'cmdsub', body: this.commandSubstitution(), backtick: false };
  }

  /** The script of `$(...)` / `<(...)`, parsed as bash 5.2 does: with the parser, up to its `)`. */
  private commandSubstitution(): Script {
    if (++this.depth > 64) this.fail('nested too deeply');
    const saved = this.saveState();
    this.last = 'DOLPAREN';
    this.before = 'DOLPAREN';
    this.casePat = false;
    this.esacs = 0;
    this.expectingIn = 0;
    this.assignOk = false;
    this.pending = [];
    this.eofToken = ')';
    this.peeked = undefined;
    this.redirList = false;
    // [[ ]] states do not reach into a command substitution.
    this.condExpr = false;
    this.extPattern = false;
    this.regexp = false;
    this.skipNewlines();
    const script = this.peek().k === ')' ? { start: this.pos, end: this.pos, items: [] } : this.compoundList();
    const close = this.next();
    if (close.k !== ')') this.fail(`unexpected ${describe(close)} in a command substitution`);
    if (reprintJoinsCommands(script)) this.note('here-document inside $(...) with more commands (bash re-prints the substitution before it runs it, and its printer drops the `;` after a here-document)');
    if (this.pending.length) {
      // bash warns, then reads the bodies from the lines after this one; the rest of this line is
      // still read as the command goes on.
      this.note('here-document inside $(...) whose body comes after the )');
      const lineEnd = this.src.indexOf('\n', this.pos);
      if (lineEnd < 0) this.fail('unterminated here-document in a command substitution');
      const resume = this.pos;
      this.pos = this.skipTo.get(lineEnd) ?? lineEnd + 1;
      this.readHeredocs();
      this.skipTo.set(lineEnd, this.pos);
      this.pos = resume;
    }
    this.restoreState(saved);
    this.depth--;
    return script;
  }

  private saveState(): LexState {
    return {
      last: this.last,
      before: this.before,
      casePat: this.casePat,
      esacs: this.esacs,
      expectingIn: this.expectingIn,
      openBraces: this.openBraces,
      allowOpenBrace: this.allowOpenBrace,
      assignOk: this.assignOk,
      pending: this.pending,
      eofToken: this.eofToken,
      peeked: this.peeked,
      condExpr: this.condExpr,
      extPattern: this.extPattern,
      regexp: this.regexp,
    };
  }

  private restoreState(s: LexState): void {
    Object.assign(this, s);
  }

  /** `` `...` ``: bash reads to the next unescaped backtick and parses the text when it expands it. */
  private backtick(): Part {
    const raw = this.escapedUntil('`', true);
    if (raw.includes('\\')) this.note('backslash inside `...`');
    // Inside backquotes, \$ \` \\ lose their backslash before the text is parsed.
    const script = raw.replace(/\\([$`\\])/g, '$1');
    return { t: 'cmdsub', body: this.nestedScript(script), backtick: true };
  }

  /** Parses text that bash parses only when it expands it (backquotes, `${...}` operands). */
  private nestedScript(text: string): Script {
    if (this.depth > 64) this.fail('nested too deeply');
    const inner = new Parser(text, this.budget);
    inner.depth = this.depth + 1;
    const r = inner.parseInput();
    for (const i of r.inexact) this.note(i);
    if (r.error) this.fail(r.error);
    return r.script;
  }

  /**
   * A bracketed construct read as bash's parse_matched_pair reads it: nested quotes and `$(...)`
   * skipped as units. Returns the text up to and including the closing character, and the scripts of
   * the command substitutions inside (which run when the construct is expanded).
   */
  private matched(open: string, close: string, mode: 'arith' | 'plain' | 'dollar-brace'): { text: string; subs: Script[] } {
    let count = 1;
    let text = '';
    const subs: Script[] = [];
    let wasDollar = false;
    for (;;) {
      const c = this.getc(true);
      if (c === EOF) this.fail(`unexpected EOF while looking for matching \`${close}'`);
      this.budget.spend();
      if (c === '\\') {
        const n = this.getc(false);
        if (n === EOF) this.fail(`unexpected EOF while looking for matching \`${close}'`);
        if (n !== '\n') text += c + n;
        wasDollar = false;
        continue;
      }
      if (c === close) count--;
      // In ${...} only a nested ${ opens (and is read whole below); a bare { is text.
      else if (c === open && mode !== 'dollar-brace') count++;
      text += c;
      if (count === 0) return { text, subs };
      if (c === "'" || c === '"' || c === '`') {
        const startAt = this.pos;
        if (c === "'") wasDollar ? this.ansiC() : this.singleQuoted();
        else if (c === '"') {
          for (const p of this.doubleQuoted()) collectScripts(p, subs);
        } else {
          const part = this.backtick();
          collectScripts(part, subs);
        }
        text += this.src.slice(startAt, this.pos);
        this.note(`quotes inside ${open}...${close}`);
      } else if (wasDollar && (c === '(' || c === '{' || c === '[')) {
        if (c === open && mode !== 'dollar-brace') count--;
        const startAt = this.pos;
        const part = this.dollarConstruct('$', c);
        collectScripts(part, subs);
        text += this.src.slice(startAt, this.pos);
      } else if ((c === '<' || c === '>') && this.src[this.pos] === '(' && mode !== 'arith') {
        this.getc(false);
        const startAt = this.pos;
        subs.push(this.commandSubstitution());
        text += `(${this.src.slice(startAt, this.pos)}`;
      }
      wasDollar = c === '$' && !wasDollar;
    }
  }

  /** `${...}`: read to the first unnested `}`, then split into name, operator and operand. */
  private paramBraces(): ParamPart {
    const startAt = this.pos;
    const body = this.matched('{', '}', 'dollar-brace');
    const raw = body.text.slice(0, -1);
    if (this.src.slice(startAt, this.pos).includes('\\\n')) this.note('line continuation inside ${...}');
    const part: ParamPart = { t: 'param', name: '', braced: true, subs: body.subs };
    if (/^[\s|]/.test(raw)) {
      // bash 5.3 runs `${ cmd; }` in the current shell; 5.2 refuses it.
      this.note('${ ...; } (a bash 5.3 command substitution)');
      part.subs.push(this.nestedScript(raw.replace(/^\|/, '').replace(/;?\s*$/, '')));
      part.name = '';
      return part;
    }
    let i = 0;
    if ((raw[0] === '#' || raw[0] === '!') && raw.length > 1 && !/^[#!][}:=?+\-]?$/.test(raw.slice(0, 2)) ) {
      part.prefix = raw[0] as '#' | '!';
      i = 1;
    }
    const nameMatch = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?\-$!])/.exec(raw.slice(i));
    if (!nameMatch) this.fail(`\${${raw}}: bad substitution`);
    part.name = nameMatch[1]!;
    i += part.name.length;
    if (raw[i] === '[') {
      const close = findSubscriptEnd(raw, i);
      if (close < 0) this.fail(`\${${raw}}: bad substitution`);
      part.subscript = raw.slice(i + 1, close);
      i = close + 1;
    }
    const rest = raw.slice(i);
    if (rest) {
      const op = /^(:[-=?+]|[-=?+]|##?|%%?|\/[\/#%]?|\^\^?|,,?|@|:)/.exec(rest)?.[0];
      if (!op) this.fail(`\${${raw}}: bad substitution`);
      part.op = op;
      part.operandText = rest.slice(op.length);
      part.operand = this.operandParts(part.operandText);
    }
    if (part.prefix === '!') this.note('${!name} (indirect expansion)');
    if (part.subscript !== undefined && !/^([0-9]+|[@*])$/.test(part.subscript)) this.note('array subscript that is evaluated');
    if (part.op === '@' && /^[PE]/.test(part.operandText ?? '')) this.note('${name@P} / ${name@E}');
    return part;
  }

  /** The operand of `${name op word}`: a word whose blanks are literal. */
  private operandParts(text: string): Part[] {
    if (!text) return [];
    if (/['"`\\]/.test(text)) this.note('quotes inside ${...} (their meaning depends on the operator and on double quotes around)');
    // Read as a double-quoted string would be (what matters here: which expansions run).
    return this.quotedText(text);
  }

  /** Text read on its own as the inside of a here-document (`"` ordinary, expansions active). */
  private quotedText(text: string): Part[] {
    const inner = new Parser(text, this.budget, true);
    inner.depth = this.depth + 1;
    try {
      const parts = inner.doubleQuoted(true);
      for (const i of inner.inexact) this.note(i);
      return parts;
    } catch (err) {
      if (err instanceof ParseError) this.fail(err.message);
      throw err;
    }
  }

  /** `name=( ... )`: the elements, read as words (newlines and comments allowed). */
  private compoundAssignment(): Word[] {
    const saved = this.saveState();
    const words: Word[] = [];
    this.last = 'WORD';
    this.peeked = undefined;
    for (;;) {
      const t = this.readToken();
      if (t.k === '\n') continue;
      if (t.k === ')') break;
      if (t.k === 'EOF') this.fail("unexpected EOF while looking for matching `)'");
      if (!t.word || t.k === 'NUMBER' || t.k === 'REDIR_WORD') this.fail(`syntax error near ${describe(t)} in an array assignment`);
      words.push(t.word);
      this.last = 'WORD';
    }
    this.restoreState(saved);
    return words;
  }

  // ---- here-documents -----------------------------------------------------------------------------

  private readHeredocs(): void {
    const pending = this.pending;
    this.pending = [];
    for (const r of pending) this.readHeredoc(r);
  }

  /** The body of one here-document: lines up to the delimiter (bash's make_here_document). */
  private readHeredoc(r: Redirect): void {
    const strip = r.op === '<<-';
    const quoted = r.heredoc!.quoted;
    const delimiter = heredocDelimiter(r.target);
    const start = this.pos;
    let body = '';
    for (;;) {
      if (this.pos >= this.src.length) break;
      let line = this.readLine(!quoted);
      this.budget.spend(line.length + 1, 'here-document');
      if (strip && line.startsWith(`${delimiter}\n`) && delimiter.length) break;
      if (strip) line = line.replace(/^\t+/, '');
      if (line === `${delimiter}\n`) break;
      if (this.eofToken && line.startsWith(delimiter) && line.slice(delimiter.length).includes(this.eofToken)) {
        // Inside $(...), "EOF)" ends the document and the rest of the line is read again.
        this.note('here-document ended by its delimiter followed by )');
        this.pos = this.lineStart + delimiter.length;
        break;
      }
      body += line;
    }
    const end = this.pos;
    // An unquoted body: text, `\$ \` \\` escapes and expansions, as in double quotes.
    const parts: Part[] = quoted ? [{ t: 'lit', text: body }] : this.quotedText(body);
    r.heredoc!.body = { start, end, text: body, parts };
  }

  private lineStart = 0;

  /** One line of a here-document; unquoted ones join backslash-newline pairs. */
  private readLine(joinContinued: boolean): string {
    this.lineStart = this.pos;
    let line = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos++]!;
      if (joinContinued && c === '\\') {
        const n = this.src[this.pos];
        if (n === '\n') {
          this.pos++;
          continue;
        }
        line += c;
        if (n !== undefined) {
          line += n;
          this.pos++;
          if (n === '\n') return line;
        }
        continue;
      }
      line += c;
      if (c === '\n') return line;
    }
    return `${line}\n`;
  }


  // ---- grammar ------------------------------------------------------------------------------------

  parseInput(): ParseResult {
    const items: AndOr[] = [];
    let error: string | undefined;
    try {
      if (this.src.includes('\0')) this.fail('a NUL byte in the command');
      for (;;) {
        const t = this.peek();
        if (t.k === 'EOF') break;
        if (t.k === '\n') {
          this.next();
          continue;
        }
        // One input unit: a list up to a newline; bash runs each unit before reading the next.
        const unit = this.simpleList();
        const end = this.next();
        if (end.k !== '\n' && end.k !== 'EOF') this.fail(`syntax error near unexpected token ${describe(end)}`);
        items.push(...unit);
        if (end.k === 'EOF') break;
      }
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      error = err.message;
    }
    const script: Script = { start: 0, end: this.src.length, items };
    return { script, ...(error ? { error } : {}), inexact: [...this.inexact] };
  }

  /** simple_list: and-or lists separated by `;` and `&`, on one line. */
  private simpleList(): AndOr[] {
    const items: AndOr[] = [];
    for (;;) {
      const item = this.andOr();
      items.push(item);
      const t = this.peek();
      if (t.k !== ';' && t.k !== '&') break;
      this.next();
      if (t.k === '&') item.background = true;
      if (!this.startsCommand(this.peek())) break;
    }
    return items;
  }

  /** compound_list: like simple_list, but newlines separate too, and it may start with newlines. */
  private compoundList(): Script {
    const items: AndOr[] = [];
    const start = this.pos;
    this.skipNewlines();
    for (;;) {
      if (!this.startsCommand(this.peek())) break;
      const item = this.andOr();
      items.push(item);
      const t = this.peek();
      if (t.k !== ';' && t.k !== '&' && t.k !== '\n') break;
      this.next();
      if (t.k === '&') item.background = true;
      this.skipNewlines();
    }
    if (!items.length) this.fail(`syntax error near unexpected token ${describe(this.peek())}`);
    return { start, end: this.pos, items };
  }

  private skipNewlines(): void {
    while (this.peek().k === '\n') this.next();
  }

  private startsCommand(t: Tok): boolean {
    if (LIST_END.has(t.k) || t.k === '\n' || t.k === ';' || t.k === '&' || t.k === '|' || t.k === '||' || t.k === '&&' || t.k === '|&' || t.k === 'in' || t.k === ']]') return false;
    return true;
  }

  private andOr(): AndOr {
    const first = this.pipelineCommand();
    const item: AndOr = { start: first.start, end: first.end, first, rest: [], background: false };
    for (;;) {
      const t = this.peek();
      if (t.k !== '&&' && t.k !== '||') break;
      this.next();
      this.skipNewlines();
      const pipeline = this.pipelineCommand();
      item.rest.push({ op: t.k, pipeline });
      item.end = pipeline.end;
    }
    return item;
  }

  private pipelineCommand(): Pipeline {
    const t = this.peek();
    if (t.k === '!' || t.k === 'time') {
      this.next();
      if (t.k === 'time') {
        if (this.peek().k === 'TIMEOPT') this.next();
        if (this.peek().k === 'TIMEIGN') this.next();
      }
      const n = this.peek();
      if (n.k === '\n' || n.k === ';' || n.k === 'EOF') return { start: t.start, end: t.end, negated: t.k === '!', timed: t.k === 'time', commands: [] };
      const inner = this.pipelineCommand();
      if (t.k === '!') inner.negated = !inner.negated;
      else inner.timed = true;
      return inner;
    }
    return this.pipeline();
  }

  private pipeline(): Pipeline {
    const commands: Command[] = [this.command()];
    for (;;) {
      const t = this.peek();
      if (t.k !== '|' && t.k !== '|&') break;
      this.next();
      this.skipNewlines();
      commands.push(this.command());
    }
    return { start: commands[0]!.start, end: commands[commands.length - 1]!.end, negated: false, timed: false, commands };
  }

  private command(): Command {
    this.budget.spend(1, 'commands');
    if (++this.depth > 200) this.fail('nested too deeply');
    try {
      return this.commandAt(this.peek());
    } finally {
      this.depth--;
    }
  }

  private commandAt(t: Tok): Command {
    switch (t.k) {
      case 'if':
        return this.withRedirects(this.ifCommand());
      case 'while':
      case 'until':
        return this.withRedirects(this.whileCommand());
      case 'for':
      case 'select':
        return this.withRedirects(this.forCommand());
      case 'case':
        return this.withRedirects(this.caseCommand());
      case '{':
      case '(': {
        this.next();
        const body = this.compoundList();
        const close = this.next();
        if (close.k !== (t.k === '{' ? '}' : ')')) this.fail(`syntax error near unexpected token ${describe(close)}`);
        return this.withRedirects({ type: t.k === '{' ? 'group' : 'subshell', body, start: t.start, end: close.end, redirects: [] });
      }
      case 'ARITH_CMD':
        this.next();
        return this.withRedirects({ type: 'arith', text: t.text!, subs: t.subs!, start: t.start, end: t.end, redirects: [] });
      case '[[':
        return this.withRedirects(this.condCommand());
      case 'function':
        return this.functionDef();
      case 'coproc':
        return this.coproc();
      default:
        return this.simpleCommand();
    }
  }

  private withRedirects<C extends Command>(cmd: C): C {
    for (;;) {
      const r = this.maybeRedirect();
      if (!r) return cmd;
      cmd.redirects.push(r);
      cmd.end = r.end;
    }
  }

  private ifCommand(): Command {
    const start = this.next().start;
    const clauses: Array<{ test: Script; body: Script }> = [];
    let otherwise: Script | undefined;
    for (;;) {
      const test = this.compoundList();
      this.expect('then');
      const body = this.compoundList();
      clauses.push({ test, body });
      const t = this.next();
      if (t.k === 'elif') continue;
      if (t.k === 'else') {
        otherwise = this.compoundList();
        this.expect('fi');
      } else if (t.k !== 'fi') this.fail(`syntax error near unexpected token ${describe(t)}`);
      break;
    }
    return { type: 'if', clauses, ...(otherwise ? { otherwise } : {}), start, end: this.pos, redirects: [] };
  }

  private whileCommand(): Command {
    const t = this.next();
    const test = this.compoundList();
    this.expect('do');
    const body = this.compoundList();
    this.expect('done');
    return { type: t.k as 'while' | 'until', test, body, start: t.start, end: this.pos, redirects: [] };
  }

  private forCommand(): Command {
    const t = this.next();
    const kind = t.k as 'for' | 'select';
    const n = this.next();
    if (n.k === 'ARITH_FOR') {
      if (kind === 'select') this.fail('syntax error near ((');
      const p = this.peek();
      if (p.k === ';' || p.k === '\n') {
        this.next();
        this.skipNewlines();
      }
      const body = this.loopBody();
      return { type: 'arith-for', text: n.text!, subs: n.subs!, body, start: t.start, end: this.pos, redirects: [] };
    }
    if (n.k !== 'WORD' && n.k !== 'ASSIGN') this.fail(`syntax error near unexpected token ${describe(n)}`);
    const name = n.word!.text;
    if (!IDENTIFIER.test(name)) this.fail(`\`${name}': not a valid identifier`);
    let items: Word[] | undefined;
    let p = this.peek();
    if (p.k === ';') {
      this.next();
      this.skipNewlines();
    } else {
      this.skipNewlines();
      p = this.peek();
      if (p.k === 'in') {
        this.next();
        items = [];
        for (;;) {
          const w = this.peek();
          if (w.k !== 'WORD' && w.k !== 'ASSIGN' && w.k !== 'NUMBER' && !(w.word && RESERVED.has(w.k))) break;
          this.next();
          items.push(w.word!);
        }
        const term = this.next();
        if (term.k !== ';' && term.k !== '\n') this.fail(`syntax error near unexpected token ${describe(term)}`);
        this.skipNewlines();
      }
    }
    const body = this.loopBody();
    return { type: kind, name, ...(items ? { items } : {}), body, start: t.start, end: this.pos, redirects: [] };
  }

  /** `do list done` or `{ list }` after a for/select header. */
  private loopBody(): Script {
    const t = this.next();
    if (t.k === 'do') {
      const body = this.compoundList();
      this.expect('done');
      return body;
    }
    if (t.k === '{') {
      const body = this.compoundList();
      this.expect('}');
      return body;
    }
    return this.fail(`syntax error near unexpected token ${describe(t)}`);
  }

  private caseCommand(): Command {
    const start = this.next().start;
    const subject = this.next();
    if (!subject.word || subject.k === 'REDIR_WORD') this.fail(`syntax error near unexpected token ${describe(subject)}`);
    this.skipNewlines();
    this.expect('in');
    const items: CaseItem[] = [];
    for (;;) {
      this.skipNewlines();
      let t = this.next();
      if (t.k === 'esac') break;
      if (t.k === '(') t = this.next();
      const patterns: Word[] = [];
      for (;;) {
        if (!t.word || t.k === 'REDIR_WORD') this.fail(`syntax error near unexpected token ${describe(t)}`);
        patterns.push(t.word);
        const sep = this.next();
        if (sep.k === ')') break;
        if (sep.k !== '|') this.fail(`syntax error near unexpected token ${describe(sep)}`);
        t = this.next();
      }
      this.skipNewlines();
      const p = this.peek();
      const body: Script = p.k === ';;' || p.k === ';&' || p.k === ';;&' || p.k === 'esac' ? { start: p.start, end: p.start, items: [] } : this.compoundList();
      items.push({ patterns, body });
      const term = this.next();
      if (term.k === 'esac') break;
      if (term.k !== ';;' && term.k !== ';&' && term.k !== ';;&') this.fail(`syntax error near unexpected token ${describe(term)}`);
    }
    return { type: 'case', subject: subject.word!, items, start, end: this.pos, redirects: [] };
  }

  /** `[[ ... ]]`: bash's cond_expr, keeping every word in order. */
  private condCommand(): Command {
    const start = this.next().start;
    const words: Word[] = [];
    this.condExpr = true;
    try {
      this.condOr(words);
      const end = this.condToken;
      if (end.k !== ']]') this.fail(`syntax error in conditional expression near ${describe(end)}`);
    } finally {
      this.condExpr = false;
      this.extPattern = false;
      this.regexp = false;
    }
    return { type: 'cond', words, start, end: this.pos, redirects: [] };
  }

  private condToken!: Tok;

  private condSkipNewlines(): Tok {
    do this.condToken = this.next();
    while (this.condToken.k === '\n');
    return this.condToken;
  }

  private condOr(words: Word[]): void {
    this.condAnd(words);
    if (this.condToken.k === '||') this.condOr(words);
  }

  private condAnd(words: Word[]): void {
    this.condTerm(words);
    if (this.condToken.k === '&&') this.condAnd(words);
  }

  private condTerm(words: Word[]): void {
    const t = this.condSkipNewlines();
    if (t.k === ']]') this.fail('unexpected ]] in a conditional expression');
    if (t.k === '(') {
      this.condOr(words);
      if (this.condToken.k !== ')') this.fail('expected ) in a conditional expression');
      this.condSkipNewlines();
      return;
    }
    if (t.k === '!' || (t.k === 'WORD' && t.word!.text === '!')) {
      this.condTerm(words);
      return;
    }
    if (t.k === 'WORD' && /^-[a-zA-Z]$/.test(t.word!.text) && UNARY_TESTS.has(t.word!.text)) {
      words.push(t.word!);
      const arg = this.next();
      if (arg.k !== 'WORD' && arg.k !== 'ASSIGN') this.fail('unexpected argument to a conditional unary operator');
      words.push(arg.word!);
      this.condSkipNewlines();
      return;
    }
    if (t.k === 'WORD' || t.k === 'ASSIGN') {
      words.push(t.word!);
      const op = this.next();
      if ((op.k === 'WORD' || op.k === 'ASSIGN') && BINARY_TESTS.has(op.word!.text)) {
        words.push(op.word!);
        if (/^(==?|!=)$/.test(op.word!.text)) this.extPattern = true;
      } else if ((op.k === 'WORD' || op.k === 'ASSIGN') && op.word!.text === '=~') {
        words.push(op.word!);
        this.regexp = true;
      } else if (op.k === '<' || op.k === '>') {
        // a string comparison, not a redirection
      } else if (op.k === ']]' || op.k === '&&' || op.k === '||' || op.k === ')') {
        this.condToken = op;
        return;
      } else this.fail('conditional binary operator expected');
      const right = this.next();
      this.extPattern = false;
      this.regexp = false;
      if (right.k !== 'WORD' && right.k !== 'ASSIGN') this.fail('unexpected argument to a conditional binary operator');
      words.push(right.word!);
      this.condSkipNewlines();
      return;
    }
    this.fail(`unexpected token ${describe(t)} in a conditional command`);
  }

  private functionDef(): Command {
    const start = this.next().start;
    const name = this.next();
    if (name.k !== 'WORD' && name.k !== 'ASSIGN') this.fail(`syntax error near unexpected token ${describe(name)}`);
    if (this.peek().k === '(') {
      this.next();
      this.expect(')');
      this.skipNewlines();
    } else if (this.peek().k === '\n') this.skipNewlines();
    return this.functionBody(name.word!.text, start);
  }

  private functionBody(name: string, start: number): Command {
    const t = this.peek();
    if (!['if', 'while', 'until', 'for', 'select', 'case', '{', '(', 'ARITH_CMD', '[['].includes(t.k)) this.fail(`syntax error near unexpected token ${describe(t)}`);
    const body = this.command();
    return { type: 'function', name, body, start, end: body.end, redirects: [] };
  }

  private coproc(): Command {
    const start = this.next().start;
    this.note('coproc');
    const t = this.peek();
    if (['if', 'while', 'until', 'for', 'select', 'case', '{', '(', 'ARITH_CMD', '[['].includes(t.k)) {
      const body = this.command();
      return { type: 'coproc', body, start, end: body.end, redirects: [] };
    }
    const body = this.simpleCommand();
    return { type: 'coproc', body, start, end: body.end, redirects: [] };
  }

  private expect(k: string): Tok {
    const t = this.next();
    if (t.k !== k) this.fail(`syntax error near unexpected token ${describe(t)} (expected \`${k}')`);
    return t;
  }

  /** A redirection, if the next tokens are one. */
  private maybeRedirect(): Redirect | undefined {
    const t = this.peek();
    let fd: number | undefined;
    let fdVar: string | undefined;
    let start = t.start;
    if (t.k === 'NUMBER' || t.k === 'REDIR_WORD') {
      this.next();
      if (t.k === 'NUMBER') fd = t.num;
      else fdVar = t.name;
      const op = this.peek();
      if (!REDIRECT_OPS.has(op.k)) return this.fail(`syntax error near unexpected token ${describe(op)}`);
    } else if (!REDIRECT_OPS.has(t.k)) return undefined;
    const op = this.next();
    start = Math.min(start, op.start);
    const target = this.next();
    let word: Word;
    if (target.k === '-' && (op.k === '<&' || op.k === '>&')) word = { start: target.start, end: target.end, text: '-', parts: [{ t: 'lit', text: '-' }] };
    else if ((target.k === 'WORD' || target.k === 'ASSIGN' || target.k === 'NUMBER') && target.word) word = target.word;
    else if (target.word && RESERVED.has(target.k)) word = target.word;
    else return this.fail(`syntax error near unexpected token ${describe(target)}`);
    const r: Redirect = { op: op.k as RedirectOp, target: word, start, end: target.end, ...(fd !== undefined ? { fd } : {}), ...(fdVar ? { fdVar } : {}) };
    if (op.k === '<<' || op.k === '<<-') {
      r.heredoc = { quoted: word.parts.some((p) => p.t === 'esc' || p.t === 'sq' || p.t === 'dq' || p.t === 'ansi'), body: { start: 0, end: 0, text: '', parts: [] } };
      if (word.parts.some((p) => p.t !== 'lit' && p.t !== 'esc' && p.t !== 'sq' && p.t !== 'dq' && p.t !== 'ansi') || word.text.includes('\\\n')) this.note('here-document delimiter with an expansion in it');
      this.pending.push(r);
    }
    return r;
  }

  private simpleCommand(): Command {
    const t0 = this.peek();
    const cmd: SimpleCommand = { type: 'simple', assignments: [], words: [], redirects: [], start: t0.start, end: t0.end };
    this.redirList = true;
    try {
      for (let n = 0; ; n++) {
        const r = this.maybeRedirect();
        if (r) {
          cmd.redirects.push(r);
          cmd.end = r.end;
          continue;
        }
        const t = this.peek();
        if (t.k === 'ASSIGN' && cmd.words.length === 0) {
          this.next();
          cmd.assignments.push(toAssignment(t.word!));
          this.redirList = false;
          cmd.end = t.end;
          continue;
        }
        if (t.k === 'WORD' || t.k === 'ASSIGN' || (t.word && RESERVED.has(t.k) && (cmd.words.length > 0 || cmd.assignments.length > 0 || cmd.redirects.length > 0))) {
          this.next();
          if (n === 0 && t.k === 'WORD' && this.peek().k === '(') {
            // name () body: a function definition.
            this.next();
            this.expect(')');
            this.skipNewlines();
            this.redirList = false;
            return this.functionBody(t.word!.text, t.start);
          }
          cmd.words.push(t.word!);
          this.redirList = false;
          cmd.end = t.end;
          continue;
        }
        break;
      }
    } finally {
      this.redirList = false;
    }
    if (!cmd.words.length && !cmd.assignments.length && !cmd.redirects.length) this.fail(`syntax error near unexpected token ${describe(this.peek())}`);
    return cmd;
  }
}

const UNARY_TESTS = new Set(['-a', '-b', '-c', '-d', '-e', '-f', '-g', '-h', '-k', '-p', '-r', '-s', '-t', '-u', '-w', '-x', '-O', '-G', '-L', '-S', '-N', '-n', '-z', '-o', '-v', '-R']);
const BINARY_TESTS = new Set(['==', '=', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);

function describe(t: Tok): string {
  if (t.k === 'EOF') return 'end of input';
  if (t.k === '\n') return 'newline';
  return `\`${t.word?.text ?? t.k}'`;
}

/** The closing `]` of a subscript starting at `raw[at] === '['`, with nested brackets. */
function findSubscriptEnd(raw: string, at: number): number {
  let depth = 0;
  for (let i = at; i < raw.length; i++) {
    if (raw[i] === '[') depth++;
    else if (raw[i] === ']' && --depth === 0) return i;
  }
  return -1;
}

function collectScripts(p: Part, into: Script[]): void {
  if (p.t === 'cmdsub' || p.t === 'procsub') into.push(p.body);
  else if (p.t === 'arith' || p.t === 'param') into.push(...p.subs);
  else if (p.t === 'dq') for (const q of p.parts) collectScripts(q, into);
}

/**
 * A here-document's delimiter: the word after quote removal and nothing else (`<<$x` waits for a line
 * `$x`). Expansion parts keep the text they were written as: `$name` exactly, anything longer (noted
 * as inexact by the caller) approximately.
 */
function heredocDelimiter(w: Word): string {
  const text = (p: Part): string => {
    switch (p.t) {
      case 'lit':
      case 'esc':
      case 'sq':
      case 'ansi':
        return p.text;
      case 'dq':
        return p.parts.map(text).join('');
      case 'param':
        return p.braced ? `\${${p.name}}` : `$${p.name}`;
      default:
        return '';
    }
  };
  return w.parts.map(text).join('');
}

/** `NAME=`, `NAME+=`, `NAME[sub]=` at the start of a word (bash's assignment()). */
function isAssignment(w: Word): boolean {
  const first = w.parts[0];
  if (first?.t !== 'lit') return false;
  return /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(first.text);
}

function toAssignment(w: Word): Assignment {
  const first = w.parts[0] as { t: 'lit'; text: string };
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[([^\]]*)\])?(\+?)=/.exec(first.text)!;
  const rest = first.text.slice(m[0].length);
  const valueParts: Part[] = [...(rest ? [{ t: 'lit' as const, text: rest }] : []), ...w.parts.slice(1)];
  const array = (w as Word & { array?: Word[] }).array;
  const a: Assignment = { name: m[1]!, append: m[4] === '+', start: w.start, end: w.end, subs: [] };
  if (m[3] !== undefined) a.subscript = m[3];
  if (array) a.array = array;
  else if (valueParts.length) a.value = { start: w.start + m[0].length, end: w.end, text: w.text.slice(m[0].length), parts: valueParts };
  return a;
}

/** Collects the parts of a word, merging adjacent literal text. */
class WordBuilder {
  private readonly parts: Part[] = [];
  array?: Word[];
  /**
   * Where the word stands as a possible assignment target, kept as characters arrive (testing the
   * whole text again at every `[` or `=` would be quadratic): `name`, `name[...]`, `name[...]+`...
   */
  private target: 'empty' | 'name' | 'subscript' | 'closed' | 'plus' | 'no' = 'empty';

  lit(text: string): void {
    const last = this.parts[this.parts.length - 1];
    if (last?.t === 'lit') last.text += text;
    else this.parts.push({ t: 'lit', text });
    for (const c of text) this.target = nextTarget(this.target, c);
  }

  push(p: Part): void {
    this.parts.push(p);
    this.target = 'no';
  }

  finish(): Part[] {
    return this.parts;
  }

  /** The word's text when it is one unquoted literal (for reserved words and numbers). */
  plainText(): string | undefined {
    if (this.parts.length === 0) return '';
    return this.parts.length === 1 && this.parts[0]!.t === 'lit' ? this.parts[0]!.text : undefined;
  }

  isIdentifier(): boolean {
    return this.target === 'name';
  }

  /** `name`, `name[...]`, optionally followed by `+` (what may stand before an assignment's `=`). */
  isAssignmentTarget(): boolean {
    return this.target === 'name' || this.target === 'closed' || this.target === 'plus';
  }
}

function nextTarget(state: string, c: string): 'empty' | 'name' | 'subscript' | 'closed' | 'plus' | 'no' {
  switch (state) {
    case 'empty':
      return NAME_START.test(c) ? 'name' : 'no';
    case 'name':
      return NAME_CHAR.test(c) ? 'name' : c === '[' ? 'subscript' : c === '+' ? 'plus' : 'no';
    case 'subscript':
      return c === ']' ? 'closed' : 'subscript';
    case 'closed':
      return c === '+' ? 'plus' : 'no';
    default:
      return 'no';
  }
}

/**
 * bash 5.2 runs a `$(...)` from its parse tree printed back to text (print_comsub), and that printer
 * leaves out the next `;` or newline between commands once it has printed a here-document body:
 * `$(cat <<E\nx\nE\n{ a; b; })` runs `a b`. A substitution holding a here-document and more than
 * one command may run other commands than its text says.
 */
function reprintJoinsCommands(script: Script): boolean {
  let commands = 0;
  let heredoc = false;
  walkCommands([script], (c) => {
    commands++;
    heredoc ||= c.redirects.some((r) => r.op === '<<' || r.op === '<<-');
  });
  return heredoc && commands > 1;
}
