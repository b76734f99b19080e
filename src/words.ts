/** Words for people, the same everywhere. */

/** `1 file`, `2 files`: a count with its noun in the right number (`plural` when not noun + "s"). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
