import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES } from './helpers.js';

/** Runs a fixture server (it prints "listening <port>" once it listens on --port 0) and waits for it. */
export async function startFixtureServer(script: string, args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [join(FIXTURES, script), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', () => reject(new Error(`${script} did not start`)));
  });
  return { proc, port };
}
