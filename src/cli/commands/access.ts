/**
 * `buddy-init pair CODE` and `buddy-init access [list|allow ID|revoke ID]`: the chat plugin's access
 * skill from the owner's side (see operate/access.ts), so `dmPolicy: pairing` works while the agent stays
 * unable to edit its own allowlist.
 */
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { pair, readAccess, setAllowed, type ChannelAccess } from '../../operate/access.js';
import { channelEntries, type Channel, type ChannelName } from '../../recipe/index.js';
import type { CommandContext } from '../context.js';
import { openBuddy, type OpenBuddy } from '../pipeline.js';
import type { TargetArgs } from '../hostPlan.js';
import { targetOptions } from './plan.js';

async function withChannels<T>(argv: TargetArgs, ctx: CommandContext, job: (b: OpenBuddy, channels: Array<[ChannelName, Channel]>) => Promise<T>): Promise<T> {
  const buddy = await openBuddy(argv, ctx);
  try {
    const channels = channelEntries(buddy.loaded.recipe);
    if (!channels.length) throw new InputError(`${argv.recipe}: the recipe has no chat channel`);
    return await job(buddy, channels);
  } finally {
    await buddy.target.close();
  }
}

export function pairCommand(ctx: () => CommandContext): CommandModule<object, TargetArgs & { code: string }> {
  return {
    command: 'pair <code>',
    describe: 'Approve a pairing code the bot sent to someone who messaged it (dmPolicy: pairing)',
    builder: (y) => targetOptions(y).positional('code', { type: 'string', demandOption: true, describe: 'the code the bot replied with' }) as Argv<TargetArgs & { code: string }>,
    handler: async (argv) => {
      const context = ctx();
      await withChannels(argv, context, async (b, channels) => {
        const done = await pair(b.target, b.layout, channels, String(argv.code));
        if (context.out.json) context.out.printJson(done);
        else context.out.print(`Paired ${done.senderId} on ${done.channel} (${b.target.label}): they are on the allowlist, and the bot tells them so.`);
      });
    },
  };
}

type AccessArgs = TargetArgs & { action: string; id?: string; channel?: string };

function printAccess(all: ChannelAccess[], ctx: CommandContext): void {
  const { c } = ctx.out;
  for (const a of all) {
    ctx.out.print(`${a.channel}  ${c.dim(a.path)}`);
    ctx.out.print(`  dmPolicy   ${a.dmPolicy}`);
    ctx.out.print(`  allowFrom  ${a.allowFrom.map((x) => `${x.id}${x.inRecipe ? c.dim(' (recipe)') : ''}`).join(', ') || c.dim('nobody')}`);
    const now = Date.now();
    for (const p of a.pending) {
      const left = Math.round((p.expiresAt - now) / 60000);
      ctx.out.print(`  pending    ${p.code} from ${p.senderId}, ${left >= 0 ? `expires in ${left} min` : c.red('expired')}${c.dim(`  (buddy-init pair ${p.code})`)}`);
    }
    ctx.out.print(`  groups     ${a.groups.join(', ') || c.dim('none')}`);
  }
}

export function accessCommand(ctx: () => CommandContext): CommandModule<object, AccessArgs> {
  return {
    command: 'access [action] [id]',
    describe: 'Who may talk to the buddy: list (default), allow ID, revoke ID',
    builder: (y) =>
      targetOptions(y)
        .positional('action', { type: 'string', choices: ['list', 'allow', 'revoke'], default: 'list' })
        .positional('id', { type: 'string', describe: 'a chat user id (allow, revoke)' })
        .option('channel', { type: 'string', choices: ['discord', 'telegram'], describe: 'which chat, when the recipe has more than one' }) as Argv<AccessArgs>,
    handler: async (argv) => {
      const context = ctx();
      await withChannels(argv, context, async (b, channels) => {
        if (argv.action === 'list') {
          const all = await readAccess(b.target, b.layout, channels);
          if (context.out.json) context.out.printJson(all);
          else printAccess(all, context);
          return;
        }
        if (!argv.id) throw new InputError(`access ${argv.action} needs a user id`);
        const chosen = argv.channel ? channels.find(([n]) => n === argv.channel) : channels.length === 1 ? channels[0] : undefined;
        if (!chosen) throw new InputError(argv.channel ? `--channel ${argv.channel}: not a channel of this recipe` : `the recipe has ${channels.map(([n]) => n).join(' and ')}: say which with --channel`);
        const [name, config] = chosen;
        const id = String(argv.id);
        const changed = await setAllowed(b.target, b.layout, name, id, argv.action === 'allow');
        if (argv.action === 'revoke' && config.allowFrom.includes(id)) context.out.warn(`${id} is in the recipe's channels.${name}.allowFrom: the next apply puts it back; take it out of the recipe too`);
        const what = argv.action === 'allow' ? (changed ? 'now on' : 'already on') : changed ? 'taken off' : 'was not on';
        if (context.out.json) context.out.printJson({ channel: name, id, action: argv.action, changed });
        else context.out.print(`${id} ${what} the ${name} allowlist (${b.target.label}).`);
      });
    },
  };
}
