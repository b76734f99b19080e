/**
 * The documentation as a set (issue 29): the README fits one screen, no page of docs/ runs past what a
 * person reads in one sitting, and every link between them leads somewhere (a file, and a heading in it
 * when the link names one, as GitHub makes the anchor from the heading).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const PAGES = [join(ROOT, 'README.md'), join(ROOT, 'ARCHITECTURE.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];

/** GitHub's anchor for a heading: lower case, punctuation out, spaces to dashes. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** Markdown links outside code: [text](target). */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe('the documentation', () => {
  it('README: one screen', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(70);
  });

  it('no page of docs/ over 300 lines', () => {
    const long = PAGES.filter((p) => p.includes('/docs/')).filter((p) => readFileSync(p, 'utf8').split('\n').length > 300);
    expect(long.map((p) => relative(ROOT, p))).toEqual([]);
  });

  it('every link between the pages leads to a file and, when it names one, a heading', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of PAGES) {
      for (const link of links(readFileSync(page, 'utf8'))) {
        if (/^[a-z]+:/.test(link)) continue; // another site
        checked++;
        const [file, anchor] = link.split('#');
        const target = file ? resolve(dirname(page), file) : page;
        if (!existsSync(target)) {
          broken.push(`${relative(ROOT, page)}: ${link} (no such file)`);
          continue;
        }
        if (!anchor || !target.endsWith('.md')) continue;
        const headings = [...readFileSync(target, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!));
        if (!headings.includes(anchor)) broken.push(`${relative(ROOT, page)}: ${link} (no such heading)`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });
});
