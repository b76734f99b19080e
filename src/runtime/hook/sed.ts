/**
 * A sed script is a program: `e` runs commands, `w`/`W` and the `w` flag of `s` write files, `r`/`R`
 * read arbitrary files. This scanner walks a script command by command and accepts it only when every
 * command is one that reads its input and prints.
 */

const SAFE_COMMANDS = new Set(['p', 'P', 'd', 'D', 'n', 'N', 'g', 'G', 'h', 'H', 'x', 'l', '=', 'q', 'Q', 'z', 'F', '{', '}']);
const LABEL_COMMANDS = new Set(['b', 't', 'T', ':']);
const TEXT_COMMANDS = new Set(['a', 'i', 'c']);

/** Skips a delimited part (regex or replacement) starting after its opening delimiter. */
function skipDelimited(script: string, i: number, delim: string): number {
  while (i < script.length) {
    const ch = script[i]!;
    if (ch === '\\') i += 2;
    else if (ch === delim) return i + 1;
    else if (ch === '\n' && delim !== '\n') return -1;
    else i++;
  }
  return -1;
}

function skipAddress(script: string, i: number): number {
  const one = (j: number): number => {
    if (script[j] === '$') return j + 1;
    if (/\d/.test(script[j] ?? '')) {
      while (/[\d~]/.test(script[j] ?? '')) j++;
      return j;
    }
    if (script[j] === '/') return skipDelimited(script, j + 1, '/');
    if (script[j] === '\\' && script[j + 1]) return skipDelimited(script, j + 2, script[j + 1]!);
    return j;
  };
  let j = one(i);
  if (j < 0) return -1;
  while (/[IM]/.test(script[j] ?? '')) j++;
  if (script[j] === ',') {
    j++;
    if (script[j] === '+' || script[j] === '~') {
      j++;
      while (/\d/.test(script[j] ?? '')) j++;
    } else j = one(j);
    if (j < 0) return -1;
    while (/[IM]/.test(script[j] ?? '')) j++;
  }
  while (script[j] === ' ' || script[j] === '!') j++;
  return j;
}

/** What a sed script does besides reading its input and printing. */
export interface SedScript {
  /** Every command is one that reads its input and prints (and the script parsed). */
  readOnly: boolean;
  /** Files named by r/R (read) and w/W or the `w` flag of s (written), and commands given to `e`. */
  reads: string[];
  writes: string[];
  runs: string[];
}

export function readSedScript(script: string): SedScript {
  const out: SedScript = { readOnly: true, reads: [], writes: [], runs: [] };
  const fail = (): SedScript => ({ ...out, readOnly: false });
  // A file name or command runs to the end of the line.
  const rest = (from: number): [string, number] => {
    let j = from;
    while (script[j] === ' ' || script[j] === '\t') j++;
    const end = script.indexOf('\n', j);
    return [script.slice(j, end < 0 ? script.length : end), end < 0 ? script.length : end];
  };
  let i = 0;
  while (i < script.length) {
    const ch = script[i]!;
    if (/[\s;]/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    i = skipAddress(script, i);
    if (i < 0) return fail();
    const cmd = script[i];
    if (cmd === undefined) return out;
    i++;
    if (SAFE_COMMANDS.has(cmd)) {
      while (/[\d ]/.test(script[i] ?? '')) i++; // q/Q/l take a number
      continue;
    }
    if (LABEL_COMMANDS.has(cmd) || TEXT_COMMANDS.has(cmd)) {
      while (i < script.length && script[i] !== '\n' && !(LABEL_COMMANDS.has(cmd) && script[i] === ';')) i++;
      continue;
    }
    if (cmd === 'r' || cmd === 'R' || cmd === 'w' || cmd === 'W' || cmd === 'e') {
      const [arg, end] = rest(i);
      (cmd === 'e' ? out.runs : cmd === 'r' || cmd === 'R' ? out.reads : out.writes).push(arg);
      out.readOnly = false;
      i = end;
      continue;
    }
    if (cmd === 's' || cmd === 'y') {
      const delim = script[i];
      if (!delim || delim === '\\' || delim === '\n') return fail();
      i = skipDelimited(script, i + 1, delim);
      if (i < 0) return fail();
      i = skipDelimited(script, i, delim);
      if (i < 0) return fail();
      if (cmd === 's') {
        // Flags: g p i I m M and a number are harmless; e runs the pattern space, w writes a file.
        while (i < script.length && /[gpiImMe0-9]/.test(script[i]!)) {
          if (script[i] === 'e') out.readOnly = false;
          i++;
        }
        if (script[i] === 'w') {
          const [arg, end] = rest(i + 1);
          out.writes.push(arg);
          out.readOnly = false;
          i = end;
        } else if (i < script.length && !/[\s;}#]/.test(script[i]!)) return fail();
      }
      continue;
    }
    return fail(); // v and anything unknown
  }
  return out;
}
