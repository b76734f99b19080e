import type { Json } from '../runtime/shared/json.js';
import type { Target } from './types.js';

/** A JSON file on the target, or undefined when it is missing or not JSON (the checks that read it say what that means). */
export async function readJson(target: Target, path: string): Promise<Json | undefined> {
  const data = await target.read(path);
  if (!data) return undefined;
  try {
    return JSON.parse(data.toString('utf8')) as Json;
  } catch {
    return undefined;
  }
}
