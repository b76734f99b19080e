/**
 * Secrets in variables. Claude's token (and the chat's, where a plugin shares the environment) is in
 * the Bash tool's environment wherever no env scrub runs, so any expansion of a secret's variable is a
 * secret read: in a word, in another expansion's operand, in a redirection or a here-document, in
 * arithmetic (an error message prints the value). So is an expansion that picks its variable at run
 * time (`${!name}`), one that expands a value a second time (`${x@P}`), and a builtin that prints
 * variables' values (`declare -p`, `set`, `export`, `env` with no command).
 */
import type { ParamPart, Part, Script, Word } from './bash/ast.js';
import type { Arg } from './bash/expand.js';
import { walkCommands } from './bash/walk.js';
import { SECRET_VARIABLE } from '../shared/secretNames.js';

/** Why the script expands a secret's variable (one reason per expansion found). */
export function secretExpansions(script: Script): string[] {
  const found: string[] = [];
  const names = (text: string, how: string) => {
    for (const n of text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (SECRET_VARIABLE.test(n)) found.push(`${how} evaluates $${n}, which may hold a secret`);
  };
  const param = (p: ParamPart) => {
    if (p.prefix === '!') {
      // `${!prefix@}` and `${!array[@]}` list names and keys; every other `${!x}` reads a variable named at run time.
      const listsNames = (p.op === '@' || p.op === '*') && !p.operandText;
      const keys = p.subscript === '@' || p.subscript === '*';
      if (!listsNames && !keys) found.push(`\${!${p.name}} reads a variable whose name is only known at run time, which may be a secret's`);
    } else if (SECRET_VARIABLE.test(p.name) && p.prefix !== '#') found.push(`expands $${p.name}, which may hold a secret`);
    if (p.op === '@' && /P/.test(p.operandText ?? '')) found.push(`\${${p.name}@P} expands a value again, as a prompt: it can read any variable and run commands`);
    if (p.subscript !== undefined) names(p.subscript, 'an array subscript');
    p.operand?.forEach(part);
    for (const s of p.subs) found.push(...secretExpansions(s));
  };
  const part = (p: Part): void => {
    if (p.t === 'dq') p.parts.forEach(part);
    else if (p.t === 'param') param(p);
    else if (p.t === 'cmdsub' || p.t === 'procsub') found.push(...secretExpansions(p.body));
    else if (p.t === 'arith') {
      names(p.text, 'arithmetic');
      for (const s of p.subs) found.push(...secretExpansions(s));
    }
  };
  const word = (w: Word | undefined) => w?.parts.forEach(part);
  walkCommands([script], (c) => {
    for (const r of c.redirects) {
      word(r.target);
      if (r.heredoc && !r.heredoc.quoted) word(r.heredoc.body);
    }
    switch (c.type) {
      case 'simple':
        for (const a of c.assignments) {
          word(a.value);
          a.array?.forEach(word);
          if (a.subscript !== undefined) names(a.subscript, 'an array subscript');
        }
        c.words.forEach(word);
        return;
      case 'for':
      case 'select':
        c.items?.forEach(word);
        return;
      case 'case':
        word(c.subject);
        c.items.forEach((i) => i.patterns.forEach(word));
        return;
      case 'cond':
        c.words.forEach(word);
        // [[ ]] evaluates the operands of -eq, -lt... as arithmetic: a bare name there is read too.
        c.words.forEach((w, i) => {
          if (/^-(eq|ne|lt|le|gt|ge)$/.test(w.text)) for (const side of [c.words[i - 1], c.words[i + 1]]) if (side) names(side.text, '[[ ]]');
        });
        return;
      case 'arith':
      case 'arith-for':
        names(c.text, 'arithmetic');
        for (const s of c.subs) found.push(...secretExpansions(s));
        return;
    }
  });
  return found;
}

/** Builtins that declare variables (and, with no names or -p, print them). */
export const DECLARATIONS: ReadonlySet<string> = new Set(['declare', 'typeset', 'local', 'readonly', 'export']);

/** Why a builtin or `env` prints variables' values (secrets among them); undefined when it does not. */
export function printsVariables(verb: string, args: readonly Arg[]): string | undefined {
  const words = args.map((a) => (a.exact ? a.text : undefined));
  if (verb === 'set' && words.length === 0) return "set prints every variable, claude's token among them";
  if (DECLARATIONS.has(verb)) {
    const options = words.filter((w) => w?.startsWith('-') || w?.startsWith('+'));
    const names = words.filter((w) => !(w?.startsWith('-') || w?.startsWith('+')));
    // -f and -F print functions, not values.
    if (options.some((o) => o !== undefined && /[fF]/.test(o))) return undefined;
    if (names.length === 0 && (verb !== 'local' || options.length)) return `${verb} ${options.join(' ')} prints variables' values, claude's token among them`.replace('  ', ' ');
    if (verb !== 'export' && options.some((o) => o?.includes('n'))) return `${verb} -n makes a name that stands for another variable, which may be a secret's`;
    if (options.some((o) => o?.includes('p'))) {
      const named = names.find((n) => n === undefined || SECRET_VARIABLE.test(n.split('=')[0]!));
      if (named !== undefined || names.includes(undefined)) return `${verb} -p prints ${named ?? 'a variable named at run time'}, which may hold a secret`;
    }
    return undefined;
  }
  if (verb === 'env') {
    // env with no command prints the environment; its options and NAME=value words come first.
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (w === undefined) return undefined;
      if (w === '-u' || w === '-C' || w === '--unset' || w === '--chdir') i++;
      else if (w === '-S' || w.startsWith('--split-string') || (w.startsWith('-') && w.includes('S'))) return undefined;
      else if (!w.startsWith('-') && !/^[^=]+=/.test(w)) return undefined;
    }
    return "env with no command prints the whole environment, where claude's token may be";
  }
  return undefined;
}
