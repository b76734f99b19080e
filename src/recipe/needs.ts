import type { Recipe } from './schema.js';

/** What a recipe asks of the target's Claude Code: channels, and which kind of auth it hands to claude. */
export function claudeNeeds(recipe: Recipe): { channels: boolean; auth: 'oauthToken' | 'apiKey' | 'none' } {
  const auth = recipe.auth ? ('oauthToken' in recipe.auth ? 'oauthToken' : 'apiKey') : 'none';
  return { channels: Object.values(recipe.channels).some(Boolean), auth };
}

/** The chat plugins a recipe's channels run, and where each one's marketplace comes from. */
export function channelPlugins(recipe: Recipe): Array<{ id: string; marketplace?: string }> {
  return Object.values(recipe.channels).flatMap((c) => (c ? [{ id: c.plugin, ...(c.marketplace ? { marketplace: c.marketplace } : {}) }] : []));
}
