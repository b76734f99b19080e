/**
 * Telling the owner out of band: when the chat itself may be what broke, the supervisor writes to the
 * chat platform's own HTTP API with the bot token buddy-init already placed (Discord: a DM channel with
 * each user, then a message; Telegram: sendMessage to each user id). One message per incident, at most
 * one per incident kind every 30 minutes and six an hour in all; the journal line is the record. The
 * token is read from the plugin's .env when a message goes out and never logged.
 */
import { readFileSync } from 'node:fs';
import type { ChannelWatch } from './config.js';

const PER_KIND_MS = 30 * 60_000;
const PER_HOUR = 6;

/** The plugins read their .env as `^(\w+)=(.*)$` lines, the first one winning: so does this. */
export function tokenFrom(file: string, variable: string): string | undefined {
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^(\w+)=(.*)$/.exec(line);
      if (m && m[1] === variable) return m[2];
    }
  } catch {
    // no token file: nothing can be sent through this channel
  }
  return undefined;
}

export interface Alert {
  at: string;
  text: string;
  /** How many users it reached. */
  delivered: number;
}

export class OwnerAlerts {
  private readonly lastByKind = new Map<string, number>();
  private sent: number[] = [];
  last?: Alert;

  constructor(
    private readonly channels: ChannelWatch[],
    private readonly log: (message: string) => void,
    /** The APIs' base URLs come from here only so tests can point them at a local fake. */
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Sends `text` about an incident of `kind` unless one of that kind went out lately. */
  async tell(kind: string, text: string): Promise<void> {
    const now = Date.now();
    this.sent = this.sent.filter((t) => now - t < 3_600_000);
    if (now - (this.lastByKind.get(kind) ?? -Infinity) < PER_KIND_MS || this.sent.length >= PER_HOUR) {
      this.log(`not telling the owner again so soon: ${text}`);
      return;
    }
    this.lastByKind.set(kind, now);
    this.sent.push(now);
    let delivered = 0;
    for (const channel of this.channels) {
      const token = tokenFrom(channel.tokenFile, channel.tokenVariable);
      if (!token) continue;
      for (const user of channel.alertTo) {
        try {
          await (channel.app === 'discord' ? this.discord(token, user, text) : this.telegram(token, user, text));
          delivered++;
        } catch (err) {
          this.log(`could not tell ${channel.app} user ${user}: ${(err as Error).message}`);
        }
      }
    }
    this.last = { at: new Date(now).toISOString(), text, delivered };
    this.log(`told the owner (${delivered} recipient${delivered === 1 ? '' : 's'}): ${text}`);
  }

  private async discord(token: string, user: string, text: string): Promise<void> {
    const base = this.env.BUDDY_INIT_DISCORD_API ?? 'https://discord.com/api/v10';
    const headers = { Authorization: `Bot ${token}`, 'Content-Type': 'application/json' };
    const dm = (await post(`${base}/users/@me/channels`, headers, { recipient_id: user })) as { id?: string };
    if (!dm.id) throw new Error('Discord opened no DM channel');
    await post(`${base}/channels/${dm.id}/messages`, headers, { content: text });
  }

  private async telegram(token: string, user: string, text: string): Promise<void> {
    const base = this.env.BUDDY_INIT_TELEGRAM_API ?? 'https://api.telegram.org';
    await post(`${base}/bot${token}/sendMessage`, { 'Content-Type': 'application/json' }, { chat_id: user, text });
  }
}

/** A JSON POST with a timeout; errors say the status or the network's reason, never the URL (Telegram's holds the token). */
async function post(url: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(cause ? `network: ${cause}` : (err as Error).name);
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json().catch(() => ({}));
}
