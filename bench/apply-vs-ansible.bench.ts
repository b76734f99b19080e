// buddy-init apply against an equivalent Ansible playbook, side by side on the booted VPS of the
// end-to-end suite (an image variant with python3, which Ansible needs on the target). Both deploy the
// same files (Ansible copies what `buddy-init render` produced), install the chat plugin with claude's own
// command, enable linger and start the unit; each round resets the guest, then times a first run and a
// no-op run of each tool.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLI, discordToken, onLaptop, tempDir, writeFile } from '../test/helpers.js';
import { placeStandInMarketplace, realClaude, STAND_IN_PLUGIN } from '../test/client/claude.js';
import { Vps } from '../test/vps/vps.js';
import { fmt, machine, rounds, stats, table, timeProcess } from './lib.js';

const n = rounds(5, 1);
// The real Claude Code on the target, installed as npm -g lays it out (the probe reads its version).
const vps = new Vps({ ...realClaude(), layout: 'npm' }, 'python');
await vps.boot();
// The official chat plugin's marketplace is on the internet: both tools install the stand-in instead.
placeStandInMarketplace(vps);
const laptop = vps.laptop;
const secrets = { BENCH_TOKEN: discordToken('bench'), BENCH_OAUTH: 'sk-ant-oat01-bench-0123456789abcdef' };
const env = { ...process.env, HOME: laptop, SSH_AUTH_SOCK: '', NO_COLOR: '1', ...secrets };
const recipe = writeFile(
  join(tempDir(), 'bench.yaml'),
  `name: bench\nextends: balanced\nworkdir: ~/work\nchannels:\n  discord:\n    plugin: ${STAND_IN_PLUGIN.id}\n    marketplace: ${STAND_IN_PLUGIN.marketplace}\n` +
    "    token: { env: BENCH_TOKEN }\n    allowFrom: ['1']\nauth:\n  oauthToken: { env: BENCH_OAUTH }\n",
);

// The files for Ansible: exactly what buddy-init renders for this target.
const rendered = tempDir('buddy-bench-render-');
timeProcess(onLaptop([process.execPath, CLI, 'render', '--recipe', recipe, '--host', vps.destination(), '--out', rendered], laptop), undefined, env);
const files: Array<{ src: string; dest: string; mode: string }> = [];
const walk = (dir: string) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else files.push({ src: p, dest: p.slice(rendered.length), mode: `0${(statSync(p).mode & 0o777).toString(8)}` });
  }
};
walk(rendered);
const dirs = [...new Set(files.map((f) => dirname(f.dest)))].sort();
const work = tempDir('buddy-bench-ansible-');
writeFileSync(
  join(work, 'inventory.ini'),
  `vps ansible_host=${vps.ip} ansible_user=ada ansible_python_interpreter=/usr/bin/python3 ansible_ssh_private_key_file=${join(laptop, '.ssh', 'id_ed25519')} ansible_ssh_common_args='-o UserKnownHostsFile=${join(laptop, '.ssh', 'known_hosts')}'\n`,
);
const quote = (s: string) => JSON.stringify(s);
writeFileSync(
  join(work, 'playbook.yml'),
  [
    '- hosts: vps',
    '  gather_facts: false',
    '  tasks:',
    '    - name: folders',
    '      ansible.builtin.file: { path: "{{ item }}", state: directory, mode: "0700" }',
    `      loop: [${dirs.map(quote).join(', ')}]`,
    '    - name: files',
    '      ansible.builtin.copy: { src: "{{ item.src }}", dest: "{{ item.dest }}", mode: "{{ item.mode }}" }',
    '      loop:',
    ...files.map((f) => `        - { src: ${quote(f.src)}, dest: ${quote(f.dest)}, mode: ${quote(f.mode)} }`),
    '    - name: chat plugin',
    `      ansible.builtin.shell: claude plugin install ${STAND_IN_PLUGIN.id.split('@')[0]} --marketplace ${STAND_IN_PLUGIN.marketplace} --scope user`,
    '      args: { creates: /home/ada/.claude/plugins/installed_plugins.json }',
    '      environment: { PATH: "/usr/local/bin:/usr/bin:/bin", DISABLE_AUTOUPDATER: "1" }',
    '    - name: linger',
    '      ansible.builtin.command: loginctl enable-linger ada',
    '      args: { creates: /var/lib/systemd/linger/ada }',
    '      become: true',
    '    - name: service',
    '      ansible.builtin.systemd: { name: bench.service, scope: user, daemon_reload: true, enabled: true, state: started }',
    '      environment: { XDG_RUNTIME_DIR: /run/user/1000 }',
    '',
  ].join('\n'),
);
const ansibleEnv = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False', ANSIBLE_LOCAL_TEMP: join(work, 'tmp'), ANSIBLE_HOME: join(work, 'home') };
const ansible = (verbose = false) => timeProcess(['ansible-playbook', '-i', join(work, 'inventory.ini'), join(work, 'playbook.yml'), ...(verbose ? ['-vvv'] : [])], undefined, ansibleEnv);
const buddyInit = () => timeProcess(onLaptop([process.execPath, CLI, 'apply', '--recipe', recipe, '--host', vps.destination(), '--yes'], laptop), undefined, { ...env, BUDDY_INIT_STATS: '1' });

