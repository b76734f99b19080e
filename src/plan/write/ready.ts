/**
 * Whether the supervisor an apply started is up: its status file (written by the supervisor in the
 * buddy's state folder) names another process than before the commands ran, and says it is running,
 * which it does once its tmux session runs (when it also tells systemd READY=1). On systemd,
 * `systemctl restart` of a Type=notify unit returns only after READY=1, so the first look finds it;
 * launchd's commands return at once, so this waits.
 */
import { posix } from 'node:path';
import { OperationError } from '../../errors.js';
import type { Layout } from '../../render/index.js';
import { isRecord } from '../../runtime/shared/json.js';
import { readJson, shownPath, timeLimitSeconds, type Target } from '../../target/index.js';

/** Who the status file says is supervising: its pid and start (what changes when another one starts). */
export type Supervising = string | undefined;

const statusFile = (layout: Layout): string => posix.join(layout.stateDir, 'status.json');

export async function supervising(target: Target, layout: Layout): Promise<{ who: Supervising; running: boolean }> {
  // Unreadable: missing, or (written atomically, so rarely) being replaced right now; the caller looks again.
  const status = await readJson(target, statusFile(layout));
  if (!isRecord(status)) return { who: undefined, running: false };
  return { who: `${String(status.pid)}@${String(status.startedAt)}`, running: status.state === 'running' };
}

/** Waits (up to the command time limit) until a supervisor other than `before` reports running. */
export async function awaitNewSupervisor(target: Target, layout: Layout, before: Supervising, keeping: string): Promise<void> {
  const limit = timeLimitSeconds('command');
  const deadline = Date.now() + limit * 1000;
  for (;;) {
    const now = await supervising(target, layout);
    if (now.running && now.who !== before) return;
    if (Date.now() > deadline) {
      throw new OperationError(
        `the new supervisor of "${layout.serviceName}" on ${target.label} did not report running within ${limit} s (${shownPath(target, statusFile(layout))}); ${keeping} stays until an apply finds it running (buddy-init logs says why)`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
