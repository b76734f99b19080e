/**
 * The pinned conversation. The first start creates it with `--session-id <uuid>`; every later start
 * resumes that id with `--resume <uuid>`, from the same directory. (Taking the newest transcript in the
 * project folder, as `--continue` does, picks up whatever another claude in that folder wrote last.)
 *
 * Claude Code writes the transcript file as soon as it starts, with settings lines only (mode,
 * permission-mode); until a message is in it, `--resume` says "No conversation found" and `--session-id`
 * says "already in use". So a conversation exists only once the file holds a user or assistant line.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic.js';

export interface PinnedSession {
  sessionId: string;
  createdAt: string;
  /** A transcript with a message in it has been seen on disk; if it later disappears, the conversation is lost. */
  transcriptSeen: boolean;
}

/** Claude Code's project folder name: every character outside [A-Za-z0-9] becomes '-'. */
export function projectFolderName(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

/**
 * Where claude keeps the transcript of `sessionId` started in `cwd`. Folder names longer than 200
 * characters are cut and get a hash suffix, so those are found by prefix.
 */
export function findTranscript(home: string, cwd: string, sessionId: string): string | undefined {
  const projects = join(home, '.claude', 'projects');
  const name = projectFolderName(cwd);
  const direct = join(projects, name, `${sessionId}.jsonl`);
  if (existsSync(direct)) return direct;
  if (name.length <= 200) return undefined;
  let folders: string[] = [];
  try {
    folders = readdirSync(projects).filter((f) => f.startsWith(name.slice(0, 200)));
  } catch {
    return undefined;
  }
  return folders.map((f) => join(projects, f, `${sessionId}.jsonl`)).find((p) => existsSync(p));
}

/** Whether a transcript holds a conversation (a message), not only the settings lines of a start. */
function holdsConversation(transcript: string): boolean {
  try {
    return /"type":"(user|assistant)"/.test(readFileSync(transcript, 'utf8'));
  } catch {
    return false;
  }
}

/** The transcript of `sessionId`, if it holds a conversation; 'empty' if it holds only settings lines. */
function conversation(home: string, cwd: string, sessionId: string): 'held' | 'empty' | undefined {
  const transcript = findTranscript(home, cwd, sessionId);
  return transcript ? (holdsConversation(transcript) ? 'held' : 'empty') : undefined;
}

export class SessionPin {
  private pin: PinnedSession | undefined;

  constructor(private readonly file: string) {
    try {
      this.pin = JSON.parse(readFileSync(file, 'utf8')) as PinnedSession;
    } catch {
      this.pin = undefined;
    }
  }

  get current(): PinnedSession | undefined {
    return this.pin;
  }

  private save(pin: PinnedSession): PinnedSession {
    this.pin = pin;
    writeFileAtomicSync(this.file, `${JSON.stringify(pin, null, 2)}\n`, 0o600);
    return pin;
  }

  /**
   * Pins `next` (from startArgs), once claude was started with it. Not before: a start that fails (tmux
   * missing, a broken pane) must leave the pin on the conversation that is still running, or the next
   * supervisor adopts that claude and later restarts it into a new, empty conversation.
   */
  commit(next: PinnedSession | undefined): void {
    if (next) this.save(next);
  }

  /**
   * The arguments that continue the pinned conversation, a note when something had to change, and the
   * new pin to commit once claude runs with them.
   */
  startArgs(home: string, cwd: string): { args: string[]; note?: string; next?: PinnedSession } {
    const pin = this.pin;
    const fresh = (note: string) => {
      const next = { sessionId: randomUUID(), createdAt: new Date().toISOString(), transcriptSeen: false };
      return { args: ['--session-id', next.sessionId], note: `${note}pinning a new conversation ${next.sessionId}`, next };
    };
    if (!pin) return fresh('');
    const found = conversation(home, cwd, pin.sessionId);
    if (found === 'held') {
      if (!pin.transcriptSeen) this.save({ ...pin, transcriptSeen: true });
      return { args: ['--resume', pin.sessionId] };
    }
    // Nothing was said yet in this conversation, so nothing is lost: start it under the same id, or, when
    // claude already claimed the id (a file of settings lines), under a new one.
    if (found === 'empty') return fresh(`conversation ${pin.sessionId} has no message yet and Claude Code cannot resume it; `);
    if (!pin.transcriptSeen) return { args: ['--session-id', pin.sessionId] };
    return fresh(`the transcript of conversation ${pin.sessionId} is gone from ${join(home, '.claude', 'projects', projectFolderName(cwd))}; `);
  }

  /** Called on each check: remembers that the conversation has begun. */
  noticeTranscript(home: string, cwd: string): void {
    if (this.pin && !this.pin.transcriptSeen && conversation(home, cwd, this.pin.sessionId) === 'held') {
      this.save({ ...this.pin, transcriptSeen: true });
    }
  }
}
