import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeFile } from '../helpers.js';
import { BUN_VERSION, NpmRegistry } from '../client/registry.js';
import { Vps } from './vps.js';

// `buddy-init export cloud-init`, checked by Debian's cloud-init (schema on the host), then applied by the
// real cloud-init inside a booted VPS whose image has it (NoCloud seed). The guest has no network: its
// `packages` step cannot reach a mirror (tmux, nodejs and npm are in the image already), claude is the
// stand-in, so the export is made with --no-install-claude, and Bun comes from a local npm registry
// (test/client/registry.ts) that the guest's npm is pointed at, as behind a company mirror.
const TOKEN_ENV = { CI_DISCORD: 'must-never-appear-0123456789' };
const recipe = writeFile(
  join(tempDir(), 'cloud.yaml'),
  "name: cloudbud\nextends: balanced\nworkdir: ~/work\nchannels:\n  discord:\n    token: { env: CI_DISCORD }\n    allowFrom: ['1']\nsupervisor: { tick: 5 }\n",
);
const exportFor = (pub: string) => {
  const keyFile = writeFile(join(tempDir(), 'key.pub'), pub);
  const out = join(tempDir(), 'user-data.yaml');
  const r = runCli(['export', 'cloud-init', '--recipe', recipe, '--user', 'cloudbuddy', '--ssh-key', keyFile, '--no-install-claude', '--out', out], { env: TOKEN_ENV });
  if (r.code !== 0) throw new Error(r.stderr);
  return { text: readFileSync(out, 'utf8'), stderr: r.stderr };
};

describe('export cloud-init', () => {
  it("is YAML starting with #cloud-config, passes cloud-init's schema, and holds placeholders, never secrets", () => {
    const { text, stderr } = exportFor('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheSchemaCheck test');
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(stderr).toMatch(/checked against cloud-init's schema \(cloud-init .*22\./);
    expect(stderr).toMatch(/fill in before use: REPLACE_WITH_DISCORD_BOT_TOKEN/);
    expect(text).not.toContain(TOKEN_ENV.CI_DISCORD);
    const doc = parse(text);
    expect(doc.users[1]).toMatchObject({ name: 'cloudbuddy', ssh_authorized_keys: [expect.stringMatching(/^ssh-ed25519 /)] });
    const paths = doc.write_files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['/home/cloudbuddy/.config/systemd/user/cloudbud.service', '/home/cloudbuddy/.claude/channels/discord/buddies/cloudbud/.env', '/home/cloudbuddy/.local/share/buddy-init/0.1.0/hook.cjs', '/home/cloudbuddy/.local/share/buddy-init/0.1.0/supervisor.mjs']));
    const token = doc.write_files.find((f: { path: string }) => f.path.endsWith('discord/buddies/cloudbud/.env'));
    expect(token).toMatchObject({ permissions: '0600', owner: 'cloudbuddy:cloudbuddy', content: 'DISCORD_BOT_TOKEN=REPLACE_WITH_DISCORD_BOT_TOKEN\n' });
    // The sandbox comes along: its settings, and on Ubuntu 24.04+ the AppArmor profile bubblewrap needs.
    expect(paths).toContain('/home/cloudbuddy/.config/buddy-init/cloudbud/claude-settings.json');
    const apparmor = (doc.runcmd as string[][]).find((c) => c.join(' ').includes('apparmor_restrict_unprivileged_userns'))!;
    const fake = tempDir('buddy-apparmor-');
    writeFile(join(fake, 'restrict'), '1\n');
    writeFile(join(fake, 'bin', 'apparmor_parser'), `#!/bin/sh\necho "$@" > ${fake}/loaded\n`);
    spawnSync('chmod', ['755', join(fake, 'bin', 'apparmor_parser')]);
    const script = apparmor[2]!.replace('/proc/sys/kernel/apparmor_restrict_unprivileged_userns', join(fake, 'restrict')).replaceAll('/etc/apparmor.d', fake);
    expect(spawnSync('sh', ['-c', script], { env: { PATH: `${join(fake, 'bin')}:/usr/bin:/bin` } }).status).toBe(0);
    expect(readFileSync(join(fake, 'bwrap'), 'utf8')).toMatch(/^abi <abi\/4\.0>,\ninclude <tunables\/global>\nprofile bwrap \/usr\/bin\/bwrap flags=\(unconfined\) \{\n {2}userns,\n\}\n$/);
    expect(readFileSync(join(fake, 'loaded'), 'utf8').trim()).toBe(`-r ${join(fake, 'bwrap')}`);
    // A broken one is refused by the same check.
    const broken = join(tempDir(), 'broken.yaml');
    writeFile(broken, text.replace('permissions: "0600"', 'permissions: 0600'));
    expect(spawnSync('cloud-init', ['schema', '--config-file', broken], { encoding: 'utf8' }).status).not.toBe(0);
  });
});

