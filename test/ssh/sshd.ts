/**
 * A real OpenSSH server for the tests, on 127.0.0.1 only, with host keys made fresh for each run and a
 * real unprivileged user (created here, removed after) whose authorized key the tests hold. The
 * "laptop" side gets its own HOME with ~/.ssh (keys, known_hosts, config), so nothing of the machine's
 * own SSH setup is used or touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function keygen(file: string, passphrase = ''): string {
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'buddy-test', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8');
}

export class TestSshd {
  readonly dir = tempDir('buddy-sshd-');
  readonly user = `bt${process.pid % 10000}${Math.random().toString(36).slice(2, 6)}`;
  readonly home = `/home/${this.user}`;
  /** The laptop's HOME, for the CLI. */
  readonly laptop = tempDir('buddy-laptop-');
  port = 0;
  private proc?: ChildProcess;

  hostKey(): string {
    return readFileSync(join(this.dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  }

  /** @param extraConfig more sshd_config lines (the fleet benchmark lifts MaxStartups). */
  async start(extraConfig: string[] = []): Promise<this> {
    if (process.getuid?.() !== 0) throw new Error('the SSH tests create a user and start sshd: run them as root (CI does)');
    for (let i = 0; ; i++) {
      const r = spawnSync('useradd', ['-m', '-s', '/bin/sh', this.user], { encoding: 'utf8' });
      if (r.status === 0) break;
      if (i > 20) throw new Error(`useradd: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 100 + Math.random() * 200)); // another test holds the passwd lock
    }
    // With UsePAM off, sshd refuses accounts whose password is locked ("!"): "*" means no password, not locked.
    sh('usermod', ['-p', '*', this.user]);
    keygen(join(this.dir, 'host_ed25519'));
    mkdirSync(join(this.dir, 'authorized_keys'));
    mkdirSync(join(this.laptop, '.ssh'), { mode: 0o700 });
    const pub = keygen(join(this.laptop, '.ssh', 'id_ed25519'));
    writeFileSync(join(this.dir, 'authorized_keys', this.user), pub);
    // sshd reads authorized_keys with the user's own rights: the path must be readable by the user.
    chmodSync(this.dir, 0o755);
    chmodSync(join(this.dir, 'authorized_keys'), 0o755);
    this.port = await freePort();
    writeFileSync(
      join(this.dir, 'sshd_config'),
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(this.dir, 'host_ed25519')}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}/%u`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'Subsystem sftp internal-sftp',
        // Lets a test put fake tools first on the remote PATH (~/.ssh/environment), and say so.
        'PermitUserEnvironment yes',
        'LogLevel VERBOSE',
        ...extraConfig,
        '',
      ].join('\n'),
    );
    mkdirSync('/run/sshd', { recursive: true });
    // -E: a log file the tests can read synchronously (runCli blocks the event loop).
    this.proc = spawn('/usr/sbin/sshd', ['-D', '-E', this.logFile(), '-f', join(this.dir, 'sshd_config')], { stdio: 'ignore' });
    for (let i = 0; !/Server listening/.test(this.readLog()); i++) {
      if (i > 100 || this.proc.exitCode !== null) throw new Error(`sshd did not start: ${this.readLog()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this;
  }

  private logFile(): string {
    return join(this.dir, 'sshd.log');
  }

  private readLog(): string {
    try {
      return readFileSync(this.logFile(), 'utf8');
    } catch {
      return '';
    }
  }

  /** Connections accepted so far (one per buddy-init run is the promise). */
  logins(): number {
    return (this.readLog().match(/Accepted publickey for /g) ?? []).length;
  }

  /** known_hosts on the laptop side: the real key, or another one to simulate a changed host. */
  trust(key = this.hostKey(), name = `[127.0.0.1]:${this.port}`): void {
    writeFileSync(join(this.laptop, '.ssh', 'known_hosts'), `${name} ${key}\n`);
  }

  destination(): string {
    return `${this.user}@127.0.0.1:${this.port}`;
  }

  /** Runs a command on the "remote" as its user (the same machine here). */
  asUser(script: string): string {
    return sh('su', ['-s', '/bin/sh', '-c', script, this.user]);
  }

  /**
   * A TCP proxy in front of sshd that uploads at `bytesPerSecond` (a slow link), so a test can cut the
   * connection in the middle of a transfer by calling the returned `cut`.
   */
  async slowLink(bytesPerSecond: number): Promise<{ port: number; cut: () => void }> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = connect(this.port, '127.0.0.1');
      sockets.add(client).add(upstream);
      client.on('data', (chunk: Buffer) => {
        upstream.write(chunk);
        client.pause();
        setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
      });
      upstream.pipe(client);
      const close = () => [client, upstream].forEach((s) => s.destroy());
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      port: (server.address() as { port: number }).port,
      cut: () => {
        sockets.forEach((s) => s.destroy());
        server.close();
      },
    };
  }

  /** A sudoers rule for the test user (removed by stop). */
  allowSudo(rule: 'NOPASSWD: ALL' | 'ALL'): void {
    mkdirSync('/etc/sudoers.d', { recursive: true });
    writeFileSync(`/etc/sudoers.d/${this.user}`, `${this.user} ALL=(ALL) ${rule}\n`, { mode: 0o440 });
  }

  stop(): void {
    rmSync(`/etc/sudoers.d/${this.user}`, { force: true });
    this.proc?.kill();
    spawnSync('pkill', ['-KILL', '-u', this.user]);
    spawnSync('userdel', ['-r', '-f', this.user]);
  }

  chmodKey(mode: number): void {
    chmodSync(join(this.laptop, '.ssh', 'id_ed25519'), mode);
  }
}
