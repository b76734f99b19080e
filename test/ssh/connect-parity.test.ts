// Issue 17: connecting as OpenSSH does, judged by the real ssh client on the same laptop against the
// test sshd: ProxyCommand run by the shell, ProxyJump chains of several hops (each hop resolved by its
// own Host block, each host key checked), and the key types people use (ed25519, ecdsa, rsa with SHA-2
// signatures, an encrypted key); what cannot be used (a FIDO key, a user certificate) is named with the
// way out.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onLaptop, runCli, tempDir, writeFile } from '../helpers.js';
import { TestSshd } from './sshd.js';

const sshd = new TestSshd();
beforeAll(() => sshd.start(), 60_000);
afterAll(() => sshd.stop());

const dotSsh = () => join(sshd.laptop, '.ssh');
const recipe = writeFile(join(tempDir(), 'conn.yaml'), 'name: conn\nworkdir: ~/conn\n');
const buddy = (dest: string) => runCli(['plan', '--recipe', recipe, '--host', dest], { env: { HOME: sshd.laptop, SSH_AUTH_SOCK: undefined } });
function ssh(dest: string) {
  const argv = onLaptop(['ssh', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', dest, 'true'], sshd.laptop);
  return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
}
const config = (text: string) => writeFileSync(join(dotSsh(), 'config'), text);
const authorize = (pub: string) => appendFileSync(join(sshd.dir, 'authorized_keys', sshd.user), pub);

describe('connecting as OpenSSH does', () => {
  it('ProxyCommand: run by the shell with %h and %p, the connection over its stdin and stdout', () => {
    sshd.trust();
    const relay = `${process.execPath} -e "const s=require('net').connect(%p,'%h');process.stdin.pipe(s);s.pipe(process.stdout)"`;
    config(`Host piped\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  ProxyCommand ${relay}\n`);
    const logins = sshd.logins();
    expect(ssh('piped').status).toBe(0);
    const r = buddy('piped');
    expect(r.code, r.stderr).toBe(0);
    expect(sshd.logins() - logins).toBe(2);
    // A command that fails says so, with its exit code and what it printed.
    config(`Host broken\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  ProxyCommand sh -c 'echo no route >&2; exit 3'\n`);
    const broken = buddy('broken');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/ProxyCommand for broken \(sh -c 'echo no route >&2; exit 3'\) exited with 3: no route/);
  }, 60_000);

  it('ProxyJump through two hops, each resolved by its own Host block, each host key checked', () => {
    sshd.trust();
    const host = (name: string, extra = '') => `Host ${name}\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n${extra}`;
    config(host('hop1') + host('hop2') + host('far', '  ProxyJump hop1,hop2\n'));
    const logins = sshd.logins();
    expect(ssh('far').status).toBe(0);
    const viaSsh = sshd.logins() - logins;
    const r = buddy('far');
    expect(r.code, r.stderr).toBe(0);
    expect(sshd.logins() - logins - viaSsh).toBe(viaSsh); // as many logins as ssh made: hop1, hop2, far
    expect(viaSsh).toBe(3);
    // A hop whose key is unknown stops the chain there.
    writeFileSync(join(dotSsh(), 'known_hosts'), '');
    config(host('hop1', '  HostKeyAlias hop1-key\n') + host('far', '  ProxyJump hop1\n'));
    sshd.trust(sshd.hostKey(), `[127.0.0.1]:${sshd.port}`);
    const unknownHop = buddy('far');
    expect(unknownHop.code).toBe(2);
    expect(unknownHop.stderr).toMatch(/hop1-key is not in/);
  }, 60_000);

  for (const [type, bits] of [['ecdsa', '256'], ['rsa', '3072']] as const) {
    it(`a ${type} key (${type === 'rsa' ? 'signed with rsa-sha2, as OpenSSH 8.8+ servers require' : 'nistp256'})`, () => {
      sshd.trust();
      const key = join(dotSsh(), `id_${type}_test`);
      rmSync(key, { force: true });
      rmSync(`${key}.pub`, { force: true });
      expect(spawnSync('ssh-keygen', ['-q', '-t', type, '-b', bits, '-N', '', '-f', key]).status).toBe(0);
      authorize(readFileSync(`${key}.pub`, 'utf8'));
      config(`Host typed\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentitiesOnly yes\n  IdentityFile ${key}\n`);
      expect(ssh('typed').status).toBe(0);
      const r = buddy('typed');
      expect(r.code, r.stderr).toBe(0);
    }, 60_000);
  }

  it('a FIDO security key is named, with the way out, instead of failing without a word', () => {
    sshd.trust();
    const key = join(dotSsh(), 'id_ed25519_sk');
    writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key this test can make without a device\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
    writeFileSync(`${key}.pub`, 'sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIEX0dW1teWtleWZvcnRoZXRlc3RzMDEyMzQ1Njc4OTAAAAAEc3NoOg== ada@laptop\n');
    config(`Host fido\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentitiesOnly yes\n  IdentityFile ${key}\n`);
    const r = buddy('fido');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a FIDO security key \(sk-ssh-ed25519@openssh\.com\), which buddy-init's SSH library cannot use; give this host a plain ed25519 key/);
  }, 60_000);

  it('a user certificate (CertificateFile) is said to be unused; the key itself is offered', () => {
    sshd.trust();
    const key = join(dotSsh(), 'id_ed25519');
    config(`Host cert\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${key}\n  CertificateFile ${key}-cert.pub\n`);
    writeFileSync(`${key}-cert.pub`, 'ssh-ed25519-cert-v01@openssh.com AAAA ada@laptop\n');
    const r = buddy('cert');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the user certificate .*id_ed25519-cert\.pub is not presented: buddy-init's SSH library cannot use certificates; the key itself is offered/);
    rmSync(`${key}-cert.pub`);
  }, 60_000);

  it('the agent: SSH_AUTH_SOCK, or IdentityAgent from the config; IdentityAgent none is honoured', () => {
    sshd.trust();
    const dir = tempDir('buddy-agent-');
    const sock = join(dir, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', sock], { encoding: 'utf8' });
    expect(agent.status, agent.stderr).toBe(0);
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)![1]!;
    try {
      const key = join(dir, 'only_in_agent');
      expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]).status).toBe(0);
      authorize(readFileSync(`${key}.pub`, 'utf8'));
      expect(spawnSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: sock } }).status).toBe(0);
      rmSync(key); // the agent holds it; no file offers it
      const host = (extra: string) => `Host agented\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile /nonexistent/key\n${extra}`;
      config(host(''));
      const viaEnv = runCli(['plan', '--recipe', recipe, '--host', 'agented'], { env: { HOME: sshd.laptop, SSH_AUTH_SOCK: sock } });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
      config(host(`  IdentityAgent ${sock}\n`));
      expect(buddy('agented').code).toBe(0);
      config(host('  IdentityAgent none\n'));
      const none = runCli(['plan', '--recipe', recipe, '--host', 'agented'], { env: { HOME: sshd.laptop, SSH_AUTH_SOCK: sock } });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/authentication failed for .* \(tried: nothing: no agent and no key file\)/);
    } finally {
      process.kill(Number(pid));
    }
  }, 60_000);
});
