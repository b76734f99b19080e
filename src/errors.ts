/**
 * The two kinds of error a person sees. Both print as one line; the exit code tells scripts which one
 * it was: 2 for something the person gave us (recipe, flag, host, key, rule), 1 for everything else.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;
/** Ctrl-C at a prompt: the shell's convention for SIGINT (128 + 2). */
export const EXIT_CANCELLED = 130;

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** Bad input: the message names the offending value; `location` points into the file it came from. */
export class InputError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** The one line a person reads: `file:line:col: message` when we know where. */
  get line(): string {
    return this.location ? `${formatLocation(this.location)}: ${this.message}` : this.message;
  }
}

/** Several input errors found in one pass (a recipe with three bad rules reports all three). */
export class InputErrors extends InputError {
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.line).join('\n'), errors[0]?.location);
    this.name = 'InputErrors';
  }

  override get line(): string {
    return this.message;
  }
}

/** Something went wrong on a machine (a command failed, a file could not be written). */
export class OperationError extends Error {
  readonly exitCode = EXIT_FAILURE;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperationError';
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof InputError || err instanceof OperationError) return err.exitCode;
  return EXIT_FAILURE;
}

export function errorLine(err: unknown): string {
  if (err instanceof InputError) return err.line;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** An errno in words, for a file a person named (no bare ENOENT in a message). */
export function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? String(err));
}

/** An error as --json gives it: one object per problem, located when the problem is in a file. */
export interface ErrorObject {
  file?: string;
  line?: number;
  column?: number;
  message: string;
}

export function errorObjects(err: unknown): ErrorObject[] {
  const located = (e: InputError): ErrorObject => (e.location ? { file: e.location.file, line: e.location.line, column: e.location.col, message: e.message } : { message: e.message });
  if (err instanceof InputErrors) return err.errors.map(located);
  if (err instanceof InputError) return [located(err)];
  return [{ message: errorLine(err) }];
}
