/**
 * Random bash lines from a grammar of the constructs where a parser and bash can disagree: here-
 * documents with operators after them, ANSI-C and locale strings with escapes, nested and escaped
 * backquotes, process substitution, arithmetic, parameter expansions with nested substitutions, arrays
 * and subscripts, coproc, functions, [[ ]], case, loops, comments, line continuations, brace
 * expansion. Hidden commands (`touch PWNED`) are planted in the places a wrong parse would miss.
 * Deterministic for a seed, so a failure names a line that replays.
 */

export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const READERS = ['echo', 'cat', 'ls', 'grep', 'wc', 'head', 'printf', 'true', 'git', 'sed', 'awk', 'sort', 'test', 'jq', 'find'];
const WRITERS = ['touch', 'rm', 'sh', 'bash', 'tee', 'mv', 'cp', 'eval', 'cd', 'source'];
const LITERALS = ['a', 'b.txt', '-la', '-n', '--', 'src/', '.', '/tmp/x', 'x=1', '%s', '-e', '~', 'EOF', 'fi', 'done', 'in', '{', '}', '!', '#c', 'a#b', '--x=y', '*.ts', '?', '[ab]', '[', ']', '{a,b}', '{1..3}', 'x{}y', '=', '==', ':'];
const TRICKY = ['\\', "'", '"', '`', '$', ';', '|', '&', '(', ')', '<', '>', '#', '\n', '\\\n', ' ', '\t', '{', '}', '!', '*', '~', "\\'", '\\"', '\\`', '\\$', '$(', ')', 'EOF'];
const HIDDEN = 'touch PWNED';

export class LineGenerator {
  private pending: string[] = [];
  private depth = 0;

