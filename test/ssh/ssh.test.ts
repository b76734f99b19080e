import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, discordToken, onLaptop, runCli, runCliAsync, snapshot, tempDir, writeFile } from '../helpers.js';
import { keygen, TestSshd } from './sshd.js';

// A real sshd on loopback and a real user; see sshd.ts.
const sshd = new TestSshd();
beforeAll(() => sshd.start(), 60_000);
afterAll(() => sshd.stop());

const TOKEN = discordToken('ssh-test-token');
const env = () => ({ HOME: sshd.laptop, SSH_AUTH_SOCK: undefined, BUDDY_SSH_TOKEN: TOKEN });

function recipe(name: string, posture = 'balanced'): string {
  return writeFile(
    join(tempDir(), `${name}.yaml`),
    `name: ${name}\nextends: ${posture}\nworkdir: ~/${name}\nchannels:\n  discord:\n    token: { env: BUDDY_SSH_TOKEN }\n    allowFrom: ['7']\n`,
  );
}

/** The remote user's home: what "zero writes" is checked against. */
const remoteSnapshot = () => snapshot(sshd.home);

describe('SSH target', () => {
  it('refuses an unknown host, naming its fingerprint, and writes nothing', () => {
    rmSync(join(sshd.laptop, '.ssh', 'known_hosts'), { force: true });
    const before = remoteSnapshot();
    const r = runCli(['plan', '--recipe', recipe('unk'), '--host', sshd.destination()], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[127\.0\.0\.1\]:\d+ is not in \S*known_hosts or the 3 other known_hosts files ssh reads \(it presents ssh-ed25519 SHA256:[A-Za-z0-9+/]+\); .*--accept-new/);
    expect(remoteSnapshot()).toEqual(before);
  });

  it('with --accept-new records the key, then provisions over one connection', () => {
    rmSync(join(sshd.laptop, '.ssh', 'known_hosts'), { force: true });
    const logins = sshd.logins();
    const r = runCli(['apply', '--recipe', recipe('first'), '--host', sshd.destination(), '--accept-new', '--yes'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recorded the host key of \[127\.0\.0\.1\]:\d+/);
    expect(readFileSync(join(sshd.laptop, '.ssh', 'known_hosts'), 'utf8')).toContain(sshd.hostKey());
    expect(sshd.logins() - logins).toBe(1);
    const token = join(sshd.home, '.claude/channels/discord/buddies/first/.env');
    expect(readFileSync(token, 'utf8')).toBe(`DISCORD_BOT_TOKEN=${TOKEN}\n`);
    const uid = Number(sshd.asUser('id -u').trim());
    expect(statSync(token)).toMatchObject({ uid });
    expect(statSync(token).mode & 0o777).toBe(0o600);
    expect(statSync(join(sshd.home, '.config/systemd/user/first.service')).mode & 0o777).toBe(0o644);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('a no-op re-apply uses one connection and writes nothing', () => {
    sshd.trust();
    const file = recipe('noop');
    expect(runCli(['apply', '--recipe', file, '--host', sshd.destination(), '--yes'], { env: env() }).code).toBe(0);
    const before = remoteSnapshot();
    const logins = sshd.logins();
    const r = runCli(['apply', '--recipe', file, '--host', sshd.destination(), '--yes'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No changes[\s\S]*Nothing written/);
    expect(sshd.logins() - logins).toBe(1);
    expect(remoteSnapshot()).toEqual(before);
  });

  it('a posture change over SSH keeps a rule granted by hand on the target', () => {
    sshd.trust();
    expect(runCli(['apply', '--recipe', recipe('posture'), '--host', sshd.destination(), '--yes'], { env: env() }).code).toBe(0);
    const settings = join(sshd.home, 'posture/.claude/settings.local.json');
    const doc = JSON.parse(readFileSync(settings, 'utf8'));
    doc.permissions.allow.push('Bash(make test)');
    sshd.asUser(`cat > ${settings} <<'EOF'\n${JSON.stringify(doc)}\nEOF`);
    const r = runCli(['apply', '--recipe', recipe('posture', 'strict'), '--host', sshd.destination(), '--yes'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse(readFileSync(settings, 'utf8'));
    expect(after.permissions.allow).toContain('Bash(make test)');
    expect(after.permissions.allow).not.toContain('Bash(git log *)');
    expect(after.permissions.defaultMode).toBe('default');
  });

  it('refuses a changed host key with both fingerprints and never continues', () => {
    const other = tempDir();
    keygen(join(other, 'k'));
    const fake = readFileSync(join(other, 'k.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    sshd.trust(fake);
    const before = remoteSnapshot();
    const r = runCli(['apply', '--recipe', recipe('mitm'), '--host', sshd.destination(), '--yes', '--accept-new'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/host key of \[127\.0\.0\.1\]:\d+ has CHANGED: it presents ssh-ed25519 SHA256:\S+, .*expects ssh-ed25519 SHA256:\S+ \(\S*known_hosts line 1\)/);
    expect(remoteSnapshot()).toEqual(before);
  });

  it('accepts a hashed known_hosts entry (ssh-keygen -H)', () => {
    sshd.trust();
    spawnSync('ssh-keygen', ['-H', '-f', join(sshd.laptop, '.ssh', 'known_hosts')]);
    expect(readFileSync(join(sshd.laptop, '.ssh', 'known_hosts'), 'utf8')).toMatch(/^\|1\|/);
    expect(runCli(['plan', '--recipe', recipe('hashed'), '--host', sshd.destination()], { env: env() }).code).toBe(0);
  });

  it('refuses a key the server does not know, listing what it tried', () => {
    sshd.trust();
    const stranger = tempDir();
    mkdirp(join(stranger, '.ssh'));
    keygen(join(stranger, '.ssh', 'id_ed25519'));
    writeFileSync(join(stranger, '.ssh', 'known_hosts'), readFileSync(join(sshd.laptop, '.ssh', 'known_hosts')));
    const r = runCli(['plan', '--recipe', recipe('wrongkey'), '--host', sshd.destination()], { env: { ...env(), HOME: stranger } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`authentication failed for ${sshd.user}@\\[127\\.0\\.0\\.1\\]:\\d+ \\(tried: publickey .*id_ed25519\\)`));
  });

  it('says when an encrypted key needs a passphrase and there is no terminal to ask', () => {
    sshd.trust();
    const locked = tempDir();
    mkdirp(join(locked, '.ssh'));
    keygen(join(locked, '.ssh', 'id_ed25519'), 'secret words');
    writeFileSync(join(locked, '.ssh', 'known_hosts'), readFileSync(join(sshd.laptop, '.ssh', 'known_hosts')));
    const r = runCli(['plan', '--recipe', recipe('locked'), '--host', sshd.destination()], { env: { ...env(), HOME: locked } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/encrypted; no terminal to ask for its passphrase/);
  });

  it('follows ~/.ssh/config: alias, HostName, User, Port, IdentityFile and ProxyJump', () => {
    sshd.trust();
    const key = join(sshd.laptop, '.ssh', 'id_ed25519');
    writeFileSync(
      join(sshd.laptop, '.ssh', 'config'),
      `Host jump\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${key}\n` +
        `Host mini\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${key}\n  ProxyJump jump\n`,
    );
    // known_hosts names hosts as OpenSSH does: by the HostName they resolve to (both are 127.0.0.1 here).
    sshd.trust();
    const logins = sshd.logins();
    const r = runCli(['plan', '--recipe', recipe('alias'), '--host', 'mini'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`on ssh ${sshd.user}@\\[mini\\]:${sshd.port}`));
    expect(sshd.logins() - logins).toBe(2); // the jump host, then the target through it
    rmSync(join(sshd.laptop, '.ssh', 'config'));
  });

  it('names DNS failures and refused connections', () => {
    sshd.trust();
    const dns = runCli(['plan', '--recipe', recipe('dns'), '--host', 'ada@no-such-host.invalid'], { env: env() });
    expect(dns.code).toBe(2);
    expect(dns.stderr).toMatch(/cannot resolve no-such-host\.invalid \(DNS\)/);
    const refused = runCli(['plan', '--recipe', recipe('refused'), '--host', `ada@127.0.0.1:1`], { env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/connection refused by 127\.0\.0\.1:1/);
  });

  it('times out on a host that accepts TCP but never speaks SSH (ConnectTimeout from ~/.ssh/config)', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    writeFileSync(join(sshd.laptop, '.ssh', 'config'), `Host silent\n  HostName 127.0.0.1\n  Port ${port}\n  ConnectTimeout 2\n`);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const [cmd, ...args] = onLaptop([process.execPath, CLI, 'plan', '--recipe', recipe('silent'), '--host', 'ada@silent'], sshd.laptop);
      const p = spawn(cmd!, args, {
        env: { ...process.env, ...env(), NO_COLOR: '1' } as NodeJS.ProcessEnv,
      });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d));
      p.on('exit', (code) => resolve({ code, stderr }));
    });
    silent.close();
    rmSync(join(sshd.laptop, '.ssh', 'config'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`timed out connecting to 127\\.0\\.0\\.1:${port}`));
  });

  it('names the path when the target refuses a write (a root-owned file in the home)', () => {
    sshd.trust();
    const file = recipe('denied');
    const claudeJson = join(sshd.home, '.claude.json');
    const dir = join(sshd.home, 'denied', '.claude');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'settings.local.json'), '{}');
    spawnSync('chown', ['root:root', dir]); // the user cannot create files in it
    const r = runCli(['apply', '--recipe', file, '--host', sshd.destination(), '--yes'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot write ${dir}/settings\\.local\\.json on ssh .*: permission denied`));
    // The files written before the refusal are whole, and the state (written before any file) says the
    // apply was cut short, so the next apply or uninstall finishes or undoes it.
    expect(() => JSON.parse(readFileSync(claudeJson, 'utf8'))).not.toThrow();
    expect(JSON.parse(readFileSync(join(sshd.home, '.local/state/buddy-init/denied/apply-state.json'), 'utf8')).interrupted).toBe(true);
  });

  it('over SFTP: a FIFO is refused unread (no hang), a linked settings file is written through and the link kept', () => {
    sshd.trust();
    const fifoDir = join(sshd.home, 'fifo', '.claude');
    sshd.asUser(`mkdir -p ${fifoDir} && mkfifo ${fifoDir}/settings.local.json`);
    const before = remoteSnapshot();
    const started = Date.now();
    const refused = runCli(['apply', '--recipe', recipe('fifo'), '--host', sshd.destination(), '--yes'], { env: env(), timeout: 30_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`${fifoDir}/settings\\.local\\.json on ssh .* is a FIFO, not a regular file`));
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(remoteSnapshot()).toEqual(before);

    const dir = join(sshd.home, 'linked', '.claude');
    sshd.asUser(`mkdir -p ${dir} ~/dotfiles && printf '{"permissions":{"allow":["Bash(make)"]}}' > ~/dotfiles/settings.json && ln -s ../../dotfiles/settings.json ${dir}/settings.local.json`);
    const r = runCli(['apply', '--recipe', recipe('linked'), '--host', sshd.destination(), '--yes'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/settings\.local\.json .*\(a link to .*dotfiles\/settings\.json: written through, the link kept\)/);
    expect(sshd.asUser(`readlink ${dir}/settings.local.json`).trim()).toBe('../../dotfiles/settings.json');
    const merged = JSON.parse(sshd.asUser('cat ~/dotfiles/settings.json'));
    expect(merged.permissions.allow).toContain('Bash(make)');
    expect(merged.hooks.PreToolUse).toHaveLength(1);
    expect(sshd.asUser('ls -A ~/dotfiles').trim()).toBe('settings.json');
  });

  it('a connection cut in the middle of apply leaves every file old or new, and a re-run converges', async () => {
    sshd.trust();
    const file = recipe('cut');
    const bundle = join(sshd.home, '.local/share/buddy-init');
    rmSync(bundle, { recursive: true, force: true });
    // A slow link (20 KB/s up): the hook bundle takes seconds, so the cut lands inside it.
    const link = await sshd.slowLink(20_000);
    writeFileSync(join(sshd.laptop, '.ssh', 'known_hosts'), `[127.0.0.1]:${link.port} ${sshd.hostKey()}\n[127.0.0.1]:${sshd.port} ${sshd.hostKey()}\n`);
    const [cmd, ...args] = onLaptop([process.execPath, CLI, 'apply', '--recipe', file, '--host', `${sshd.user}@127.0.0.1:${link.port}`, '--yes'], sshd.laptop);
    const proc = spawn(cmd!, args, {
      env: { ...process.env, ...env(), NO_COLOR: '1' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    const tempFile = () => {
      const versions = existsSync(bundle) ? readdirSync(bundle) : [];
      return versions.some((v) => readdirSync(join(bundle, v)).some((f) => f.endsWith('.tmp')));
    };
    const deadline = Date.now() + 30_000;
    while (!tempFile() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(tempFile()).toBe(true);
    await new Promise((r) => setTimeout(r, 500)); // well inside the upload
    link.cut();
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/error: .*(hook\.cjs|supervisor\.mjs|connection|closed|No response)/i);
    // Nothing half-written: the bundle is not at its final path; the other files (written side by side
    // with it, so some may not have gone out yet) are each absent or whole.
    const version = readdirSync(bundle)[0]!;
    expect(existsSync(join(bundle, version, 'hook.cjs'))).toBe(false);
    for (const f of ['.claude.json', 'cut/.claude/settings.local.json']) {
      const path = join(sshd.home, f);
      if (existsSync(path)) expect(() => JSON.parse(readFileSync(path, 'utf8'))).not.toThrow();
    }
    // What apply's progress (on stderr) says it wrote before the failure is there.
    const listed = [...stderr.matchAll(/^ *created (\/\S+)$/gm)].map((m) => m[1]!);
    for (const path of listed) expect(existsSync(path), path).toBe(true);
    const again = runCli(['apply', '--recipe', file, '--host', sshd.destination(), '--yes'], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    const third = runCli(['apply', '--recipe', file, '--host', sshd.destination(), '--yes'], { env: env() });
    expect(third.stdout).toMatch(/No changes/);
    expect(readFileSync(join(bundle, version, 'hook.cjs'))).toEqual(readFileSync(join(CLI, '..', '..', 'dist', 'runtime', 'hook.cjs')));
  }, 90_000);
});

function mkdirp(dir: string): void {
  spawnSync('mkdir', ['-p', '-m', '700', dir]);
}

describe('the target lock over SFTP', () => {
  it('a live holder on another machine (it keeps beating): apply waits, then fails naming it', async () => {
    const lock = join(sshd.home, '.local/state/buddy-init/.lock');
    writeFile(lock, JSON.stringify({ pid: 4242, host: 'other-laptop', command: 'apply', startedAt: '2026-12-02T10:00:00.000Z', beat: 0, nonce: 'n' }));
    let beat = 0;
    const beating = setInterval(() => writeFileSync(lock, JSON.stringify({ pid: 4242, host: 'other-laptop', command: 'apply', startedAt: '2026-12-02T10:00:00.000Z', beat: ++beat, nonce: 'n' })), 500);
    try {
      const r = await runCliAsync(['apply', '--yes', '--recipe', recipe('locked'), '--host', sshd.destination()], { env: { ...env(), BUDDY_INIT_LOCK_WAIT: '10' } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/another buddy-init is applying on ssh .* \(pid 4242 from other-laptop, apply, since 2026-12-02T10:00:00\.000Z\)/);
    } finally {
      clearInterval(beating);
    }
    expect(existsSync(join(sshd.home, '.claude/channels/discord/buddies/locked'))).toBe(false);
    rmSync(lock);
  }, 30_000);

  it('three buddies applied at once over SSH: all land, one after the other', async () => {
    const names = ['sa', 'sb', 'sc'];
    const runs = await Promise.all(names.map((n) => runCliAsync(['apply', '--yes', '--recipe', recipe(n), '--host', sshd.destination()], { env: { ...env(), BUDDY_INIT_LOCK_WAIT: '60' } })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const projects = JSON.parse(readFileSync(join(sshd.home, '.claude.json'), 'utf8')).projects;
    for (const n of names) expect(projects[join(sshd.home, n)]?.hasTrustDialogAccepted, n).toBe(true);
    expect(existsSync(join(sshd.home, '.local/state/buddy-init/.lock'))).toBe(false);
  }, 60_000);
});
