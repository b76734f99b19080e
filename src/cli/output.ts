/**
 * Everything the CLI prints goes through here: colour (off with --no-color, NO_COLOR or a non-TTY),
 * --json, and secret masking, so no code path can print a token by accident.
 */
import pc from 'picocolors';
import type { ErrorObject } from '../errors.js';
import { Redactor } from '../plan/index.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface OutputOptions {
  json: boolean;
  color: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export class Output {
  readonly json: boolean;
  readonly c: Colors;
  private redactor = new Redactor([]);
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.c = pc.createColors(options.color);
  }

  /** Secrets resolved for this run; from now on they are masked in everything printed. */
  addSecrets(values: Iterable<string>): void {
    this.redactor = new Redactor(values);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Human output (suppressed under --json). */
  print(text = ''): void {
    if (!this.json) this.stdout.write(`${this.redact(text)}\n`);
  }

  /** Machine output: one JSON document on stdout. */
  printJson(value: unknown): void {
    this.stdout.write(`${this.redact(JSON.stringify(value, null, 2))}\n`);
  }

  /** Machine output as JSON lines (one value per line, already encoded), for logs. */
  printJsonLine(line: string): void {
    this.stdout.write(`${this.redact(line)}\n`);
  }

  /** Progress and warnings go to stderr, so stdout stays clean for --json and pipes. */
  info(text: string): void {
    this.stderr.write(`${this.redact(text)}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${this.c.yellow('warning:')} ${this.redact(text)}\n`);
  }

  /** `objects`: the problems one by one, for --json (default: the text as one). */
  error(text: string, objects: ErrorObject[] = [{ message: text }]): void {
    if (this.json) this.printJson({ ok: false, errors: objects });
    else this.stderr.write(`${this.c.red('error:')} ${this.redact(text)}\n`);
  }
}

export function colorWanted(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag === false || 'NO_COLOR' in process.env) return false;
  if (flag === true || 'FORCE_COLOR' in process.env) return true;
  return Boolean(stream.isTTY);
}
