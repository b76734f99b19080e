/**
 * Option matching that follows GNU getopt: short options cluster (`-uo file` holds `-o`) and long
 * options may be abbreviated (`--out=x` is `--output=x`). A check that misses either is a bypass.
 */

/** Long option name of `--name=value` / `--name`. */
const longName = (arg: string) => arg.slice(2).split('=')[0]!;

export interface OptionSpec {
  /** Forbidden short option letters. */
  short?: string;
  /** Forbidden long option names (without dashes). */
  long?: string[];
}

/** True when any argument before `--` is, or clusters, or abbreviates a forbidden option. */
export function hasOption(args: readonly string[], spec: OptionSpec): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg.startsWith('--')) {
      const name = longName(arg);
      if (name && spec.long?.some((l) => l.startsWith(name))) return true;
    } else if (arg.startsWith('-') && arg.length > 1 && spec.short) {
      if ([...arg.slice(1)].some((ch) => spec.short!.includes(ch))) return true;
    }
  }
  return false;
}

/** Arguments that are not options (everything after `--` included). */
export function positionals(args: readonly string[], takesValue: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  let skipNext = false;
  let afterDashes = false;
  for (const arg of args) {
    if (afterDashes) out.push(arg);
    else if (skipNext) skipNext = false;
    else if (arg === '--') afterDashes = true;
    else if (arg.startsWith('-') && arg !== '-') {
      if (takesValue.has(arg)) skipNext = true;
    } else out.push(arg);
  }
  return out;
}
