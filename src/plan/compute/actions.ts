/**
 * Commands that make the init system pick up what apply wrote: daemon-reload, enable --now, restart,
 * linger; launchctl bootstrap / kickstart. Derived from what changed and from the facts, so a no-op
 * apply runs nothing.
 */
import type { Effect, Layout } from '../../render/index.js';
import type { Facts, TimeLimitKind } from '../../target/index.js';

export interface Action {
  /** The command, as run on the target. */
  argv: string[];
  /** Why it runs, for the plan. */
  reason: string;
  env?: Record<string, string>;
  /** The folder it runs in (Claude Code's local scope is the folder's). */
  cwd?: string;
  /** Needs root: run through sudo when the target allows it. */
  root?: boolean;
  /** Which time limit stops it (default the command one): downloads get the install one. */
  limit?: TimeLimitKind;
  /** It starts (or restarts) the buddy's supervisor: apply then waits for the new one to report ready. */
  startsBuddy?: true;
}

export interface ActionPlan {
  actions: Action[];
  /** Things a person must know or do because buddy-init cannot (e.g. no sudo for linger). */
  notes: string[];
}

export function followUpActions(effects: ReadonlySet<Effect>, layout: Layout, facts: Facts, linger: boolean): ActionPlan {
  if (layout.init === 'systemd-user') return systemdActions(effects, layout, facts, linger);
  return launchdActions(effects, layout, facts);
}

function systemdActions(effects: ReadonlySet<Effect>, layout: Layout, facts: Facts, linger: boolean): ActionPlan {
  if (facts.init !== 'systemd') {
    return {
      actions: [],
      notes: [
        `systemd is not running on the target, so nothing starts the buddy; run it yourself: ` +
          `node ${layout.supervisorBundle} --config ${layout.supervisorConfig}`,
      ],
    };
  }
  // Headless `systemctl --user` finds the user's manager through XDG_RUNTIME_DIR.
  const env = { XDG_RUNTIME_DIR: `/run/user/${facts.uid}` };
  const systemctl = (...args: string[]): string[] => ['systemctl', '--user', ...args];
  const unit = layout.serviceName;
  const actions: Action[] = [];
  if (linger && !facts.linger) {
    actions.push({
      // By absolute path: sudo's secure_path may not hold the user's PATH.
      argv: [facts.tools.loginctl?.path ?? 'loginctl', 'enable-linger', facts.user],
      reason: 'start the user manager at boot, without a login',
      root: facts.uid !== 0,
    });
  }
  // `enable` reloads the manager itself (after linking, before --now starts the unit), so a separate
  // daemon-reload only matters for a unit that is already enabled.
  if (effects.has('reload-init') && facts.service.enabled) actions.push({ argv: systemctl('daemon-reload'), reason: 'the unit file changed', env });
  if (!facts.service.enabled) {
    actions.push({ argv: systemctl('enable', '--now', unit), reason: 'first start; start at every boot', env, startsBuddy: true });
  } else if (!facts.service.active) {
    actions.push({ argv: systemctl('start', unit), reason: 'the service is not running', env, startsBuddy: true });
  } else if (effects.has('restart-buddy')) {
    actions.push({ argv: systemctl('restart', unit), reason: 'the supervisor, its config or a token changed', env, startsBuddy: true });
  }
  return { actions, notes: [] };
}

function launchdActions(effects: ReadonlySet<Effect>, layout: Layout, facts: Facts): ActionPlan {
  const daemon = layout.init === 'launchd-daemon';
  const domain = daemon ? 'system' : `gui/${facts.uid}`;
  const service = `${domain}/${layout.serviceName}`;
  const root = daemon && facts.uid !== 0;
  const launchctl = facts.tools.launchctl?.path ?? '/bin/launchctl';
  const actions: Action[] = [];
  const bootstrap = (reason: string) => {
    actions.push({ argv: [launchctl, 'enable', service], reason, root });
    actions.push({ argv: [launchctl, 'bootstrap', domain, layout.servicePath], reason, root, startsBuddy: true });
  };
  if (!facts.service.enabled) {
    bootstrap('first start; load the job');
  } else if (effects.has('reload-init')) {
    // launchd reads a plist only when it loads the job: unload and load it again.
    actions.push({ argv: [launchctl, 'bootout', service], reason: 'the plist changed', root });
    bootstrap('the plist changed');
  } else if (effects.has('restart-buddy')) {
    actions.push({ argv: [launchctl, 'kickstart', '-k', service], reason: 'the supervisor, its config or a token changed', root, startsBuddy: true });
  }
  return { actions, notes: [] };
}
