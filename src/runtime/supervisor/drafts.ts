/**
 * An inbound chat message left unsent in claude's input box (people running channel sessions report
 * it: after someone typed into the pane, delivery can fall back to the input box). Claude Code 2.1.332
 * draws its input box as a line `❯` + no-break space + the text, and a placeholder there ("Once fixed,
 * resend your message") dim; a message already sent is echoed with `❯` + a plain space (captured in
 * tmux with escapes, `capture-pane -e`).
 *
 * Telling the chat's text from a person's: a person can only type through a client attached with write
 * access (`buddy-init attach --write`, or tmux attach without -r). Text that appeared while such a
 * client was attached (at this look or the one before) is the person's and is never sent, even after
 * they detach; text that appeared with nobody able to type came from the chat, and when it has sat for
 * `after` ms with claude idle, the supervisor presses Enter.
 */

const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** Dim (SGR 2), which Claude Code draws its placeholder in. */
const DIM = /\x1b\[(?:[0-9;]*;)?2m/;

/** The pane's text as a person reads it (a capture with escapes, without them). */
export const plainText = (raw: string): string => raw.replace(ESCAPES, '');

/** The input box's text, without its placeholder; '' when empty. `raw` is a capture with escapes. */
export function inputText(raw: string): string {
  const line = raw.split('\n').find((l) => plainText(l).startsWith('❯\u00a0'));
  if (!line || DIM.test(line)) return '';
  return plainText(line).slice(2).trim();
}

export interface DraftHooks {
  pressEnter(): Promise<void>;
  log(message: string): void;
}

export interface DraftSent {
  at: string;
  /** How long it had sat, in seconds; the text itself is not kept (it is the owner's chat). */
  satSeconds: number;
  chars: number;
}

export class DraftWatch {
  private draft?: { text: string; since: number; byPerson: boolean };
  private writerBefore = false;
  last?: DraftSent;

  constructor(
    private readonly after: number,
    private readonly hooks: DraftHooks,
  ) {}

  /** One look: `raw` the pane with escapes, `writer` whether a client with write access is attached, `busy` whether claude is working. */
  async look(raw: string, writer: boolean, busy: boolean): Promise<void> {
    const text = inputText(raw);
    const now = Date.now();
    const byPerson = writer || this.writerBefore;
    this.writerBefore = writer;
    if (!text) {
      this.draft = undefined;
      return;
    }
    if (this.draft?.text !== text) {
      this.draft = { text, since: now, byPerson };
      return;
    }
    if (byPerson) this.draft.byPerson = true;
    if (this.draft.byPerson || writer || busy || now - this.draft.since < this.after) return;
    const satSeconds = Math.round((now - this.draft.since) / 1000);
    this.hooks.log(`a message of ${text.length} characters sat unsent in claude's input box for ${satSeconds}s with nobody attached to type it (it came from the chat): sending it`);
    this.last = { at: new Date(now).toISOString(), satSeconds, chars: text.length };
    this.draft = undefined;
    await this.hooks.pressEnter();
  }
}
