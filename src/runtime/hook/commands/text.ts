/**
 * Text tools whose argument is a program: sed, awk (gawk, mawk, busybox), jq. They are read-only only
 * when the program provably only reads its input and prints: no program text from a file, no option
 * that loads code or writes, and nothing in the program that runs commands, writes, reads other files
 * or the environment.
 */
import type { Arg } from '../bash/expand.js';
import { hasAny, parseOptions } from '../options.js';
import { readSedScript } from '../sed.js';
import { no, ok, type Call, type Table, type Use } from './types.js';

function sed(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'efl', longValue: ['expression', 'file', 'line-length'], longFlags: ['quiet', 'silent', 'regexp-extended', 'separate', 'unbuffered', 'null-data', 'posix', 'debug', 'sandbox', 'in-place', 'follow-symlinks'] });
  if (p.unclear) return no('sed has an argument only known at run time where an option could be');
  if (hasAny(p, ['-i', '--in-place'])) return { ...no('sed -i changes files'), writes: p.options.some((o) => o.name === '-e' || o.name === '--expression') ? p.operands : p.operands.slice(1) };
  const bad = hasAny(p, ['-f', '--file']) ?? p.options.find((o) => !/^-[nErsuzel]$|^--(quiet|silent|regexp-extended|separate|unbuffered|null-data|posix|debug|sandbox|expression|line-length)$/.test(o.name));
  if (bad) return no(`sed ${bad.name} ${bad.name === '-f' || bad.name === '--file' ? 'runs a script from a file' : 'is not a read-only option'}`);
  const scripts = p.options.filter((o) => o.name === '-e' || o.name === '--expression').map((o) => o.value);
  let files = p.operands;
  if (!scripts.length) {
    scripts.push(files[0]);
    files = files.slice(1);
  }
  if (scripts.some((s) => !s?.exact)) return no('sed runs a script only known at run time');
  const use = ok(files);
  const arg = (text: string): Arg => ({ text, exact: true, many: false });
  for (const s of scripts.map((x) => readSedScript(x!.text))) {
    if (!s.readOnly) use.notReadOnly ??= 'the sed script writes files, reads other files or runs commands';
    use.reads.push(...s.reads.map(arg));
    use.writes.push(...s.writes.map(arg));
    if (s.runs.length) (use.scripts ??= []).push(...s.runs.map((text) => ({ text: arg(text), how: 'sed e', bash: false })));
  }
  return use;
}

/**
 * An awk program that only reads its input and prints. `print > "f"` / `print | "cmd"` (redirections
 * of print statements outside parentheses), getline (reads files and commands), system(), the
 * environment, gawk's extensions and network files are all out. A comparison with `>` elsewhere is fine.
 */
