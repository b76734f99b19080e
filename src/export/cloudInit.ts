/**
 * The same buddy as a cloud-init user-data (#cloud-config): a fresh Debian/Ubuntu VM brings it up on
 * its first boot with no buddy-init and no SSH session: the user, packages, every file apply would
 * write (rendered for that VM), linger, the service. Secrets are placeholders to fill in.
 */
import { gzipSync } from 'node:zlib';
import { Document } from 'yaml';
import { InputError } from '../errors.js';
import { computeChange } from '../plan/index.js';
import { channelPlugins, secretSlots, slotKey, type Recipe } from '../recipe/index.js';
import { shellWord } from '../runtime/shared/shell.js';
import { renderBuddy, storedSecretLocation, type RuntimeBundles } from '../render/index.js';
import { BWRAP_APPARMOR_PROFILE, bunWork, type Facts } from '../target/index.js';

export interface CloudInitOptions {
  user: string;
  /** Public keys allowed to log in as the user. */
  sshKeys: string[];
  /** npm install -g @anthropic-ai/claude-code at first boot (off when the image has claude). */
  installClaude: boolean;
}

/** What a fresh Debian/Ubuntu VM will have once the packages below are installed. */
function freshVm(user: string): Facts {
  const home = `/home/${user}`;
  return {
    os: 'linux',
    arch: 'x86_64',
    user,
    uid: 1000,
    home,
    shell: '/bin/bash',
    init: 'systemd',
    linger: false,
    sudo: 'root',
    tools: {
      node: { path: '/usr/bin/node' },
      tmux: { path: '/usr/bin/tmux' },
      bwrap: { path: '/usr/bin/bwrap' },
      socat: { path: '/usr/bin/socat' },
      claude: { path: '/usr/local/bin/claude' },
      // Debian's npm: claude (with --install-claude) and Bun for the chat plugins come from the npm registry.
      npm: { path: '/usr/bin/npm' },
    },
    service: { enabled: false, active: false },
    workdirExists: false,
  };
}

export function placeholderFor(recipe: Recipe, facts: Facts, slot: readonly (string | number)[]): string {
  return `REPLACE_WITH_${storedSecretLocation(recipe, facts, slot)?.variable ?? slotKey(slot).toUpperCase().replace(/\W/g, '_')}`;
}

export function cloudInitUserData(recipe: Recipe, runtime: RuntimeBundles, options: CloudInitOptions): { text: string; placeholders: string[] } {
  if (recipe.os === 'macos') throw new InputError('os: cloud-init brings up Linux VMs; this recipe is for macOS');
  if (!/^[a-z_][a-z0-9_-]*$/.test(options.user)) throw new InputError(`--user ${options.user}: not a Linux user name`);
  const facts = freshVm(options.user);
  const slots = secretSlots(recipe);
  const secrets = new Map(slots.map((s) => [slotKey(s.path), placeholderFor(recipe, facts, s.path)]));
  const rendering = renderBuddy(recipe, facts, { secrets, runtime, now: Date.now() });
  const { user } = options;
  const files = rendering.artifacts.map((a) => {
    const content = computeChange(a, undefined, undefined).after;
    // The runtime bundles are large: compressed, as cloud-init's gz+b64 encoding allows.
    const big = a.display === 'summary';
    return {
      path: a.path,
      owner: `${user}:${user}`,
      permissions: `0${a.mode.toString(8)}`,
      defer: true, // written after the user exists
      ...(big ? { encoding: 'gz+b64', content: gzipSync(content, { level: 9 }).toString('base64') } : { content }),
    };
  });
  const unit = rendering.layout.serviceName;
  const plugins = channelPlugins(recipe);
  // A fresh VM has no Bun, and the chat plugins run on it: exporting a buddy with a channel is the consent.
  const bun = plugins.length ? bunWork(facts, { install: true, ...(recipe.bun.version ? { version: recipe.bun.version } : {}) }) : undefined;
  const asUser = (command: string) => ['su', '-', user, '-c', command];
  const config = {
    users: ['default', { name: user, shell: '/bin/bash', lock_passwd: true, ...(options.sshKeys.length ? { ssh_authorized_keys: options.sshKeys } : {}) }],
    package_update: true,
    // bubblewrap and socat: Claude Code's sandbox around the agent's commands (and, without it, the env scrub).
    packages: ['tmux', 'nodejs', 'bubblewrap', 'socat', ...(options.installClaude || bun ? ['npm'] : [])],
    write_files: files,
    runcmd: [
      // Enabled the way `systemctl --user enable` would, by its symlink: a blocking systemctl call from
      // cloud-final can wait on cloud-init's own ordering. Linger then starts the user's manager, which
      // starts the buddy (now, and at every boot).
      ['mkdir', '-p', `${facts.home}/.config/systemd/user/default.target.wants`],
      ['ln', '-sfn', `../${unit}`, `${facts.home}/.config/systemd/user/default.target.wants/${unit}`],
      // write_files makes missing parent folders as root; the home must be the user's.
      ['chown', '-R', `${user}:${user}`, facts.home],
      ...(options.installClaude ? [['npm', 'install', '-g', '@anthropic-ai/claude-code']] : []),
      ...(bun?.kind === 'install' ? [asUser(bun.argv.map(shellWord).join(' '))] : []),
      // Enabled in settings is not installed: each chat plugin is installed for the user, as apply does.
      ...plugins.map((p) =>
        asUser([...(p.marketplace ? [`claude plugin marketplace add ${shellWord(p.marketplace)}`] : []), `claude plugin install ${shellWord(p.id)} --scope user`].join(' && ')),
      ),
      // Ubuntu 24.04+ lets bubblewrap create user namespaces only with an AppArmor profile (Debian: no such rule).
      ...(recipe.sandbox !== false
        ? [['sh', '-c', `if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null)" = 1 ]; then printf %s ${shellWord(BWRAP_APPARMOR_PROFILE)} > /etc/apparmor.d/bwrap && apparmor_parser -r /etc/apparmor.d/bwrap; fi`]]
        : []),
      ['loginctl', 'enable-linger', user],
    ],
  };
  const doc = new Document(config);
  const placeholders = [...secrets.values()];
  doc.commentBefore =
    ` buddy-init ${runtime.version}: the buddy "${recipe.name}" for user ${user}, brought up on first boot.\n` +
    (placeholders.length ? ` Before use, replace: ${placeholders.join(', ')} (secrets are never written here).\n` : '') +
    ' The runtime bundles are gzip+base64 inside write_files; some providers limit user-data size.';
  return { text: `#cloud-config\n${doc.toString({ lineWidth: 0 })}`, placeholders };
}
