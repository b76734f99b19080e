/**
 * `buddy-init supervise` and `buddy-init hook`: the runtime bundles that apply pushes to targets, run
 * from the CLI (the same files, not a second implementation).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CommandModule } from 'yargs';
import { RUNTIME_DIR } from '../../paths.js';

async function bundle<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(RUNTIME_DIR, name)).href)) as T;
}

export function superviseCommand(): CommandModule<object, { config: string }> {
  return {
    command: 'supervise',
    describe: 'Run the supervisor in the foreground (what the systemd unit or launchd job runs)',
    builder: (y) => y.option('config', { type: 'string', demandOption: true, describe: 'supervisor.json rendered by apply' }),
    handler: async (argv) => {
      const { supervisorMain } = await bundle<typeof import('../../runtime/supervisor/main.js')>('supervisor.mjs');
      await supervisorMain(['--config', argv.config]);
      await new Promise(() => {}); // runs until a signal ends the process
    },
  };
}

export function hookCommand(): CommandModule<object, { config?: string }> {
  return {
    command: 'hook',
    describe: "Classify one PreToolUse call read from stdin (what Claude Code's hook entry runs)",
    builder: (y) => y.option('config', { type: 'string', describe: 'hook.json rendered by apply' }),
    handler: async (argv) => {
      const { hookMain } = await bundle<typeof import('../../runtime/hook/main.js')>('hook.cjs');
      await hookMain(argv.config ? ['--config', argv.config] : []);
    },
  };
}
