import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { CommandModule } from 'yargs';
import { InputError, OperationError } from '../../errors.js';
import { cloudInitUserData } from '../../export/cloudInit.js';
import { writeFileAtomicSync } from '../../runtime/shared/atomic.js';
import type { CommandContext } from '../context.js';
import { loadStep, runtimeBundles } from '../pipeline.js';

interface ExportArgs {
  format: string;
  recipe: string;
  user: string;
  sshKey?: string[];
  installClaude: boolean;
  out?: string;
}

/** cloud-init's own schema check, when cloud-init is installed here; undefined when it is not. */
function cloudInitSchema(text: string): string | undefined {
  const probe = spawnSync('cloud-init', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const file = join(tmpdir(), `buddy-cloud-init-${process.pid}.yaml`);
  writeFileSync(file, text);
  try {
    const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new OperationError(`cloud-init's schema check failed: ${(r.stderr || r.stdout).trim()}`);
    return (probe.stdout || probe.stderr).trim();
  } finally {
    rmSync(file, { force: true });
  }
}

export function exportCommand(ctx: () => CommandContext): CommandModule<object, ExportArgs> {
  return {
    command: 'export <format>',
    describe: 'Export the buddy for other engines: `export cloud-init` writes a #cloud-config user-data for a VM\'s first boot',
    builder: (y) =>
      y
        .positional('format', { choices: ['cloud-init'], demandOption: true })
        .option('recipe', { alias: 'r', type: 'string', default: 'buddy.yaml', describe: 'recipe file' })
        .option('user', { type: 'string', default: 'buddy', describe: 'the Linux user the buddy runs as on the VM' })
        .option('ssh-key', { type: 'array', string: true, describe: 'public key file(s) allowed to log in as the user' })
        .option('install-claude', { type: 'boolean', default: true, describe: 'npm install -g @anthropic-ai/claude-code at first boot' })
        .option('out', { alias: 'o', type: 'string', describe: 'write to this file instead of stdout' }) as never,
    handler: (argv) => {
      const { out } = ctx();
      const loaded = loadStep(argv.recipe, out);
      const sshKeys = (argv.sshKey ?? []).map((f) => {
        try {
          return readFileSync(f, 'utf8').trim();
        } catch {
          throw new InputError(`--ssh-key ${f}: cannot read it`);
        }
      });
      const { text, placeholders } = cloudInitUserData(loaded.recipe, runtimeBundles(), { user: argv.user, sshKeys, installClaude: argv.installClaude });
      parse(text); // it must at least be YAML
      const checked = cloudInitSchema(text);
      if (argv.out) {
        writeFileAtomicSync(resolve(argv.out), text, 0o644);
        out.info(`wrote ${argv.out} (${Math.round(text.length / 1024)} KB)`);
      } else process.stdout.write(text);
      out.info(checked ? `checked against cloud-init's schema (cloud-init ${checked})` : 'cloud-init is not installed here: parsed as YAML, not checked against its schema');
      if (placeholders.length) out.info(`fill in before use: ${placeholders.join(', ')}`);
    },
  };
}
