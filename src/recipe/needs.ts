import type { Channel, ChannelName, Recipe } from './schema.js';

/** The recipe's chat channels, by name (those it leaves out are not there). */
export function channelEntries(recipe: Recipe): Array<[ChannelName, Channel]> {
  return (Object.entries(recipe.channels) as Array<[ChannelName, Channel | undefined]>).filter((e): e is [ChannelName, Channel] => e[1] !== undefined);
}

/** What a recipe asks of the target's Claude Code: channels (and Bun for them), and which kind of auth it hands to claude. */
export function claudeNeeds(recipe: Recipe): { channels: boolean; auth: 'oauthToken' | 'apiKey' | 'none'; bun: Recipe['bun']; sandbox: boolean } {
  const auth = recipe.auth ? ('oauthToken' in recipe.auth ? 'oauthToken' : 'apiKey') : 'none';
  return { channels: Object.values(recipe.channels).some(Boolean), auth, bun: recipe.bun, sandbox: recipe.sandbox !== false };
}

/** The chat plugins a recipe's channels run, and where each one's marketplace comes from. */
export function channelPlugins(recipe: Recipe): Array<{ id: string; marketplace?: string; version?: string }> {
  return channelEntries(recipe).map(([, c]) => ({ id: c.plugin, ...(c.marketplace ? { marketplace: c.marketplace } : {}), ...(c.version ? { version: c.version } : {}) }));
}
