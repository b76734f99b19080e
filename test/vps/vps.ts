/**
 * A VPS for the end-to-end tests: Debian 12 booted by systemd-nspawn as a real PID-1 systemd, from a
 * cached image (scripts/vps-image.sh) under an overlay, so each boot starts pristine while reboots and
 * power cuts keep what the guest wrote. It has its own network namespace with a veth pair: the host
 * reaches it at 10.77.<n>.2, nothing else does. A loop around nspawn boots it again when the guest
 * reboots (nspawn exits 133).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, ROOT, tempDir, waitFor } from '../helpers.js';
import { shellWord } from '../../src/runtime/shared/shell.js';
import { keygen } from '../ssh/sshd.js';
import semver from 'semver';
import { CLAUDE_VERSIONS } from '../../src/target/index.js';
import type { ClaudeInstall } from '../client/claude.js';
import { claudeTarballs, node22Tarballs, NODE22_VERSION, NpmRegistry } from '../client/registry.js';

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export type VpsVariant = 'base' | 'cloud-init' | 'python';

const images = new Map<string, string>();
/** Builds or reuses the image (about a minute the first time on a machine). */
export function vpsImage(variant: VpsVariant = 'base'): string {
  if (!images.has(variant)) images.set(variant, sh('sh', [join(ROOT, 'scripts', 'vps-image.sh'), variant]).trim());
  return images.get(variant)!;
}

/** A network slot (10.77.<n>.0/30) no other VPS of any test process holds: claimed with an exclusive lock file. */
function claimSlot(): number {
  mkdirSync('/run/buddy-init-vps', { recursive: true });
  for (let n = 1; n < 250; n++) {
    try {
      writeFileSync(`/run/buddy-init-vps/${n}`, String(process.pid), { flag: 'wx' });
      return n;
    } catch {
      // taken; but a slot whose process is gone is stale
      const owner = Number(readFileSync(`/run/buddy-init-vps/${n}`, 'utf8'));
      if (owner && spawnSync('kill', ['-0', String(owner)]).status !== 0) {
        writeFileSync(`/run/buddy-init-vps/${n}`, String(process.pid));
        return n;
      }
    }
  }
  throw new Error('no free VPS network slot');
}

export class Vps {
  readonly n = claimSlot();
  readonly name = `bvps${this.n}`;
  readonly ip = `10.77.${this.n}.2`;
  readonly dir = tempDir('buddy-vps-');
  readonly merged = join(this.dir, 'merged');
  /** The laptop's HOME, with the key that the guest user `ada` authorizes and a known_hosts for the guest. */
  readonly laptop = tempDir('buddy-vps-laptop-');
  private loop?: ChildProcess;
  private console = '';

  /**
   * @param claude the real Claude Code to install as `claude`, in the layout given; default the stand-in.
   * @param variant 'cloud-init' boots an image with Debian's cloud-init, fed by `seed` (NoCloud).
   */
  constructor(
    private readonly claude?: ClaudeInstall,
    private readonly variant: VpsVariant = 'base',
    /** Called once the laptop key exists (so user-data can authorize it). */
    private readonly seed?: (vps: Vps) => { userData: string; metaData: string },
    /** Called once the link is up, before the guest boots (e.g. to serve it something it fetches at first boot). */
    private readonly beforeStart?: (vps: Vps) => Promise<unknown>,
  ) {}

  /** The host's address on the VPS's link (what the guest reaches the host at). */
  get hostIp(): string {
    return `10.77.${this.n}.1`;
  }

  async boot(): Promise<this> {
    if (process.getuid?.() !== 0) throw new Error('the VPS tests boot a container: run them as root (CI does)');
    const rootfs = vpsImage(this.variant);
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(this.dir, d));
    sh('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${rootfs},upperdir=${join(this.dir, 'upper')},workdir=${join(this.dir, 'work')}`, this.merged]);
    this.provision();
    this.network();
    await this.beforeStart?.(this);
    this.start();
    await this.waitForSsh();
    if (this.claude?.layout === 'npm') await this.installWithNpm(this.claude.version);
    return this;
  }

