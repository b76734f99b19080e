/** The recipe: what one buddy should be. Load it, check it, resolve its secret references. */
export { loadRecipe, PRESETS, type LoadedRecipe } from './load.js';
export { recipeJsonSchema, recipeSchema, schemaLocation, PERMISSION_MODES, type Recipe, type RecipeInput, type Channel, type ChannelName, type SecretRef } from './schema.js';
export { channelEntries, channelPlugins, claudeNeeds } from './needs.js';
export {
  resolveSecrets,
  placeholderSecrets,
  secretSlots,
  secretShapeProblem,
  slotKey,
  describeRef,
  chatTokenProblem,
  type SecretValues,
  type SecretSlot,
} from './secrets.js';
export { parseYamlSource, type PathKey, type YamlSource } from './source.js';

