import type { Recipe } from './schema.js';

/** What a recipe asks of the target's Claude Code: channels, and which kind of auth it hands to claude. */
export function claudeNeeds(recipe: Recipe): { channels: boolean; auth: 'oauthToken' | 'apiKey' | 'none' } {
  const auth = recipe.auth ? ('oauthToken' in recipe.auth ? 'oauthToken' : 'apiKey') : 'none';
  return { channels: Object.values(recipe.channels).some(Boolean), auth };
}
