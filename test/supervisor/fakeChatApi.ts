/**
 * A local stand-in for the Discord and Telegram HTTP APIs (the real ones are on the internet and need a
 * bot): it answers the calls the supervisor makes to tell the owner something, and records them; for
 * Telegram it also hands out messages a test sends the bot (getUpdates), as a person writing to it.
 */
import { createServer, type Server } from 'node:http';

export interface Received {
  app: 'discord' | 'telegram';
  /** The user id the message went to. */
  to: string;
  text: string;
  /** The bot token the call carried (Authorization header or URL). */
  token: string;
}

/** A Telegram update as the Bot API gives it: a private message. */
interface Update {
  update_id: number;
  message: { message_id: number; date: number; text: string; from: { id: number; first_name: string }; chat: { id: number; type: 'private' } };
}

export class FakeChatApi {
  readonly received: Received[] = [];
  /** Messages written to each bot (by token), waiting for getUpdates. */
  private readonly updates = new Map<string, Update[]>();
  private nextUpdate = 1;
  private server?: Server;
  private port = 0;
  private host = '127.0.0.1';

  /** `host`: the address to listen on (a VPS guest reaches the host at its link address). */
  async start(host = '127.0.0.1'): Promise<void> {
    this.host = host;
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        const json = body ? (JSON.parse(body) as Record<string, string>) : {};
        const url = req.url ?? '';
        const reply = (status: number, value: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        const bot = (req.headers.authorization ?? '').replace(/^Bot /, '');
        if (req.method === 'POST' && url === '/discord/users/@me/channels') return reply(200, { id: `dm-${json.recipient_id}` });
        const discord = /^\/discord\/channels\/dm-(\d+)\/messages$/.exec(url);
        if (req.method === 'POST' && discord) {
          this.received.push({ app: 'discord', to: discord[1]!, text: json.content!, token: bot });
          return reply(200, { id: '1' });
        }
        const telegram = /^\/telegram\/bot([^/]+)\/sendMessage$/.exec(url);
        if (req.method === 'POST' && telegram) {
          this.received.push({ app: 'telegram', to: String(json.chat_id), text: json.text!, token: decodeURIComponent(telegram[1]!) });
          return reply(200, { ok: true, result: {} });
        }
        const poll = /^\/telegram\/bot([^/]+)\/getUpdates(?:\?offset=(\d+))?/.exec(url);
        if (poll) {
          // Confirmed (offset past them) updates are dropped, as Telegram does.
          const offset = Number(poll[2] ?? 0);
          const queue = (this.updates.get(decodeURIComponent(poll[1]!)) ?? []).filter((u) => u.update_id >= offset);
          this.updates.set(decodeURIComponent(poll[1]!), queue);
          return reply(200, { ok: true, result: queue });
        }
        reply(404, { message: 'Unknown' });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** `from` writes `text` to the Telegram bot whose token is `token`, in a private chat. */
  telegramMessage(token: string, from: number, text: string): void {
    const id = this.nextUpdate++;
    const update: Update = { update_id: id, message: { message_id: id, date: Math.floor(Date.now() / 1000), text, from: { id: from, first_name: 'Ada' }, chat: { id: from, type: 'private' } } };
    this.updates.set(token, [...(this.updates.get(token) ?? []), update]);
  }

  /** The variables that point the supervisor at this fake (the only use of the override). */
  get env(): Record<string, string> {
    return { BUDDY_INIT_DISCORD_API: `http://${this.host}:${this.port}/discord`, BUDDY_INIT_TELEGRAM_API: `http://${this.host}:${this.port}/telegram` };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
