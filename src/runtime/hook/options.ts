/**
 * Command-line options read the way getopt reads them: short options cluster (`-uo file` holds
 * `-o file`), a short option's value may be attached (`-ofile`) or the next word, long options may be
 * abbreviated (`--out=x` is `--output=x`) and take `=value` or the next word. A check that misses any
 * of these is a bypass, so every command table goes through here.
 */
import type { Arg } from './bash/expand.js';

export interface OptionSpec {
  /** Short options that take a value (getopt's `x:`). */
  shortValue?: string;
  /** Long options that take a value. */
  longValue?: readonly string[];
  /** Long options without a value (to resolve abbreviations; unknown ones are still read as flags). */
  longFlags?: readonly string[];
  /** Options end at the first operand (wrappers, POSIX getopt), instead of anywhere before `--`. */
  stopAtOperand?: boolean;
}

export interface ParsedOption {
  /** `-x` for a short option, `--name` (full name when the abbreviation is unique) for a long one. */
  name: string;
  value?: Arg;
}

export interface Parsed {
  options: ParsedOption[];
  operands: Arg[];
  /** Index in the arguments where operands start, when options stop at the first operand. */
  operandStart: number;
  /** An argument whose value is unknown stands where an option could be: nobody can tell which. */
  unclear: boolean;
}

/** Expands an abbreviated long option to its full name when it names exactly one known option. */
function fullName(name: string, spec: OptionSpec): string {
  const known = [...(spec.longValue ?? []), ...(spec.longFlags ?? [])];
  if (known.includes(name)) return name;
  const matches = known.filter((k) => k.startsWith(name));
  return matches.length === 1 ? matches[0]! : name;
}

export function parseOptions(args: readonly Arg[], spec: OptionSpec): Parsed {
  const out: Parsed = { options: [], operands: [], operandStart: args.length, unclear: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const text = arg.text;
    if (!arg.exact && (text.startsWith('-') || text.startsWith('\u0000') || arg.many)) out.unclear = true;
    if (text === '--' && arg.exact) {
      out.operands.push(...args.slice(i + 1));
      if (out.operandStart === args.length) out.operandStart = i + 1;
      return out;
    }
    if (!text.startsWith('-') || text === '-') {
      if (spec.stopAtOperand) {
        out.operandStart = i;
        out.operands.push(...args.slice(i));
        return out;
      }
      out.operands.push(arg);
      continue;
    }
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const name = fullName(eq < 0 ? text.slice(2) : text.slice(2, eq), spec);
      if (eq >= 0) out.options.push({ name: `--${name}`, value: { ...arg, text: text.slice(eq + 1) } });
      else if (spec.longValue?.includes(name) && i + 1 < args.length) out.options.push({ name: `--${name}`, value: args[++i]! });
      else out.options.push({ name: `--${name}` });
      continue;
    }
    for (let j = 1; j < text.length; j++) {
      const c = text[j]!;
      if (spec.shortValue?.includes(c)) {
        const rest = text.slice(j + 1);
        if (rest) out.options.push({ name: `-${c}`, value: { ...arg, text: rest } });
        else if (i + 1 < args.length) out.options.push({ name: `-${c}`, value: args[++i]! });
        else out.options.push({ name: `-${c}` });
        break;
      }
      out.options.push({ name: `-${c}` });
    }
  }
  return out;
}

/** Whether any option is one of `names` (short `-x`, or long `--name`, abbreviations resolved). */
export function hasAny(parsed: Parsed, names: readonly string[]): ParsedOption | undefined {
  return parsed.options.find((o) => names.includes(o.name) || (o.name.startsWith('--') && names.some((n) => n.startsWith('--') && n.startsWith(o.name) && o.name.length > 2)));
}

/**
 * The value of the option at `args[i]`, for tables that pick out a few options by name: a long one
 * `long` matches (`--output=F` or `--output F`) or a short one `short` matches (`-o F`); undefined when
 * `args[i]` is neither.
 */
export function optionValueAt(args: readonly Arg[], i: number, long: RegExp, short?: RegExp): Arg | undefined {
  const a = args[i]!;
  const eq = /^(--[a-z-]+)=(.*)$/s.exec(a.text);
  if (eq) return long.test(eq[1]!) ? { ...a, text: eq[2]! } : undefined;
  return long.test(a.text) || short?.test(a.text) ? args[i + 1] : undefined;
}
