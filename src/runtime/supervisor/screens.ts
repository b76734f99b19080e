/**
 * What claude's screen says when it is alive but stuck: one table, each row matched against the bottom
 * of the pane (what is on screen now, not the scrollback), each captured from the real Claude Code
 * 2.1.332 (test/fixtures/claude-code/2.1.332/screens/, against the fake Messages API where the state
 * needs the API to fail). `heal` is what the supervisor does; `report` states need the owner or time.
 */

export type ScreenHeal =
  /** Restart claude in the same conversation (the supervisor re-asserts the flags that dialog needs first). */
  | 'restart'
  /** Press Enter (a prompt that only waits for a key). */
  | 'enter'
  /** Nothing: claude retries by itself; only said if it lasts. */
  | 'wait'
  /** Nothing can be done here: the owner is told. */
  | 'report';

export interface Screen {
  id: string;
  /** Screens that are one incident for the owner (a 401 being retried, then given up on) share it. */
  incident?: string;
  /** For a `wait` state: how long it may last before the owner is told (default ten minutes). */
  reportAfterMs?: number;
  /** Matched against the last lines of the pane. */
  pattern: RegExp;
  heal: ScreenHeal;
  /** What it means, for the journal, status and the owner. */
  meaning: string;
  /** What the owner does about it (report states). */
  fix?: string;
  /** What it waits on, from the pattern's groups (said to the owner). */
  about?: (m: RegExpExecArray) => string;
  /** A question for a person: said to the owner when nobody answered it in the supervisor's prompt wait. */
  asksPerson?: boolean;
}

