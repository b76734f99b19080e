import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellWord, systemdText, systemdWord, xmlText } from '../../src/render/escape.js';
import { TEMPLATE_NAMES, templatePath } from '../../src/render/templates.js';
import { parseShellEnv } from '../../src/runtime/shared/shell.js';
import { tempDir } from '../helpers.js';

const NASTY = ['plain', 'with space', "it's", 'say "hi"', 'back\\slash', '50%', '$HOME', 'a;b&c|d', '`id`', '*?[x]', 'üñí'];

describe('escaping', () => {
  it.each(NASTY)('a shell word survives a real sh: %s', (value) => {
    expect(execFileSync('sh', ['-c', `printf %s ${shellWord(value)}`], { encoding: 'utf8' })).toBe(value);
  });

  it.each(NASTY)('a KEY=value env line reads back: %s', (value) => {
    expect(parseShellEnv(`K=${shellWord(value)}\n`).K).toBe(value);
    const file = join(tempDir(), 'auth.env');
    writeFileSync(file, `K=${shellWord(value)}\n`);
    expect(execFileSync('sh', ['-c', 'set -a; . "$1"; printf %s "$K"', 'sh', file], { encoding: 'utf8' })).toBe(value);
  });

  it('doubles systemd specifiers and variables, quotes words with spaces', () => {
    expect(systemdWord('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdWord('/home/a b/x')).toBe('"/home/a b/x"');
    expect(systemdWord('100%')).toBe('"100%%"');
    expect(systemdWord('$HOME')).toBe('"$$HOME"');
    expect(systemdWord('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(systemdText('50% done')).toBe('50%% done');
  });

  it('escapes XML and refuses control characters', () => {
    expect(xmlText(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(() => xmlText('a\u0001b')).toThrow(/control character/);
    expect(() => systemdWord('a\nExecStartPre=/bin/evil')).toThrow(/control character/);
  });

  it('every template value goes through a format helper (no bare {{value}})', () => {
    for (const name of TEMPLATE_NAMES) {
      const text = readFileSync(templatePath(name), 'utf8');
      const bare = [...text.matchAll(/\{\{\{?\s*([^#/!>\s}][^}\s]*)\s*\}?\}\}/g)].map((m) => m[1]).filter((v) => v !== 'else');
      expect(bare, `${name} interpolates without a helper`).toEqual([]);
    }
  });
});
