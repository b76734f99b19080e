/**
 * sd_notify through systemd-notify (Node has no Unix datagram sockets). Only when systemd asked for it
 * (NOTIFY_SOCKET set); under launchd or by hand these are no-ops.
 */
import { run } from './tmux.js';

export class Notifier {
  readonly enabled: boolean;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.enabled = Boolean(env.NOTIFY_SOCKET);
  }

  async send(...assignments: string[]): Promise<boolean> {
    if (!this.enabled) return false;
    // systemd-notify exits right after sending; with NotifyAccess=all systemd attributes the message by
    // the sender's cgroup, which can fail if it is already gone. Callers repeat READY=1 for that reason.
    const r = await run(['systemd-notify', ...assignments], this.env, 5000);
    return r.code === 0;
  }
}
