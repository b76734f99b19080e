/**
 * Pathname patterns (`*`, `?`, `[...]`) matched without regular expressions, so no input can make a
 * match slow: the usual two-pointer wildcard walk, O(pattern x text) at worst. Matching here is the
 * most permissive reading bash could have (dotglob, nocaseglob, globstar may be set by the user's shell
 * settings): for finding secrets, a pattern that might match is taken to match.
 */

interface Token {
  kind: 'char' | 'any' | 'star' | 'class';
  ch?: string;
  /** For `[...]`: the set test. */
  test?: (c: string) => boolean;
}

const CLASSES: Record<string, (c: string) => boolean> = {
  alpha: (c) => /[A-Za-z]/.test(c),
  digit: (c) => /[0-9]/.test(c),
  alnum: (c) => /[A-Za-z0-9]/.test(c),
  upper: (c) => /[A-Z]/.test(c),
  lower: (c) => /[a-z]/.test(c),
  space: (c) => /\s/.test(c),
  punct: (c) => /[!-/:-@[-`{-~]/.test(c),
  xdigit: (c) => /[0-9A-Fa-f]/.test(c),
  word: (c) => /\w/.test(c),
};

/** Tokens of one pattern; `\x` is a literal x. Case is folded (nocaseglob is possible). */
export function compile(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) tokens.push({ kind: 'char', ch: pattern[++i]!.toLowerCase() });
    else if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end < 0) tokens.push({ kind: 'char', ch: '[' });
      else {
        tokens.push({ kind: 'class', test: classTest(pattern.slice(i + 1, end)) });
        i = end;
      }
    } else tokens.push({ kind: 'char', ch: c.toLowerCase() });
  }
  return tokens;
}

function classEnd(p: string, open: number): number {
  let i = open + 1;
  if (p[i] === '!' || p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close > 0) i = close + 1;
    } else if (p[i] === ']') return i;
  }
  return -1;
}

function classTest(body: string): (c: string) => boolean {
  let negate = false;
  if (body[0] === '!' || body[0] === '^') {
    negate = true;
    body = body.slice(1);
  }
  const tests: Array<(c: string) => boolean> = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '[' && body[i + 1] === ':') {
      const close = body.indexOf(':]', i + 2);
      const fn = CLASSES[body.slice(i + 2, close)];
      tests.push(fn ?? (() => false));
      i = close + 1;
    } else if (body[i + 1] === '-' && i + 2 < body.length) {
      const lo = body[i]!.toLowerCase();
      const hi = body[i + 2]!.toLowerCase();
      tests.push((c) => c >= lo && c <= hi);
      i += 2;
    } else {
      const ch = body[i]!.toLowerCase();
      tests.push((c) => c === ch);
    }
  }
  return (c) => tests.some((t) => t(c.toLowerCase())) !== negate;
}

/** Whether `text` (one path component, or a whole path for `crossesSlash`) matches the tokens. */
export function matchTokens(tokens: readonly Token[], text: string, crossesSlash = false): boolean {
  const s = text.toLowerCase();
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < s.length) {
    const tok = tokens[p];
    if (tok && tok.kind !== 'star' && single(tok, s[t]!, crossesSlash)) {
      p++;
      t++;
    } else if (tok?.kind === 'star') {
      starP = p++;
      starT = t;
    } else if (starP >= 0 && (crossesSlash || s[starT] !== '/')) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (tokens[p]?.kind === 'star') p++;
  return p === tokens.length;
}

/**
 * Whether some path matches both `a` (whose `*` may hold `/`: a text with pieces only known at run
 * time) and the pattern `b` (whose wildcards stay inside one component): a walk over pairs of
 * positions, O(a x b). Two bracket expressions are taken to share a character.
 */
export function intersects(a: readonly Token[], b: readonly Token[]): boolean {
  const seen = new Uint8Array((a.length + 1) * (b.length + 1));
  const stack: Array<[number, number]> = [[0, 0]];
  const push = (i: number, j: number) => {
    const k = i * (b.length + 1) + j;
    if (!seen[k]) {
      seen[k] = 1;
      stack.push([i, j]);
    }
  };
  while (stack.length) {
    const [i, j] = stack.pop()!;
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    if (x?.kind === 'star') {
      push(i + 1, j);
      if (y) push(i, j + 1);
    }
    if (y?.kind === 'star') {
      push(i, j + 1);
      if (x && !(x.kind === 'char' && x.ch === '/')) push(i + 1, j);
    }
    if (x && y && x.kind !== 'star' && y.kind !== 'star' && shareChar(x, y)) push(i + 1, j + 1);
  }
  return false;
}

function shareChar(x: Token, y: Token): boolean {
  if (x.kind === 'char' && y.kind === 'char') return x.ch === y.ch;
  if (x.kind === 'char' && x.ch === '/') return false;
  if (x.kind === 'char') return y.kind === 'any' || y.test!(x.ch!);
  if (y.kind === 'char') return x.kind === 'any' || x.test!(y.ch!);
  return true;
}

function single(tok: Token, c: string, crossesSlash: boolean): boolean {
  if (tok.kind === 'char') return tok.ch === c;
  if (c === '/' && !crossesSlash) return false;
  return tok.kind === 'any' || tok.test!(c);
}

export const hasGlob = (pattern: string): boolean => /(^|[^\\])[*?[]/.test(pattern);
