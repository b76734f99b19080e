/**
 * Bun for the VPS, which has no network: the npm registry's own `bun` package and its Linux x64 binary
 * package, fetched once per machine with `npm pack` (the registry is reachable from the test machine),
 * served to the guest by a local registry (test/fixtures/npm-registry.mjs) that the guest's npm is
 * pointed at in /etc/npmrc, as a box behind a company mirror is. buddy-init runs the same `npm install`
 * it runs anywhere; only where npm fetches from differs.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vps } from '../vps/vps.js';
import { startFixtureServer } from './claude.js';

export const BUN_VERSION = '1.4.5';

/** The tarballs, cached under /var/cache/buddy-init (about 52 MB). */
export function bunTarballs(version = BUN_VERSION): string {
  const dir = `/var/cache/buddy-init/npm-bun-${version}`;
  if (existsSync(dir) && readdirSync(dir).filter((f) => f.endsWith('.tgz')).length === 2) return dir;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('npm', ['pack', `bun@${version}`, `@oven/bun-linux-x64@${version}`, '--pack-destination', dir], { encoding: 'utf8', cwd: dir });
  if (r.status !== 0) throw new Error(`npm pack bun@${version} failed: ${r.stderr}`);
  return dir;
}

export class NpmRegistry {
  port = 0;
  private proc?: ChildProcess;

  /** Serves the Bun tarballs on the host's side of the VPS link and points the guest's npm at it. */
  async serve(vps: Vps): Promise<this> {
    ({ proc: this.proc, port: this.port } = await startFixtureServer('npm-registry.mjs', ['--dir', bunTarballs(), '--host', vps.hostIp]));
    writeFileSync(join(vps.merged, 'etc', 'npmrc'), `registry=http://${vps.hostIp}:${this.port}/\n`);
    return this;
  }

  stop(): void {
    this.proc?.kill();
  }
}