  /**
   * `sudo npm install -g @anthropic-ai/claude-code@<version>` in the guest, as a person does, from a local
   * registry (registry.ts); first Node.js 22 the same way (npm's `node` package) where the package asks
   * for it, since Debian 12's Node.js is 18. The guest's npm is left pointing nowhere afterwards.
   */
  private async installWithNpm(version: string): Promise<void> {
    const node22 = semver.gte(version, CLAUDE_VERSIONS.npmNeedsNode22);
    const registry = await new NpmRegistry().serve(this, [claudeTarballs(version), ...(node22 ? [node22Tarballs()] : [])]);
    try {
      const npm = (spec: string) => {
        const r = this.ssh(`sudo npm install --global --no-audit --no-fund ${spec} 2>&1`);
        if (r.code !== 0) throw new Error(`npm install -g ${spec} in the guest failed:\n${r.stdout}`);
      };
      if (node22) {
        npm(`node@${NODE22_VERSION}`);
        const v = this.ssh('node --version').stdout.trim();
        if (v !== `v${NODE22_VERSION}`) throw new Error(`node on the guest's PATH is ${v} after installing ${NODE22_VERSION}`);
      }
      npm(`@anthropic-ai/claude-code@${version}`);
    } finally {
      registry.stop();
      rmSync(join(this.merged, 'etc', 'npmrc'), { force: true });
    }
  }

  /** Fresh host keys, the laptop's key authorized for ada, and the stand-in claude (see its header). */
  private provision(): void {
    const etcSsh = join(this.merged, 'etc', 'ssh');
    keygen(join(etcSsh, 'ssh_host_ed25519_key'));
    mkdirSync(join(this.laptop, '.ssh'), { mode: 0o700 });
    const pub = keygen(join(this.laptop, '.ssh', 'id_ed25519'));
    const adaSsh = join(this.merged, 'home', 'ada', '.ssh');
    mkdirSync(adaSsh, { recursive: true, mode: 0o700 });
    writeFileSync(join(adaSsh, 'authorized_keys'), pub);
    const hostKey = readFileSync(join(etcSsh, 'ssh_host_ed25519_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(join(this.laptop, '.ssh', 'known_hosts'), `${this.ip} ${hostKey}\n`);
    if (this.claude?.layout === 'npm') {
      // Installed by npm itself once the machine is up (installWithNpm).
    } else if (this.claude?.layout === 'native') {
      // Laid out as the native installer does: ~/.local/bin/claude -> ~/.local/share/claude/versions/<v>.
      const versions = join(this.merged, 'home', 'ada', '.local', 'share', 'claude', 'versions');
      mkdirSync(versions, { recursive: true });
      mkdirSync(join(this.merged, 'home', 'ada', '.local', 'bin'), { recursive: true });
      sh('cp', [this.claude.binary, join(versions, this.claude.version)]);
      symlinkSync(`/home/ada/.local/share/claude/versions/${this.claude.version}`, join(this.merged, 'home', 'ada', '.local', 'bin', 'claude'));
    } else {
      // The real claude needs an Anthropic account to reach its prompt; the stand-in behaves like it
      // for the supervisor. Named claude via a symlink so node still sees the .mjs (ESM) file.
      copyFileSync(join(FIXTURES, 'fake-claude.mjs'), join(this.merged, 'usr', 'local', 'lib', 'fake-claude.mjs'));
      sh('chmod', ['755', join(this.merged, 'usr', 'local', 'lib', 'fake-claude.mjs')]);
      symlinkSync('/usr/local/lib/fake-claude.mjs', join(this.merged, 'usr', 'local', 'bin', 'claude'));
    }
    sh('chroot', [this.merged, 'chown', '-R', 'ada:ada', '/home/ada']);
    if (this.seed) {
      const { userData, metaData } = this.seed(this);
      const dir = join(this.merged, 'var', 'lib', 'cloud', 'seed', 'nocloud');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'user-data'), userData);
      writeFileSync(join(dir, 'meta-data'), metaData);
    }
  }

