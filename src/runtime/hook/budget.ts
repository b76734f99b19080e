/**
 * A bound on the work one decision may do. Every loop that runs over input (characters, tokens, words,
 * brace expansions, directory entries) spends from it; when it runs out the hook stops and asks. Time
 * alone cannot bound a call: a timer cannot fire during synchronous work.
 */
export class BudgetExceeded extends Error {
  constructor(what: string) {
    super(`too much work to check (${what})`);
  }
}

export class Budget {
  private spent = 0;

  constructor(
    private readonly steps: number,
    /** performance.now() value after which work stops. */
    private readonly deadline = Number.POSITIVE_INFINITY,
  ) {}

  /** Spends `n` steps; throws when the budget or the deadline is used up. */
  spend(n = 1, what = 'input'): void {
    this.spent += n;
    if (this.spent > this.steps) throw new BudgetExceeded(what);
    // The clock is read every 4096 steps: cheap, and often enough that the deadline holds.
    if ((this.spent & 0xfff) < n && performance.now() > this.deadline) throw new BudgetExceeded('time');
  }
}
