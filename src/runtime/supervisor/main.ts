/**
 * The supervisor process the init system runs:
 *
 *   node supervisor.mjs --config ~/.config/buddy-init/<name>/supervisor.json
 *
 * It stays in the foreground (launchd and systemd both want that) and logs to stdout.
 */
import { pathToFileURL } from 'node:url';
import { readSupervisorConfig } from './config.js';
import { Supervisor } from './supervisor.js';

export { Supervisor, childEnvironment, type Status } from './supervisor.js';
export { readSupervisorConfig, type SupervisorConfig } from './config.js';
export { projectFolderName, findTranscript } from './session.js';

export async function supervisorMain(args: string[]): Promise<void> {
  const at = args.indexOf('--config');
  if (at < 0 || !args[at + 1]) {
    process.stderr.write('usage: supervisor.mjs --config <supervisor.json>\n');
    process.exit(2);
  }
  const config = readSupervisorConfig(args[at + 1]!);
  // journald timestamps lines itself; launchd's log file does not.
  const stamp = process.env.JOURNAL_STREAM ? () => '' : () => `${new Date().toISOString()} `;
  const log = (message: string) => process.stdout.write(`${stamp()}buddy-init[${config.name}]: ${message}\n`);
  const supervisor = new Supervisor(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    supervisor.stop(signal).then(
      () => process.exit(0),
      (err: Error) => {
        log(`stopping failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGUSR1', () => supervisor.requestCheck());
  process.on('SIGHUP', () => supervisor.requestCheck());
  try {
    await supervisor.start();
  } catch (err) {
    log(`cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await supervisorMain(process.argv.slice(2));
}
