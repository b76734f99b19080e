/**
 * buddy-init's command line: parses flags (yargs), hands each command a context, turns errors into one
 * line and an exit code (0 ok, 1 failure, 2 bad input). No logic beyond that lives here.
 */
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_BAD_INPUT, EXIT_OK, errorLine, errorObjects, exitCodeOf } from '../errors.js';
import { nearest } from '../recipe/suggest.js';
import { VERSION } from '../version.js';
import { accessCommand, pairCommand } from './commands/access.js';
import { applyCommand } from './commands/apply.js';
import { planCommand } from './commands/plan.js';
import { renderCommand } from './commands/render.js';
import { hookCommand, superviseCommand } from './commands/runtime.js';
import { uninstallCommand } from './commands/uninstall.js';
import { wizardCommand } from './commands/wizard.js';
import { attachCommand, logsCommand, restartCommand, statusCommand } from './commands/operate.js';
import { completionCommand, tidyCompletions } from './commands/completion.js';
import { doctorCommand } from './commands/doctor.js';
import { exportCommand } from './commands/export.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';
import type { CommandContext } from './context.js';
import { colorWanted, Output } from './output.js';
import { Cancelled } from './prompts.js';

export async function main(args: string[]): Promise<number> {
  let context: CommandContext | undefined;
  const ctx = (): CommandContext => {
    if (!context) throw new Error('internal: command ran before flags were parsed');
    return context;
  };
  const commands = [
    wizardCommand(ctx),
    validateCommand(ctx),
    schemaCommand(ctx),
    renderCommand(ctx),
    planCommand(ctx),
    applyCommand(ctx),
    uninstallCommand(ctx),
    statusCommand(ctx),
    doctorCommand(ctx),
    restartCommand(ctx),
    logsCommand(ctx),
    attachCommand(ctx),
    pairCommand(ctx),
    accessCommand(ctx),
    exportCommand(ctx),
    superviseCommand(),
    hookCommand(),
    completionCommand(ctx),
  ] as CommandModule[];
  // Every command's names, for "did you mean" on an unknown one.
  const commandNames = commands.flatMap((c) => [c.command ?? []].flat().map((n) => n.split(' ')[0]!)).filter((n) => n !== '$0');
  const parser = yargs(args)
    .scriptName('buddy-init')
    .version(VERSION)
    .alias('version', 'v')
    .alias('help', 'h')
    .usage('$0 <command> [options]\n\nTurn an always-on box into a supervised, always-reachable Claude Code assistant.')
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output on stdout' })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask for confirmation' })
    .option('color', { type: 'boolean', describe: 'colour output (--no-color or NO_COLOR to turn it off)' })
    .middleware((argv) => {
      const json = Boolean(argv.json);
      context = {
        flags: { json, yes: Boolean(argv.yes), ...(argv.color !== undefined ? { color: Boolean(argv.color) } : {}) },
        out: new Output({ json, color: !json && colorWanted(argv.color as boolean | undefined) }),
        interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      };
    })
    .command(commands)
    .strict()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new UsageError(message);
    });

  // The completion scripts call back with --get-yargs-completions <words>: yargs answers (on stdout,
  // caught here), then the answer is tidied for people.
  if (args[0] === '--get-yargs-completions') {
    let said = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => ((said += String(chunk)), true)) as typeof process.stdout.write;
    try {
      await parser.parseAsync();
    } catch {
      // a command's own checks may object to half a command line; what was offered still counts
    } finally {
      process.stdout.write = write;
    }
    write(tidyCompletions(said.split('\n')).map((w) => `${w}\n`).join(''));
    return EXIT_OK;
  }
  try {
    await parser.parseAsync();
    return context?.exitCode ?? EXIT_OK;
  } catch (err) {
    const out = context?.out ?? new Output({ json: args.includes('--json'), color: colorWanted(undefined, process.stderr) });
    if (err instanceof Cancelled) {
      out.info(err.message);
      return err.exitCode;
    }
    // yargs reports a failed .check() as its own YError, or as a bare message: a usage error all the same.
    if (err instanceof UsageError || (err instanceof Error && err.name === 'YError') || typeof err === 'string') {
      // getOptions() exists at run time (yargs 18 leaves it out of its types): the flags known where parsing stopped.
      const known = Object.keys((parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key).filter((k) => k.length > 1 && !/[A-Z]/.test(k));
      out.error(`${usageMessage(typeof err === 'string' ? err : err.message, args, known, commandNames)} (see buddy-init --help)`);
      return EXIT_BAD_INPUT;
    }
    out.error(errorLine(err), errorObjects(err));
    if (process.env.BUDDY_INIT_DEBUG && err instanceof Error) out.info(err.stack ?? '');
    return exitCodeOf(err);
  }
}

class UsageError extends Error {}

/**
 * yargs names an unknown --kebab-flag twice (kebab and camelCase): once is enough; a flag near a known
 * one (`--recipie`) gets a "did you mean"; a long flag with one dash (`-recipe`, which yargs reads as
 * -r -e -c ...) is said as that; an unknown first word is an unknown command, with the nearest one.
 */
function usageMessage(message: string, args: string[], known: string[], commands: string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return message;
  const oneDash = args.find((a) => /^-[a-z][a-z-]+$/.test(a) && known.includes(a.slice(1)));
  if (oneDash) return `${oneDash}: long options take two dashes: -${oneDash}`;
  const first = args[0];
  if (first && !first.startsWith('-') && m[1]!.split(', ').includes(first)) {
    const guess = nearest(first, commands);
    return `Unknown command: ${first}${guess ? ` (did you mean ${guess}?)` : ''}`;
  }
  const names = m[1]!.split(', ');
  const kept = names.filter((n) => !names.some((other) => other !== n && other.includes('-') && other.replace(/-([a-z])/g, (_x, c: string) => c.toUpperCase()) === n));
  const shown = kept.map((n) => {
    const guess = nearest(n, known);
    return guess ? `${n} (did you mean --${guess}?)` : n;
  });
  return `Unknown argument${kept.length > 1 ? 's' : ''}: ${shown.join(', ')}`;
}

// `buddy-init status | head`: a reader that stops reading is not an error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(hideBin(process.argv));
