/** One check doctor makes: what it found, and what repairs it. Shared by doctor and its checks. */
export interface Finding {
  id: string;
  ok: boolean;
  title: string;
  /** What is wrong (or what was checked). */
  detail: string;
  /** What repairs it. */
  fix?: string;
  /** `buddy-init doctor --fix` (an apply) repairs it. */
  fixable: boolean;
  /** For a fixable one: the way by hand, when --fix could not (said after it tried). */
  manual?: string;
  /** Not ok, but the buddy works: WARN, not FAIL (doctor still exits 0). */
  warning?: boolean;
}
