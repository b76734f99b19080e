/**
 * Walking the syntax tree: every command of a script, the literal text of a word, and where a simple
 * command's own name starts.
 */
import type { Command, Part, Script, Word } from './ast.js';

/**
 * Visits every command of a script, nested ones included (bodies of compound commands, functions,
 * and, with `deep`, the scripts inside words: $(...), <(...), backquotes).
 */
export function walkCommands(scripts: readonly Script[], visit: (c: Command) => void, deep = false, onScript?: (s: Script) => void): void {
  const word = (w: Word) => w.parts.forEach(part);
  const part = (p: Part): void => {
    if (!deep) return;
    if (p.t === 'cmdsub' || p.t === 'procsub') script(p.body);
    else if (p.t === 'dq') p.parts.forEach(part);
    else if (p.t === 'param' || p.t === 'arith') p.subs.forEach(script);
  };
  const command = (c: Command): void => {
    visit(c);
    for (const r of c.redirects) word(r.target);
    switch (c.type) {
      case 'simple':
        for (const a of c.assignments) if (a.value) word(a.value);
        return c.words.forEach(word);
      case 'subshell':
      case 'group':
      case 'arith-for':
      case 'for':
      case 'select':
        if (c.type === 'for' || c.type === 'select') c.items?.forEach(word);
        return script(c.body);
      case 'if':
        c.clauses.forEach((k) => (script(k.test), script(k.body)));
        if (c.otherwise) script(c.otherwise);
        return;
      case 'while':
      case 'until':
        script(c.test);
        return script(c.body);
      case 'case':
        word(c.subject);
        return c.items.forEach((i) => script(i.body));
      case 'function':
      case 'coproc':
        return command(c.body);
      case 'cond':
        return c.words.forEach(word);
      case 'arith':
        return c.subs.forEach(script);
    }
  };
  const script = (s: Script): void => {
    onScript?.(s);
    for (const item of s.items) for (const p of [item.first, ...item.rest.map((r) => r.pipeline)]) p.commands.forEach(command);
  };
  scripts.forEach(script);
}

/** A word's text after quote removal, when it needs no expansion at all (else undefined). */
export function literalWord(parts: readonly Part[]): string | undefined {
  let out = '';
  for (const p of parts) {
    if (p.t === 'lit' || p.t === 'esc' || p.t === 'sq' || p.t === 'ansi') {
      if (p.t === 'lit' && /[*?[{~]/.test(p.text)) return undefined;
      out += p.text;
    } else if (p.t === 'dq') {
      const inner = literalWord(p.parts);
      if (inner === undefined) return undefined;
      out += inner;
    } else return undefined;
  }
  return out;
}

/**
 * Where the command itself starts among a simple command's words (quote-removed; undefined where only
 * known at run time): `builtin X` and `command X` run X in this shell, as X would. Undefined for
 * `command -v`/`-V`, which only look a name up.
 */
export function commandStart(names: ReadonlyArray<string | undefined>): number | undefined {
  let i = 0;
  while (names[i] === 'builtin' || names[i] === 'command') {
    const isCommand = names[i] === 'command';
    for (i++; names[i]?.startsWith('-') && names[i] !== '-'; i++) {
      if (names[i] === '--') {
        i++;
        break;
      }
      if (isCommand && /[vV]/.test(names[i]!)) return undefined;
    }
  }
  return i;
}