  constructor(private readonly rnd: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rnd() * items.length)]!;
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  line(): string {
    this.pending = [];
    this.depth = 0;
    let text = this.list();
    if (this.chance(0.3)) text += `\n${this.list()}`;
    return this.flush(text);
  }

  /** Here-document bodies go after the next newline. */
  private flush(text: string): string {
    if (!this.pending.length) return text;
    const bodies = this.pending.join('');
    this.pending = [];
    const nl = text.indexOf('\n');
    return nl < 0 ? `${text}\n${bodies}` : `${text.slice(0, nl + 1)}${bodies}${text.slice(nl + 1)}`;
  }

  private list(): string {
    let s = this.andOr();
    while (this.chance(this.depth ? 0.15 : 0.3)) s += `${this.pick([';', ' ; ', ' & ', ' &&\n', '\n'])}${this.andOr()}`;
    if (this.chance(0.05)) s += this.pick([' &', ';', ' # ', ` # ${HIDDEN}`, ' #x\\']);
    return s;
  }

  private andOr(): string {
    let s = this.pipeline();
    while (this.chance(this.depth ? 0.1 : 0.2)) s += `${this.pick([' && ', ' || ', '&&', ' ||\n'])}${this.pipeline()}`;
    return s;
  }

  private pipeline(): string {
    let s = (this.chance(0.05) ? '! ' : '') + (this.chance(0.03) ? 'time ' : '') + this.command();
    while (this.chance(this.depth ? 0.1 : 0.2)) s += `${this.pick([' | ', '|', ' |& ', ' |\n'])}${this.command()}`;
    return s;
  }

  private command(): string {
    if (this.depth > 2) return this.simple();
    this.depth++;
    try {
      const r = this.rnd();
      if (r < 0.62) return this.simple();
      if (r < 0.66) return `(${this.list()})`;
      if (r < 0.70) return `{ ${this.list()}; }`;
      if (r < 0.74) return `if ${this.list()}; then ${this.list()}; ${this.chance(0.3) ? `else ${this.list()}; ` : ''}fi`;
      if (r < 0.78) return `for v in ${this.words(2)}; do ${this.list()}; done`;
      if (r < 0.80) return `while ${this.simple()}; do ${this.list()}; break; done`;
      if (r < 0.84) return `case ${this.word()} in ${this.word()}) ${this.list()};; ${this.chance(0.5) ? `*) ${this.list()};;` : ''} esac`;
      if (r < 0.87) return `f() { ${this.list()}; }; f ${this.word()}`;
      if (r < 0.90) return `[[ ${this.word()} ${this.pick(['==', '!=', '=~', '-eq', '<', '-nt'])} ${this.word()} ]]`;
      if (r < 0.92) return `(( ${this.pick(['1+2', 'x=3', 'a[$(' + HIDDEN + ')]', 'y++', '1 ? 2 : 3'])} ))`;
      if (r < 0.93) return `coproc ${this.simple()}`;
      if (r < 0.96) return `${this.simple()} ${this.redirect()}`;
      if (r < 0.98) return `${this.pick(['x', 'y', 'IFS', 'A'])}=${this.word()}${this.chance(0.5) ? ` ${this.simple()}` : ''}`;
      return `${this.pick(['a', 'x'])}${this.pick(['=', '+='])}(${this.words(2)})${this.chance(0.5) ? `; ${this.simple()} "\${a[@]}"` : ''}`;
    } finally {
      this.depth--;
    }
  }

  private simple(): string {
    let name = this.chance(0.8) ? this.pick(READERS) : this.chance(0.7) ? this.pick(WRITERS) : this.word();
    // The same builtin spelled otherwise: quoted, escaped, behind `builtin` or `command`.
    if (this.chance(0.04)) name = this.pick([`"${name}"`, `\\${name}`, `'${name}'`]);
    if (this.chance(0.06)) name = `${this.pick(['builtin', 'command', 'command -p', 'command --', 'command -v'])} ${name}`;
    let s = (this.chance(0.1) ? `${this.pick(['A', 'LC_ALL', 'x'])}=${this.word()} ` : '') + name;
    const n = Math.floor(this.rnd() * (this.depth ? 2 : 4));
    for (let i = 0; i < n; i++) s += ` ${this.word()}`;
    if (this.chance(0.25)) s += ` ${this.redirect()}`;
    return s;
  }

  private redirect(): string {
    const r = this.rnd();
    if (r < 0.15) return `> ${this.word()}`;
    if (r < 0.25) return '2>&1';
    if (r < 0.35) return `< ${this.word()}`;
    if (r < 0.45) return `<<< ${this.word()}`;
    if (r < 0.5) return this.pick(['>/dev/null', '2>/dev/null', '&>/dev/null', '>&2', '3>&1', '<&-', '{fd}>/dev/null']);
    return this.heredoc();
  }

  private heredoc(): string {
    const quoted = this.chance(0.5);
    const strip = this.chance(0.3);
    const delim = this.pick(['EOF', 'E', 'X_1', 'END']);
    const spelled = quoted ? this.pick([`'${delim}'`, `"${delim}"`, `\\${delim}`, `${delim.slice(0, 1)}'${delim.slice(1)}'`]) : delim;
    const lines: string[] = [];
    const n = 1 + Math.floor(this.rnd() * 3);
    for (let i = 0; i < n; i++) lines.push(this.heredocLine(delim));
    this.pending.push(`${lines.map((l) => (strip && this.chance(0.5) ? `\t${l}` : l)).join('\n')}\n${strip && this.chance(0.5) ? '\t' : ''}${delim}\n`);
    const after = this.chance(0.5) ? this.pick([' | sh', ' && ' + HIDDEN, ' > out', ` | ${this.simple()}`, '; ' + HIDDEN, ' )']) : '';
    return `<<${strip ? '-' : ''}${spelled}${after}`;
  }

  private heredocLine(delim: string): string {
    return this.pick([
      HIDDEN,
      `$(${HIDDEN})`,
      `\`${HIDDEN}\``,
      `text $HOME "q" 'q'`,
      `${delim}x`,
      ` ${delim}`,
      `a \\`,
      `\\$(${HIDDEN})`,
      `$((1+2))`,
      `\${x:-$(${HIDDEN})}`,
      this.word(),
    ]);
  }

  private words(n: number): string {
    return Array.from({ length: n }, () => this.word()).join(' ');
  }

  word(): string {
    const n = 1 + Math.floor(this.rnd() * (this.depth ? 1.5 : 2.5));
    let s = '';
    for (let i = 0; i < n; i++) s += this.wordPart();
    return s;
  }

  private wordPart(): string {
    const r = this.rnd();
    if (r < 0.25) return this.pick(LITERALS);
    if (r < 0.35) return `'${this.textWith(0.3).replace(/'/g, '')}'`;
    if (r < 0.47) return `"${this.dq()}"`;
    if (r < 0.53) return `$'${this.ansi()}'`;
    if (r < 0.58) return `$${this.pick(['HOME', 'x', 'IFS', '1', '@', '#', '?', 'A', 'PWD'])}`;
    if (r < 0.64) return `\${${this.pick(['HOME', 'x', 'A'])}${this.pick(['', ':-', '-', ':+', '#', '%', ':=', '/a/', '//o/', '/#/', ':1:2', ': -2', '^^', ',', ':0'])}${this.chance(0.5) ? this.word().replace(/}/g, '') : ''}}`;
    if (r < 0.70) return this.depth > 1 ? 'x' : `$(${this.nested()})`;
    if (r < 0.74) return this.depth > 1 ? 'x' : `\`${this.pick([HIDDEN, 'echo a', `echo \\\`${HIDDEN}\\\``, 'echo \\$x', 'ls'])}\``;
    if (r < 0.76) return `$((${this.pick(['1+2', 'x', 'a[$(' + HIDDEN + ')]', '1))+((2'])}))`;
    if (r < 0.79) return this.depth > 1 ? 'x' : `${this.pick(['<', '>'])}(${this.nested()})`;
    if (r < 0.83) return `\\${this.pick(TRICKY)}`;
    if (r < 0.85) return `$"${this.dq()}"`;
    if (r < 0.88) return `\${a[${this.pick(['0', '@', '$(' + HIDDEN + ')', 'i+1'])}]}`;
    if (r < 0.90) return '\\\n';
    return this.pick(['{a,$(' + HIDDEN + ')}', '{,x}', '~/x', '~root', 'a=~/b:~/c', '*', '.[a-z]*', '$$', '$', 'x$', '"$@"', '${#x}', '${!x}', '$-']);
  }

  private nested(): string {
    this.depth++;
    try {
      return this.chance(0.3) ? HIDDEN : this.list();
    } finally {
      this.depth--;
    }
  }

  private dq(): string {
    let s = '';
    const n = Math.floor(this.rnd() * 4);
    for (let i = 0; i < n; i++) {
      const r = this.rnd();
      if (r < 0.3) s += this.textWith(0.2).replace(/["\\$`]/g, '');
      else if (r < 0.45) s += `$${this.pick(['HOME', 'x', '1'])}`;
      else if (r < 0.6) s += this.depth > 1 ? 'x' : `$(${this.nested()})`;
      else if (r < 0.7) s += this.depth > 1 ? 'x' : `\`${this.pick([HIDDEN, `echo \\"${HIDDEN}\\"`, 'ls'])}\``;
      else if (r < 0.85) s += `\\${this.pick(['"', '$', '`', '\\', 'n', '\n', "'"])}`;
      else s += `\${x:-${this.pick(["'$(" + HIDDEN + ")'", 'a b', '"q"', '$(' + HIDDEN + ')', '}'])}}`;
    }
    return s;
  }

  private ansi(): string {
    let s = '';
    const n = Math.floor(this.rnd() * 4);
    for (let i = 0; i < n; i++) s += this.pick(['a', '\\\\', "\\'", '\\n', '\\x41', '\\101', '\\c', '\\ca', '\\u00e9', '\\x', ' ', '"', '\\e', `; ${HIDDEN} #`, '\\0', '$x']);
    return s;
  }

  private textWith(p: number): string {
    let s = '';
    const n = Math.floor(this.rnd() * 5);
    for (let i = 0; i < n; i++) s += this.chance(p) ? this.pick(TRICKY) : this.pick(['a', 'b', ' ', HIDDEN, 'x y']);
    return s;
  }
}