export function awkProgramIsReadOnly(program: string): boolean {
  if (/\b(system|getline|ENVIRON|PROCINFO|fflush|close)\b|@(load|include|namespace)|\/inet\d?\//.test(program)) return false;
  // Walk statements; strings and regular expressions are skipped, so their text never counts.
  let depth = 0;
  let inPrint = false;
  let prev = '';
  for (let i = 0; i < program.length; i++) {
    const c = program[i]!;
    if (c === '"') {
      for (i++; i < program.length && program[i] !== '"'; i++) if (program[i] === '\\') i++;
      prev = '"';
      continue;
    }
    if (c === '/' && /^$|[(,~!&|{};\n=]$/.test(prev)) {
      for (i++; i < program.length && program[i] !== '/'; i++) if (program[i] === '\\') i++;
      prev = '/';
      continue;
    }
    if (c === '#') {
      while (i < program.length && program[i] !== '\n') i++;
      continue;
    }
    if (/[{};\n]/.test(c)) inPrint = false;
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    if (/[a-z]/.test(c) && !/[A-Za-z0-9_]/.test(program[i - 1] ?? '')) {
      const word = /^[a-z]+/.exec(program.slice(i))![0];
      if (word === 'print' || word === 'printf') inPrint = true;
      i += word.length - 1;
      prev = 'w';
      continue;
    }
    if (inPrint && depth === 0 && (c === '>' || (c === '|' && program[i + 1] !== '|' && program[i - 1] !== '|'))) return false;
    if (c === '|' && program[i + 1] === '&') return false; // gawk coprocess
    if (!/\s/.test(c)) prev = c;
  }
  return true;
}

function awk(call: Call): Use {
  const p = parseOptions(call.args, { shortValue: 'fvFeiElWdpo', longValue: ['file', 'assign', 'field-separator', 'source', 'include', 'load', 'exec'], longFlags: ['characters-as-bytes', 'traditional', 'copyright', 'gen-pot', 'lint', 'bignum', 'use-lc-numeric', 'non-decimal-data', 'optimize', 'posix', 're-interval', 'no-optimize', 'sandbox', 'version', 'dump-variables', 'debug', 'profile', 'pretty-print'] });
  if (p.unclear) return no('awk has an argument only known at run time where an option could be');
  const allowed = /^-[FvbcNPrstVMnSe]$|^--(assign|field-separator|characters-as-bytes|traditional|posix|re-interval|sandbox|bignum|use-lc-numeric|source|version|non-decimal-data|optimize|no-optimize)$/;
  const bad = p.options.find((o) => !allowed.test(o.name));
  if (bad) return no(`awk ${bad.name} loads code, writes a file or runs a program`);
  const sources = p.options.filter((o) => o.name === '-e' || o.name === '--source').map((o) => o.value);
  let files = p.operands;
  if (!sources.length) {
    sources.push(files[0]);
    files = files.slice(1);
  }
  const code = sources.map((s) => s?.text ?? '').join('\n');
  const use: Use = ok(files.filter((f) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(f.text)));
  // `print > "file"` and `printf >> "file"` write the file the literal names.
  for (const m of code.matchAll(/[^>]>>?\s*"((?:[^"\\]|\\.)+)"/g)) use.writes.push({ text: m[1]!, exact: true, many: false });
  use.code = { lang: 'awk', text: { text: code, exact: sources.every((s) => s?.exact), many: false } };
  if (!sources.every((s) => s?.exact)) return { ...use, notReadOnly: 'awk runs a program only known at run time' };
  if (!awkProgramIsReadOnly(code)) return { ...use, notReadOnly: 'the awk program runs commands, writes files, or reads files or the environment' };
  return use;
}

/**
 * jq: the program may come from a file (`-f`, in any cluster: `jq -nf FILE` runs FILE and prints it in
 * its error), import modules from library folders (`-L`), or read the environment (where claude's token is).
 */
function jq(call: Call): Use {
  const args = call.args;
  // --arg/--argjson/--slurpfile/--rawfile take two values; --args/--jsonargs make the rest values.
  const files: Arg[] = [];
  const libraries: Arg[] = [];
  let fromFile = false;
  let program: Arg | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.exact && (a.text.startsWith('-') || a.many)) return no('jq has an argument only known at run time where an option could be');
    const t = a.text;
    if (t === '--args' || t === '--jsonargs') break;
    if (t === '--arg' || t === '--argjson') {
      i += 2;
      continue;
    }
    if (t === '--slurpfile' || t === '--rawfile') {
      if (args[i + 2]) files.push(args[i + 2]!);
      i += 2;
      continue;
    }
    if (t === '--from-file') fromFile = true;
    else if (t === '--library-path' || t === '-L') {
      if (args[i + 1]) libraries.push(args[++i]!);
    } else if (t.startsWith('--library-path=')) libraries.push({ ...a, text: t.slice('--library-path='.length) });
    else if (/^-[a-zA-Z]+$/.test(t)) {
      // A cluster: -L takes the rest of the word (or the next one) as a folder.
      const at = t.indexOf('L');
      if (at > 0) {
        if (at < t.length - 1) libraries.push({ ...a, text: t.slice(at + 1) });
        else if (args[i + 1]) libraries.push(args[++i]!);
      }
      if (t.slice(0, at > 0 ? at : undefined).includes('f')) fromFile = true;
      continue;
    }
    if (t === '--indent' || t === '--tab-width') {
      i++;
      continue;
    }
    if (t.startsWith('-') && t !== '-') continue;
    if (program === undefined) program = a;
    else files.push(a);
  }
  const loads = [...(fromFile && program ? [program] : []), ...libraries];
  if (loads.length) return { ...no('jq loads a program or modules from files'), reads: fromFile && program ? [program, ...files] : files, recursive: libraries };
  if (program && !program.exact) return no('jq runs a program only known at run time');
  if (program && (/\benv\b/.test(program.text) || /\$ENV\b/.test(program.text))) {
    const why = "the jq program reads the environment, where claude's token may be";
    return { ...no(why), denied: why };
  }
  if (program && /\b(import|include|get_search_list)\b/.test(program.text)) return { ...no('the jq program imports modules'), reads: files };
  return ok(files);
}

export const TEXT_TOOLS: Record<string, Table> = { sed, awk, gawk: awk, mawk: awk, nawk: awk, jq };
