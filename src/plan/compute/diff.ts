/** Unified diffs for people, with every known secret masked. */
import { createTwoFilesPatch } from 'diff';

export const REDACTED = '<redacted>';

/**
 * Masks secrets in any text about to leave buddy-init (plan, logs, JSON output). Besides whole values
 * it masks the last-20-character tail of each, which is how Claude Code records an approved API key.
 */
export class Redactor {
  private readonly needles: string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const s of secrets) {
      if (s.length >= 8) all.add(s);
      if (s.length > 20) all.add(s.slice(-20));
    }
    // Longest first, so a whole secret is masked before its tail.
    this.needles = [...all].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    return this.needles.reduce((t, needle) => t.split(needle).join(REDACTED), text);
  }
}

export function unifiedDiff(path: string, before: string | undefined, after: string, context = 3): string {
  return createTwoFilesPatch(before === undefined ? '/dev/null' : `a${path}`, `b${path}`, before ?? '', after, '', '', {
    context,
  })
    .split('\n')
    .slice(1) // the "Index:"-style separator line adds nothing
    .join('\n');
}
