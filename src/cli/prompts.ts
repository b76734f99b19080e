/** The CLI's few questions outside the wizard: a hidden secret, a yes/no before apply. */
import { confirm, password } from '@inquirer/prompts';
import { InputError } from '../errors.js';

/** Ctrl-C at a prompt is a person changing their mind: exit cleanly, having written nothing. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled; nothing was written');
    this.name = 'Cancelled';
  }
}

async function ask<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (err) {
    if (err instanceof Error && err.name === 'ExitPromptError') throw new Cancelled();
    throw err;
  }
}

export function promptSecret(label: string): Promise<string> {
  return ask(() => password({ message: `${label} (input hidden):`, mask: false }));
}

/** Asks before changing a target; --yes answers for the person, and without a terminal --yes is required. */
export async function confirmAction(interactive: boolean, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (!interactive) throw new InputError(`this changes the target: pass --yes to confirm when not running in a terminal`);
  return ask(() => confirm({ message: question, default: false }));
}

export function promptPassphrase(keyFile: string): Promise<string> {
  return ask(() => password({ message: `Passphrase for ${keyFile}:`, mask: false }));
}

export function promptSudoPassword(where: string): Promise<string> {
  return ask(() => password({ message: `sudo password on ${where} (input hidden, sent only to sudo):`, mask: false }));
}
