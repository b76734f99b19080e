/**
 * What a shell word is, as far as it can be known without running anything: its value when every part
 * is literal (quotes removed, escapes and ANSI-C sequences decoded), and flags for everything that makes
 * it unknowable or surprising (expansions, substitutions, globs, brace expansion).
 */
import type { SyntaxNode as Node } from './syntax.js';

export interface Word {
  node: Node;
  /** Source text. */
  text: string;
  /** Value after quote removal, when every part is literal (or a variable known in this command line). */
  value?: string;
  /** Contains $var, ${...}, $(...), `...`, <(...), $((...)). */
  dynamic: boolean;
  /** Contains an unquoted * ? or [ that the shell would expand against file names. */
  glob: boolean;
  /** Contains an unquoted brace expansion {a,b} or {1..3}. */
  brace: boolean;
  /** Contains an ANSI-C quoted part $'...'. */
  ansiC: boolean;
  /** Names of variables it expands. */
  variables: string[];
}

/** Variables whose values are known because the same command line set them to literals. */
export type KnownVariables = ReadonlyMap<string, string | undefined>;

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Decodes the body of $'...' the way bash does. */
export function decodeAnsiC(body: string): string {
  return body.replace(/\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)/gs, (_m, esc: string) => {
    if (/^x/.test(esc)) return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (/^[uU]/.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    if (esc[0] === 'c') return String.fromCharCode(esc.charCodeAt(1) & 0x1f);
    return ESCAPES[esc] ?? `\\${esc}`;
  });
}

/** An unquoted word: backslash escapes removed; reports unescaped glob and brace characters. */
function unquotedWord(text: string): { value: string; glob: boolean; brace: boolean } {
  let value = '';
  let glob = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      value += text[++i];
      continue;
    }
    if (ch === '*' || ch === '?' || ch === '[') glob = true;
    value += ch;
  }
  const brace = /\{[^{}]*(,|\.\.)[^{}]*\}/.test(text.replace(/\\./g, ''));
  return { value, glob, brace };
}

/** Inside "...": only \$ \` \" \\ and \newline are escapes. */
function doubleQuotedContent(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

const EXPANSION_TYPES = new Set(['simple_expansion', 'expansion', 'command_substitution', 'process_substitution', 'arithmetic_expansion']);

function variableName(node: Node): string | undefined {
  return node.namedChildren.find((c) => c?.type === 'variable_name' || c?.type === 'special_variable_name')?.text;
}

export function evaluateWord(node: Node, known: KnownVariables = new Map()): Word {
  const word: Word = { node, text: node.text, dynamic: false, glob: false, brace: false, ansiC: false, variables: [] };
  const parts: Array<string | undefined> = [];

  const visit = (n: Node, quoted: boolean): void => {
    switch (n.type) {
      case 'word':
      case 'number':
      case 'extglob_pattern': {
        if (quoted) {
          parts.push(n.text);
          break;
        }
        const u = unquotedWord(n.text);
        word.glob ||= u.glob || n.type === 'extglob_pattern';
        word.brace ||= u.brace;
        parts.push(u.value);
        break;
      }
      case 'raw_string':
        parts.push(n.text.slice(1, -1));
        break;
      case 'ansi_c_string':
        word.ansiC = true;
        parts.push(decodeAnsiC(n.text.slice(2, -1)));
        break;
      case 'string_content':
        parts.push(doubleQuotedContent(n.text));
        break;
      case 'string':
      case 'translated_string':
        for (const c of n.namedChildren) if (c) visit(c, true);
        // "" has no named children but is still an (empty) part of the word.
        if (n.namedChildCount === 0) parts.push('');
        break;
      case 'concatenation':
        for (const c of n.namedChildren) if (c) visit(c, quoted);
        break;
      case 'brace_expression':
        word.brace = true;
        parts.push(undefined);
        break;
      case 'simple_expansion':
      case 'expansion': {
        word.dynamic = true;
        const name = variableName(n);
        if (name) word.variables.push(name);
        // ${x} and $x of a variable set earlier in this line have a known value; any operator does not.
        const plain = /^\$(\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)$/.test(n.text);
        parts.push(name && plain && known.has(name) ? known.get(name) : undefined);
        break;
      }
      default:
        if (EXPANSION_TYPES.has(n.type)) word.dynamic = true;
        parts.push(undefined);
    }
  };
  visit(node, false);
  if (parts.every((p) => p !== undefined)) word.value = parts.join('');
  return word;
}

/** Expands {a,b} and {1..3} in a literal, the way bash does, for spotting `{rm,-rf,/}`. */
export function expandBraces(text: string, limit = 64): string[] {
  const m = /\{([^{}]*)\}/.exec(text);
  if (!m) return [text];
  const [whole, inner] = m as unknown as [string, string];
  const before = text.slice(0, m.index);
  const after = text.slice(m.index + whole.length);
  let options: string[];
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(inner);
  if (inner.includes(',')) options = inner.split(',');
  else if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    const step = a <= b ? 1 : -1;
    options = [];
    for (let i = a; step > 0 ? i <= b : i >= b; i += step) {
      options.push(String(i));
      if (options.length > limit) break;
    }
  } else return [text];
  const out: string[] = [];
  for (const o of options) {
    for (const e of expandBraces(`${before}${o}${after}`, limit)) {
      out.push(e);
      if (out.length >= limit) return out;
    }
  }
  return out;
}
