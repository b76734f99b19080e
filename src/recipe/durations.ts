/** Durations in a recipe are seconds (`30`) or a number with a unit (`500ms`, `30s`, `2m`, `1h`). */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

export function durationSeconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = DURATION_PATTERN.exec(value);
  if (!m) throw new Error(`not a duration: ${value}`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}
