/**
 * A local stand-in for the Discord and Telegram HTTP APIs (the real ones are on the internet and need a
 * bot): it answers the calls the supervisor makes to tell the owner something, and records them.
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

export class FakeChatApi {
  readonly received: Received[] = [];
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
        reply(404, { message: 'Unknown' });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** The variables that point the supervisor at this fake (the only use of the override). */
  get env(): Record<string, string> {
    return { BUDDY_INIT_DISCORD_API: `http://${this.host}:${this.port}/discord`, BUDDY_INIT_TELEGRAM_API: `http://${this.host}:${this.port}/telegram` };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