export const SCREENS: Screen[] = [
  {
    id: 'auth',
    incident: 'auth',
    // The final state after Claude Code's own retries ("401 ... attempt n/10" before it).
    // An API key: after Claude Code's own retries; an OAuth token (a subscription): at once, "Not logged in".
    pattern: /Invalid API key · Fix external API key|OAuth token (has expired|revoked)|Not logged in · Please run \/login|authentication_error/,
    heal: 'report',
    meaning: "Claude's credentials are refused (401)",
    fix: 'make a new token with `claude setup-token` on a machine where you are logged in, then run `buddy-init apply` with it',
  },
  {
    id: 'auth-retrying',
    incident: 'auth',
    // Claude Code retries a 401 ten times over about three minutes before it gives up; a token that
    // works again within 30 s was a glitch (2.1.225 fixed one such), longer it needs the owner.
    pattern: /401 [^\n·]*· retrying in/,
    heal: 'wait',
    reportAfterMs: 30_000,
    meaning: 'Claude\'s credentials are refused (401); claude is retrying',
    fix: 'make a new token with `claude setup-token` on a machine where you are logged in, then run `buddy-init apply` with it',
  },
  {
    id: 'usage-limit',
    // The first line says the time zone ("resets 5:02am (UTC)"); the footer does not.
    pattern: /(?:You've hit your limit · resets|Usage limit reached · (?:limit resets|set to continue automatically at)) ([^\n·]+)/,
    heal: 'report',
    meaning: 'the usage limit is reached; Claude Code continues by itself when it resets',
    fix: 'nothing, unless it is urgent: wait for the reset, or raise the plan\'s limit',
  },
  {
    id: 'api-key-dialog',
    pattern: /Detected a custom API key in your environment[\s\S]*Do you want to use this API key\?/,
    heal: 'restart',
    meaning: 'claude asks whether to use its API key (the approval in ~/.claude.json was lost)',
  },
  {
    id: 'trust-dialog',
    pattern: /Is this a project you created or one you trust\?|Do you trust the files in this folder\?/,
    heal: 'restart',
    meaning: 'claude asks whether to trust the workdir (the trust flag in ~/.claude.json was lost)',
  },
  {
    id: 'onboarding',
    pattern: /Welcome to Claude Code v\d|Choose the text style/,
    heal: 'restart',
    meaning: 'claude shows its first-run screens (the onboarding flag in ~/.claude.json was lost)',
  },
  {
    id: 'press-enter',
    // Not captured: no state of 2.1.332 reachable offline shows it (the update prompt, its usual source,
    // is off: buddy-init sets DISABLE_AUTOUPDATER=1 unless the recipe asks for updates).
    pattern: /Press Enter to continue/,
    heal: 'enter',
    meaning: 'claude waits for Enter',
  },
  {
    id: 'host-prompt',
    // Claude Code before the strict host list (2.1.219) asks before a sandboxed command reaches a host
    // outside the list (captured from 2.1.197); the chat relay does not carry this question.
    pattern: /Network request outside of sandbox\s+Host: (\S+)[\s\S]*Do you want to allow this connection\?/,
    heal: 'wait',
    meaning: 'claude asks whether a command may reach a host outside the sandbox\'s list',
    fix: 'answer it in the terminal (buddy-init attach --write), or add the host to sandbox.domains and run buddy-init apply',
    about: (m) => `the host ${m[1]}`,
    asksPerson: true,
  },
  {
    id: 'permission-prompt',
    // A tool call waiting for a person (the hook or a rule asked); with a chat, its Allow/Deny went there too.
    pattern: /● ([A-Z]\w*)\(([^\n]{0,100})[\s\S]*Do you want to (?:proceed|make this edit to [^\n?]*|create [^\n?]*)\?/,
    heal: 'wait',
    meaning: 'claude waits for a person to allow or deny a tool call',
    fix: 'answer it: Allow or Deny in your chat, or in the terminal (buddy-init attach --write)',
    about: (m) => `${m[1]}(${m[2]!.trim()}`,
    asksPerson: true,
  },
  {
    id: 'offline',
    pattern: /Unable to connect to Anthropic services/,
    heal: 'wait',
    meaning: 'claude cannot reach the API (network or DNS)',
  },
  {
    id: 'rate-limited',
    pattern: /API Error: (?:Request rejected \(429\)|Server is temporarily limiting requests)|Resend your message to try again/,
    heal: 'wait',
    meaning: 'the API refused a request for its rate (429); the next message is tried again',
  },
  {
    id: 'overloaded',
    pattern: /529 Overloaded · retrying/,
    heal: 'wait',
    meaning: 'the API is overloaded; claude retries by itself',
  },
];

const RULE = /^\s*─{10,}/;

/**
 * What is on screen now: from the last message sent (its line starts with ❯ and, unlike the input box's,
 * has no rule above it) to the bottom, where claude's answer or error to it is; else (a dialog, a
 * first-run screen) the whole visible pane.
 */
function now(pane: string): string {
  const lines = pane.split('\n').filter((line) => line.trim());
  let sent = -1;
  lines.forEach((line, i) => {
    if (/^❯ \S/.test(line) && !RULE.test(lines[i - 1] ?? '')) sent = i;
  });
  return lines.slice(Math.max(sent, 0)).join('\n');
}

export interface Stuck {
  screen: Screen;
  /** The usage limit's reset time as the screen says it, e.g. "5:02am (UTC)". */
  resets?: string;
  /** What it waits on (a prompt's tool call or host). */
  about?: string;
}

/**
 * Past a state, once claude is going again: Claude Code says the usage limit reset, or a turn finished
 * ("✻ Crunched for 0s · done 4:03 AM", captured after the limit reset and claude went on by itself).
 */
const RECOVERED = /Usage limit reset|✻ [A-Z][a-z]+ for [^·\n]+· done/;

/** The state the pane is stuck in, if any: the first row of the table whose pattern the bottom matches (and nothing after it says claude went on). */
export function stuckOn(pane: string): Stuck | undefined {
  const bottom = now(pane);
  for (const screen of SCREENS) {
    const m = screen.pattern.exec(bottom);
    if (m && !RECOVERED.test(bottom.slice(m.index + m[0].length))) {
      return { screen, ...(screen.id === 'usage-limit' && m[1] ? { resets: m[1].trim() } : {}), ...(screen.about ? { about: screen.about(m) } : {}) };
    }
  }
  return undefined;
}
