/** The CLI's few questions outside the wizard: a hidden secret, a yes/no before apply. */
import { confirm, password } from '@inquirer/prompts';
import { EXIT_CANCELLED, InputError } from '../errors.js';

/**
 * Ctrl-C at a prompt is a person changing their mind, and a hang-up (the SSH session to the laptop
 * dropped) or a SIGTERM while a question waits is treated the same: the callers' clean-up runs, nothing
 * is left half-written, and the exit code is the shell's 128 + the signal's number.
 */
export class Cancelled extends Error {
  constructor(readonly exitCode = EXIT_CANCELLED) {
    super('cancelled; nothing was written');
    this.name = 'Cancelled';
  }
}

const HANG_UPS = { SIGHUP: 1, SIGTERM: 15 } as const;
const hangUp = new AbortController();
let waiting = 0;
let listening = false;

/**
 * While a question waits, SIGHUP and SIGTERM abort it (inquirer's own exit hook stands aside when the
 * process has a listener of its own, so the abort signal is the way in). At any other moment the signal
 * does what it always does, ends the process: apply's write-ahead record is made for exactly that.
 * Installed by the first question, so processes that never ask (the supervisor) keep their own handling.
 */
function cancelQuestionsOnHangUp(): void {
  if (listening) return;
  listening = true;
  for (const sig of Object.keys(HANG_UPS) as Array<keyof typeof HANG_UPS>) {
    const handler = () => {
      if (waiting > 0) return hangUp.abort(sig);
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/** Runs one inquirer prompt; Ctrl-C, a hang-up or SIGTERM becomes Cancelled. */
export async function ask<T>(question: (context: { signal: AbortSignal }) => Promise<T>): Promise<T> {
  cancelQuestionsOnHangUp();
  waiting++;
  try {
    return await question({ signal: hangUp.signal });
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortPromptError') throw new Cancelled(128 + HANG_UPS[hangUp.signal.reason as keyof typeof HANG_UPS]);
    if (err instanceof Error && err.name === 'ExitPromptError') throw new Cancelled();
    throw err;
  } finally {
    waiting--;
  }
}

export function promptSecret(label: string): Promise<string> {
  return ask((context) => password({ message: `${label} (input hidden):`, mask: false }, context));
}

/** Asks before changing a target; --yes answers for the person, and without a terminal --yes is required. */
export async function confirmAction(interactive: boolean, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (!interactive) throw new InputError(`this changes the target: pass --yes to confirm when not running in a terminal`);
  return ask((context) => confirm({ message: question, default: false }, context));
}

export function promptPassphrase(keyFile: string): Promise<string> {
  return ask((context) => password({ message: `Passphrase for ${keyFile}:`, mask: false }, context));
}

export function promptSudoPassword(where: string): Promise<string> {
  return ask((context) => password({ message: `sudo password on ${where} (input hidden, sent only to sudo):`, mask: false }, context));
}
