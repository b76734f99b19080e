/**
 * `$'...'` as bash decodes it (lib/sh/strtrans.c, ansicstr with the flags $'...' uses). A NUL byte
 * ends the string in bash (it is a C string), so the text after one is dropped here too.
 */
const SIMPLE: Record<string, string> = { a: '\x07', v: '\v', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', '?': '?' };
const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

export interface Decoded {
  text: string;
  /**
   * Uses an escape above 0x7f: a code point (its bytes depend on the locale) or a raw byte (which
   * need not be valid text, so this string cannot hold it exactly).
   */
  localeDependent: boolean;
  /** A NUL ended it early. */
  truncated?: boolean;
}

export function decodeAnsiC(body: string): Decoded {
  let out = '';
  let localeDependent = false;
  for (let i = 0; i < body.length; ) {
    const c = body[i++]!;
    if (c !== '\\' || i >= body.length) {
      out += c;
      continue;
    }
    const e = body[i++]!;
    let code: number | undefined;
    if (e in SIMPLE) out += SIMPLE[e];
    else if (isOctal(e)) {
      code = e.charCodeAt(0) - 48;
      for (let n = 0; n < 2 && isOctal(body[i]); n++) code = code * 8 + body.charCodeAt(i++) - 48;
      code &= 0xff;
    } else if (e === 'x') {
      let digits = 0;
      code = 0;
      if (body[i] === '{') {
        // \x{...}: any number of hex digits, then an optional closing brace.
        i++;
        while (isHex(body[i])) code = code * 16 + parseInt(body[i++]!, 16);
        if (body[i] === '}') i++;
        digits = 1;
      } else while (digits < 2 && isHex(body[i])) (code = code * 16 + parseInt(body[i++]!, 16)), digits++;
      if (digits === 0) {
        out += '\\x';
        code = undefined;
      } else code &= 0xff;
    } else if (e === 'u' || e === 'U') {
      let digits = 0;
      let v = 0;
      while (digits < (e === 'u' ? 4 : 8) && isHex(body[i])) (v = v * 16 + parseInt(body[i++]!, 16)), digits++;
      if (digits === 0) out += `\\${e}`;
      else if (v <= 0x7f) code = v;
      else {
        localeDependent = true;
        out += String.fromCodePoint(Math.min(v, 0x10ffff));
      }
    } else if (e === 'c') {
      if (i >= body.length) out += '\\c';
      else {
        const ch = body[i++]!;
        if (ch === '\\' && body[i] === '\\') i++;
        code = ch === '?' ? 0x7f : ch.toUpperCase().charCodeAt(0) & 0x1f;
      }
    } else out += `\\${e}`;
    if (code !== undefined) {
      if (code === 0) return { text: out, localeDependent, truncated: true };
      if (code > 0x7f) localeDependent = true;
      out += String.fromCharCode(code);
    }
  }
  return { text: out, localeDependent };
}