describe('cloud-init applies it on a VPS first boot', () => {
  let userData = '';
  const registry = new NpmRegistry();
  const vps = new Vps(
    undefined,
    'cloud-init',
    (v) => {
      userData = exportFor(readFileSync(join(v.laptop, '.ssh', 'id_ed25519.pub'), 'utf8')).text;
      return { userData, metaData: 'instance-id: buddy-cloud-init-test\nlocal-hostname: buddy-vps\n' };
    },
    (v) => registry.serve(v),
  );
  beforeAll(() => vps.boot(), 600_000);
  afterAll(() => {
    vps.stop();
    registry.stop();
  });

  it('creates the user, writes the files, enables linger and starts the buddy', async () => {
    const wait = vps.ssh('sudo cloud-init status --wait --long');
    // Without a network the apt step fails; everything else must have run.
    const log = vps.ssh('sudo cat /var/log/cloud-init-output.log').stdout;
    expect(wait.stdout + log).toMatch(/status: (done|error)/);
    // What cloud-init said, for any failure below (a failure seen once under load said nothing).
    const said = () => `${wait.stdout}\n${log}\n${vps.ssh('journalctl --user -u cloudbud --no-pager -n 40', 'cloudbuddy').stdout}`;
    expect(vps.ssh('id cloudbuddy').stdout, said()).toMatch(/uid=\d+\(cloudbuddy\)/);
    expect(vps.ssh('loginctl show-user cloudbuddy -p Linger').stdout.trim(), said()).toBe('Linger=yes');
    const deadline = Date.now() + 60_000;
    let active = '';
    while (Date.now() < deadline && active !== 'active') {
      active = vps.ssh('systemctl --user is-active cloudbud', 'cloudbuddy').stdout.trim();
      if (active !== 'active') await new Promise((r) => setTimeout(r, 500));
    }
    expect(active, said()).toBe('active');
    expect(vps.ssh('stat -c "%U %a" ~/.claude/channels/discord/buddies/cloudbud/.env ~/.local/share/buddy-init/0.1.0/hook.cjs', 'cloudbuddy').stdout.trim().split('\n')).toEqual(['cloudbuddy 600', 'cloudbuddy 644']);
    // Bun, which the chat plugin runs on, was installed for the user, where the unit's PATH looks.
    expect(vps.ssh('~/.bun/bin/bun --version', 'cloudbuddy').stdout.trim(), said()).toBe(BUN_VERSION);
    expect(vps.ssh('systemctl --user show cloudbud -p Environment', 'cloudbuddy').stdout).toContain('/home/cloudbuddy/.bun/bin');
    // The chat plugin was installed for the user (by the stand-in claude, which records it as Claude Code does).
    expect(JSON.parse(vps.ssh('cat ~/.claude/plugins/installed_plugins.json', 'cloudbuddy').stdout || '{"plugins":{}}').plugins['discord@claude-plugins-official'], said()).toHaveLength(1);
    // The hook came through gzip+base64 intact: it decides a line.
    const hook = vps.ssh(`echo '{"tool_name":"Bash","tool_input":{"command":"ls *.txt"},"cwd":"/home/cloudbuddy"}' | node ~/.local/share/buddy-init/0.1.0/hook.cjs`, 'cloudbuddy').stdout;
    expect(JSON.parse(hook).hookSpecificOutput.permissionDecision).toBe('allow');
    expect(vps.ssh('tmux -L buddy-init-cloudbud list-panes -F "#{pane_dead} #{pane_current_command}"', 'cloudbuddy').stdout.trim(), said()).toBe('0 node');
  }, 300_000);
});