  private network(): void {
    // A slot taken over from a test process that died: its machine may still run in the namespace.
    const orphans = spawnSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    if (orphans.length) spawnSync('kill', ['-9', ...orphans]);
    spawnSync('ip', ['netns', 'del', this.name]);
    spawnSync('ip', ['link', 'del', `bvh${this.n}`]);
    sh('ip', ['netns', 'add', this.name]);
    sh('ip', ['link', 'add', `bvh${this.n}`, 'type', 'veth', 'peer', 'name', `bvg${this.n}`]);
    sh('ip', ['link', 'set', `bvg${this.n}`, 'netns', this.name]);
    sh('ip', ['addr', 'add', `10.77.${this.n}.1/30`, 'dev', `bvh${this.n}`]);
    sh('ip', ['link', 'set', `bvh${this.n}`, 'up']);
    sh('ip', ['netns', 'exec', this.name, 'ip', 'addr', 'add', `${this.ip}/30`, 'dev', `bvg${this.n}`]);
    sh('ip', ['netns', 'exec', this.name, 'ip', 'link', 'set', `bvg${this.n}`, 'up']);
    sh('ip', ['netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up']);
  }

  private start(): void {
    // A container killed outright leaves its propagation folder behind, and nspawn refuses to start a
    // machine of the same name over it.
    const propagate = `/run/systemd/nspawn/propagate/${this.name}`;
    spawnSync('umount', ['-R', propagate]);
    rmSync(propagate, { recursive: true, force: true });
    const nspawn = [
      'systemd-nspawn', '-D', this.merged, '--boot', '--register=no', '--keep-unit', `--machine=${this.name}`,
      `--network-namespace-path=/run/netns/${this.name}`, '--console=pipe',
    ].join(' ');
    // 133: the guest rebooted; boot it again, like a VPS comes back. In a cgroup of its own: nspawn puts
    // the guest's systemd in "payload" beside itself, so two machines started from one cgroup would share
    // one and each systemd would remove the other's units' cgroups (measured: a guest's
    // systemd-user-sessions failing with 219/CGROUP under load, leaving logins refused).
    const cgroups = this.cgroups();
    for (const dir of cgroups) mkdirSync(dir, { recursive: true });
    const enter = cgroups.map((dir) => `echo $$ > ${dir}/cgroup.procs && `).join('');
    const script = `${enter}while :; do ${nspawn}; rc=$?; [ $rc -eq 133 ] || exit $rc; done`;
    // API_VFS_WRITABLE: /proc/sys writable as in a real VM. Claude Code's Bash sandbox (bubblewrap) sets
    // /proc/sys/user/max_user_namespaces inside its own user namespace, which nspawn's read-only
    // /proc/sys refuses ("Read-only file system"); a KVM or bare-metal machine has no such mount.
    this.loop = spawn('sh', ['-c', script], {
      env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1', SYSTEMD_NSPAWN_API_VFS_WRITABLE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.loop.stdout!.on('data', (d: Buffer) => (this.console += d));
    this.loop.stderr!.on('data', (d: Buffer) => (this.console += d));
  }

  async waitForSsh(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open = await new Promise<boolean>((resolve) => {
        const s = connect(22, this.ip);
        s.once('data', () => (s.destroy(), resolve(true))); // sshd's banner: really up, not just listening
        s.once('error', () => resolve(false));
        setTimeout(() => (s.destroy(), resolve(false)), 1000);
      });
      // Listening is not enough: until systemd-user-sessions runs, logins are refused (/run/nologin).
      if (open && this.ssh('true').code === 0) return;
      if (Date.now() > deadline) throw new Error(`the VPS did not come up:\n${this.console.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Runs a command in the guest over SSH (the OpenSSH client, independent of buddy-init); as ada by default. */
  ssh(command: string, user = 'ada'): { code: number; stdout: string; stderr: string } {
    const r = spawnSync('ssh', ['-q', '-i', join(this.laptop, '.ssh', 'id_ed25519'), '-o', `UserKnownHostsFile=${join(this.laptop, '.ssh', 'known_hosts')}`, '-o', 'BatchMode=yes', `${user}@${this.ip}`, command], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** The unit's journal, printed when a test fails. */
  journal(unit: string): string {
    return this.ssh(`journalctl --user -u ${unit} --no-pager -n 80`).stdout;
  }

  destination(): string {
    return `ada@${this.ip}`;
  }

  /**
   * The machine stops dead. Killing nspawn alone would orphan the guest (its systemd and everything
   * under it keep running), so the guest's init, nspawn's child, is SIGKILLed first: the kernel then
   * kills every process of its PID namespace.
   */
  private killAll(): void {
    this.loop?.kill('SIGKILL');
    const nspawns = spawnSync('pgrep', ['-f', `machine=${this.name} `], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const pid of nspawns) {
      const inits = spawnSync('pgrep', ['-P', pid], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const init of inits) spawnSync('kill', ['-9', init]);
      spawnSync('kill', ['-9', pid]);
    }
    for (let i = 0; i < 50 && spawnSync('pgrep', ['-f', `machine=${this.name} `]).status === 0; i++) spawnSync('sleep', ['0.1']);
  }

  /** This machine's cgroups: in the unified hierarchy, and in systemd's named one where the host has it. */
  private cgroups(): string[] {
    const roots = existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd'] : ['/sys/fs/cgroup'];
    return roots.filter((root) => existsSync(join(root, 'cgroup.procs'))).map((root) => join(root, 'buddy-init-vps', this.name));
  }

  /** Power cut, then the machine boots again from the same disk. */
  async powerCut(): Promise<void> {
    this.killAll();
    this.start();
    await this.waitForSsh();
  }

  stop(): void {
    this.killAll();
    for (let i = 0; i < 20 && existsSync(join(this.merged, 'etc')); i++) {
      if (spawnSync('umount', [this.merged]).status === 0) break;
      spawnSync('sleep', ['0.2']);
    }
    spawnSync('ip', ['netns', 'del', this.name]);
    spawnSync('ip', ['link', 'del', `bvh${this.n}`]);
    // Empty cgroups go with rmdir, deepest first.
    for (const dir of this.cgroups()) if (existsSync(dir)) spawnSync('find', [dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(`/run/buddy-init-vps/${this.n}`, { force: true });
  }
}

/** A buddy's tmux pane on a VPS (its own server, `tmux -L buddy-init-<name>`), as a person at the keyboard meets it. */
export class BuddyPane {
  constructor(
    private readonly vps: Vps,
    private readonly buddy: string,
  ) {}

  /** tmux on the buddy's server; `args` are shell words (quote what needs it). */
  tmux(args: string) {
    return this.vps.ssh(`tmux -L buddy-init-${this.buddy} ${args}`);
  }

  /** What the pane shows, with `history` lines of scrollback. */
  screen(history = 0): string {
    return this.tmux(`capture-pane -p -J${history ? ` -S -${history}` : ''}`).stdout;
  }

  /** The pid of the pane's process (claude), or '' when there is none. */
  pid(): string {
    return this.tmux("list-panes -F '#{pane_pid}'").stdout.trim();
  }

  /** Types `text` as it is (any character; nothing is expanded on the way) and presses Enter. */
  type(text: string): void {
    this.tmux(`send-keys -l ${shellWord(text)}`);
    // A pause, so the Enter is not read as part of a paste.
    spawnSync('sleep', ['0.3']);
    this.tmux('send-keys Enter');
  }

  /** Once claude shows its input prompt, types `text` and presses Enter; when that was (epoch ms). */
  async say(text: string, timeoutMs = 60_000): Promise<number> {
    await waitFor(`${this.buddy}: the input prompt`, () => /❯\s*$/m.test(this.screen()), timeoutMs, () => this.screen());
    this.type(text);
    return Date.now();
  }
}
