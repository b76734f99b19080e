import type { CommandModule } from 'yargs';
import { runWizard, type WizardArgs } from '../../wizard/wizard.js';
import type { CommandContext } from '../context.js';

export function wizardCommand(ctx: () => CommandContext): CommandModule<object, WizardArgs> {
  return {
    // `buddy-init init` as other tools name their first-run command.
    command: ['$0', 'init'],
    describe: 'The wizard: asks a few questions, writes a recipe, shows the plan, applies it (every answer also has a flag)',
    builder: (y) =>
      y
        .option('recipe', { alias: 'r', type: 'string', default: 'buddy.yaml', describe: 'recipe to write (or, if it exists, to change)' })
        .option('root', { type: 'string', describe: 'local target only: put every file under this folder' })
        .option('host', { type: 'string', describe: 'provision this SSH host (user@host[:port] or an alias)' })
        .option('accept-new', { type: 'boolean', describe: 'record an unknown host key' })
        .option('where', { choices: ['local', 'ssh'], describe: 'this machine or another over SSH' })
        .option('name', { type: 'string', describe: 'buddy name' })
        .option('workdir', { type: 'string', describe: 'working directory on the box' })
        .option('chat', { choices: ['discord', 'telegram', 'none'], describe: 'chat platform' })
        .option('token-env', { type: 'string', describe: 'environment variable holding the bot token' })
        .option('allow-from', { type: 'array', string: true, describe: 'chat user ids allowed to talk to the bot' })
        .option('dm-policy', { choices: ['allowlist', 'pairing'], describe: 'pairing: whoever DMs the bot gets a code you approve with buddy-init pair (needed when --allow-from is empty)' })
        .option('install-bun', { type: 'boolean', describe: 'let apply install Bun (for the chat plugin) with npm when the box lacks it' })
        .option('auth', { choices: ['oauth', 'api-key', 'none'], describe: 'how Claude authenticates' })
        .option('auth-env', { type: 'string', describe: 'environment variable holding the OAuth token or API key' })
        .option('posture', { choices: ['strict', 'balanced', 'open'], describe: 'permission posture preset' })
        .option('allow', { type: 'array', string: true, describe: 'extra allow rules' })
        .option('deny', { type: 'array', string: true, describe: 'extra deny rules' })
        .option('safe-verb', { type: 'array', string: true, describe: 'commands the hook treats as read-only' })
        .option('edit-rules', { type: 'boolean', describe: 'answers "Add your own allow/deny rules or read-only commands?"' })
        .option('without-sandbox', { type: 'boolean', describe: "where Claude Code's sandbox cannot run: go on without it (sandbox: false)" })
        .option('init-kind', { choices: ['launchd-daemon', 'launchd-agent'], describe: 'macOS: start at boot or at login' })
        .option('linger', { type: 'boolean', describe: 'Linux: start at boot without a login' })
        .option('action', { choices: ['posture', 'chat', 'apply', 'uninstall'], describe: 'when the recipe exists: what to change' })
        .option('diff', { type: 'boolean', describe: "show each file's changed lines in the plan (kept out by default, so the question stays in view)" })
        .option('resume', { type: 'boolean', describe: 'use (or, with --no-resume, drop) the answers an unfinished run kept in <recipe>.draft' }) as never,
    handler: (argv) => runWizard(argv, ctx()),
  };
}
