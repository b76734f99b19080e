/**
 * Answers for the wizard: from a flag when one was given, else from a person at the terminal, else
 * (with --yes) the default. Without a terminal, every question that has neither a flag nor (under
 * --yes) a default is collected, and the wizard stops with the list of flags to pass: it never hangs
 * waiting for input that cannot come.
 */
import { confirm, input, password, select } from '@inquirer/prompts';
import { InputError } from '../errors.js';
import { ask } from '../cli/prompts.js';

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

interface Question<T> {
  /** The flag that answers it (without dashes). */
  flag: string;
  message: string;
  default?: T;
}

export type Answers = Record<string, string | boolean | string[] | undefined>;

export class Asker {
  private readonly missing: string[] = [];

  constructor(
    private readonly flags: Answers,
    private readonly interactive: boolean,
    private readonly yes: boolean,
  ) {}

  private given(flag: string): unknown {
    return this.flags[flag];
  }

  private async ask<T>(q: Question<T>, prompt: (context: { signal: AbortSignal }) => Promise<T>, placeholder: T): Promise<T> {
    const flagged = this.given(q.flag);
    if (flagged !== undefined) return flagged as T;
    if (this.interactive) return ask(prompt);
    if (this.yes && q.default !== undefined) return q.default;
    this.missing.push(`--${q.flag}`);
    return q.default ?? placeholder;
  }

  select<T extends string>(q: Question<T> & { choices: Array<Choice<T>> }): Promise<T> {
    const flagged = this.given(q.flag);
    if (typeof flagged === 'string' && !q.choices.some((c) => c.value === flagged)) {
      throw new InputError(`--${q.flag} ${flagged}: must be one of ${q.choices.map((c) => c.value).join(', ')}`);
    }
    return this.ask(q, (context) => select({ message: q.message, choices: q.choices, ...(q.default !== undefined ? { default: q.default } : {}) }, context), q.choices[0]!.value);
  }

  async input(q: Question<string> & { validate?: (value: string) => string | true }): Promise<string> {
    const value = await this.ask(q, (context) => input({ message: q.message, ...(q.default !== undefined ? { default: q.default } : {}), ...(q.validate ? { validate: q.validate } : {}) }, context), '');
    const verdict = q.validate?.(value);
    if (typeof verdict === 'string' && (this.given(q.flag) !== undefined || !this.interactive)) throw new InputError(`--${q.flag} ${value}: ${verdict}`);
    return value;
  }

  confirm(q: Question<boolean>): Promise<boolean> {
    return this.ask(q, (context) => confirm({ message: q.message, default: q.default ?? false }, context), q.default ?? false);
  }

  /** A secret typed at a hidden prompt; never a flag (flags end up in shell history). */
  async secret(message: string, validate: (value: string) => string | true = () => true): Promise<string | undefined> {
    if (!this.interactive) return undefined;
    // Each try is a fresh, empty field: inquirer's own validation keeps the refused text in it, and the
    // right token pasted after it was refused again ("got 49 characters").
    for (let refusal: string | undefined; ; ) {
      const shown = refusal ? `${message} ${refusal}; try again:` : message;
      const value = (await ask((context) => password({ message: shown, mask: false }, context))).trim();
      const verdict = value ? validate(value) : 'cannot be empty';
      if (verdict === true) return value;
      refusal = verdict;
    }
  }

  /** A list answered by a repeatable flag, or interactively as comma-separated text. */
  async list(q: Question<string[]> & { validateItem?: (item: string) => string | true }): Promise<string[]> {
    const flagged = this.given(q.flag);
    const raw = flagged !== undefined ? (Array.isArray(flagged) ? flagged.map(String) : String(flagged).split(',')) : undefined;
    const items = raw ?? (await this.input({ flag: q.flag, message: q.message, default: (q.default ?? []).join(', '), validate: (v) => this.checkItems(v.split(','), q.validateItem) })).split(',');
    const clean = items.map((i) => i.trim()).filter(Boolean);
    const verdict = this.checkItems(clean, q.validateItem);
    if (verdict !== true) throw new InputError(`--${q.flag}: ${verdict}`);
    return clean;
  }

  private checkItems(items: string[], check?: (item: string) => string | true): string | true {
    for (const item of items.map((i) => i.trim()).filter(Boolean)) {
      const v = check?.(item);
      if (typeof v === 'string') return `${item}: ${v}`;
    }
    return true;
  }

  /** True when `flag` had no answer (no flag, no terminal, no --yes default): finish() will stop on it. */
  lacks(flag: string): boolean {
    return this.missing.includes(`--${flag}`);
  }

  /** Throws the list of flags that were needed and not given (non-interactive runs only). */
  finish(): void {
    if (this.missing.length) {
      throw new InputError(`no terminal to ask, and these answers are missing: ${[...new Set(this.missing)].join(' ')} (or pass --yes to take the defaults)`);
    }
  }
}
