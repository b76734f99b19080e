/**
 * Whether Claude Code's OS sandbox can run on a target, from the facts probe (which starts bubblewrap with
 * the namespaces Claude Code asks of it), and the one fix for each way it cannot.
 */
import type { Facts } from './facts.js';
import type { Requirement } from './types.js';

const APT_SANDBOX = 'sudo apt-get install -y bubblewrap socat';

/**
 * Ubuntu 24.04 and newer refuse unprivileged user namespaces except to programs an AppArmor profile
 * allows; this gives bubblewrap (only) such a profile.
 */
export const BWRAP_APPARMOR_PROFILE = 'abi <abi/4.0>,\ninclude <tunables/global>\nprofile bwrap /usr/bin/bwrap flags=(unconfined) {\n  userns,\n}\n';
const APPARMOR_FIX = `printf '${BWRAP_APPARMOR_PROFILE.replaceAll('\n', '\\n')}' | sudo tee /etc/apparmor.d/bwrap && sudo apparmor_parser -r /etc/apparmor.d/bwrap`;

/** The sandbox's requirement: ok, or why not and the fix. `probe` undefined (facts assumed, not read) counts as ok. */
export function sandboxRequirement(facts: Facts): Requirement {
  const what = 'sandbox';
  if (facts.os === 'macos') {
    const probe = facts.sandbox?.probe;
    return !probe || probe === 'ok'
      ? { what, ok: true, detail: 'Seatbelt (sandbox-exec)' }
      : { what, ok: false, detail: `sandbox-exec does not run: ${probe}`, fix: 'set sandbox: false in the recipe (this Mac cannot run Seatbelt profiles)' };
  }
  const missing = (['bwrap', 'socat'] as const).filter((t) => !facts.tools[t]).map((t) => (t === 'bwrap' ? 'bubblewrap' : t));
  if (missing.length) return { what, ok: false, detail: `${missing.join(' and ')} not found: Claude Code's sandbox needs both on Linux`, fix: APT_SANDBOX };
  const s = facts.sandbox;
  if (!s || s.probe === 'ok') return { what, ok: true, detail: `bubblewrap ${facts.tools.bwrap!.version ?? ''} with user namespaces`.replace('  ', ' ') };
  const said = `bubblewrap cannot start (${s.probe})`;
  if (s.apparmorRestrictsUserns === 1) return { what, ok: false, detail: `${said}: AppArmor restricts unprivileged user namespaces (Ubuntu 24.04+)`, fix: APPARMOR_FIX };
  if (s.maxUserNamespaces === 0) return { what, ok: false, detail: `${said}: user namespaces are switched off (user.max_user_namespaces = 0)`, fix: "echo 'user.max_user_namespaces = 15000' | sudo tee /etc/sysctl.d/90-userns.conf && sudo sysctl --system" };
  if (s.unprivilegedUsernsClone === 0) return { what, ok: false, detail: `${said}: unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone = 0)`, fix: "echo 'kernel.unprivileged_userns_clone = 1' | sudo tee /etc/sysctl.d/90-userns.conf && sudo sysctl --system" };
  return {
    what,
    ok: false,
    detail: `${said}: this machine (a container?) does not let it create namespaces`,
    fix: 'run the buddy on a VM or a machine of its own, or allow user namespaces in the container; set sandbox: false only if you accept the hook as the only guard',
  };
}

/** The host of each git remote URL (https://host/..., ssh://user@host:port/..., user@host:path). */
export function remoteHosts(urls: readonly string[]): string[] {
  const hosts = urls.flatMap((url) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url);
    if (withScheme) return url.startsWith('file:') ? [] : [withScheme[1]!];
    const scp = /^(?:[^@/:]+@)?([^:/]+):(?!\/\/)/.exec(url);
    return scp ? [scp[1]!] : [];
  });
  return [...new Set(hosts.map((h) => h.toLowerCase()))];
}