const reset = () => {
  const r = vps.ssh(
    'systemctl --user disable --now bench.service >/dev/null 2>&1; rm -rf ~/.config/systemd/user/bench.service ~/.config/buddy-init ~/.local/share/buddy-init ~/.local/state/buddy-init ~/.claude.json ~/.claude ~/work; systemctl --user daemon-reload; sudo loginctl disable-linger ada; tmux -L buddy-init-bench kill-server 2>/dev/null; true',
  );
  if (r.code !== 0) throw new Error(`reset failed: ${r.stderr}`);
};
const txBytes = () => Number(readFileSync(`/sys/class/net/bvh${vps.n}/statistics/tx_bytes`, 'utf8'));
const measure = (run: () => { ms: number; stderr: string }) => {
  const before = txBytes();
  const r = run();
  return { ms: r.ms, bytes: txBytes() - before, stderr: r.stderr };
};

const samples: Record<string, { ms: number[]; bytes: number[] }> = {};
const add = (key: string, m: { ms: number; bytes: number }) => {
  samples[key] ??= { ms: [], bytes: [] };
  samples[key]!.ms.push(m.ms);
  samples[key]!.bytes.push(m.bytes);
};
let requests: Record<string, number> = {};
/** Commands, reads and writes from the counters buddy-init prints with BUDDY_INIT_STATS. */
const sshRequests = (stderr: string): number => {
  const c = JSON.parse(/buddy-init-stats (.*)/.exec(stderr)?.[1] ?? 'null') as { commands: number; reads: number; writes: number } | null;
  if (!c) throw new Error(`buddy-init printed no stats: ${stderr}`);
  return c.commands + c.reads + c.writes;
};
try {
  for (let i = 0; i < n; i++) {
    reset();
    const first = measure(buddyInit);
    add('buddy-init first', first);
    const noop = measure(buddyInit);
    add('buddy-init no-op', noop);
    requests = { 'buddy-init first': sshRequests(first.stderr), 'buddy-init no-op': sshRequests(noop.stderr) };
    reset();
    add('ansible first', measure(() => ansible()));
    add('ansible no-op', measure(() => ansible()));
  }
  // Ansible's round trips, counted once with -vvv (not timed: the logging itself costs).
  reset();
  const execs = (out: string) => (out.match(/SSH: EXEC (ssh|sftp|scp)/g) ?? []).length;
  requests['ansible first'] = execs(ansible(true).stdout);
  requests['ansible no-op'] = execs(ansible(true).stdout);
} finally {
  vps.stop();
}

const s = (k: string) => stats(samples[k]!.ms);
console.log(`apply vs Ansible ${timeProcess(['ansible-playbook', '--version']).stdout.split('\n')[0]}: ${files.length} files, ${dirs.length} folders, linger, user unit; ${n} rounds interleaved; ${machine()}\n`);
console.log(
  table(
    ['run', 'median s', 'min', 'max', 'ratio to Ansible', 'bytes to the VPS', 'SSH requests'],
    ['first', 'no-op'].flatMap((kind) =>
      ['buddy-init', 'ansible'].map((tool) => {
        const k = `${tool} ${kind}`;
        return [k, fmt(s(k).median / 1000, 2), fmt(s(k).min / 1000, 2), fmt(s(k).max / 1000, 2), `${(s(k).median / s(`ansible ${kind}`).median).toFixed(3)}x`, Math.round(stats(samples[k]!.bytes).median), requests[k] ?? '?'];
      }),
    ),
  ),
);
console.log('\nSSH requests: buddy-init counts exec and SFTP requests (one connection); Ansible counts its ssh/sftp invocations over one ControlMaster connection (-vvv).');
