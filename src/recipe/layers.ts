/**
 * `extends:` stacks recipes: a preset first, the recipe over it. Maps merge key by key, scalars from the
 * upper layer win, lists are concatenated without duplicates (a recipe adds rules to its preset's; it
 * removes them with `permissions.drop`). Every value remembers the file it came from, so an error in a
 * preset points into the preset.
 */
import type { SourceLocation } from '../errors.js';
import type { PathKey, YamlSource } from './source.js';

interface Origin {
  source: YamlSource;
  path: PathKey[];
}

export interface Layered {
  value: unknown;
  locate(path: readonly PathKey[], key?: boolean): SourceLocation;
}

const keyOf = (path: readonly PathKey[]) => JSON.stringify(path);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function singleLayer(source: YamlSource): Layered {
  return { value: source.value, locate: source.locate };
}

/** Merges layers bottom (first) to top (last). */
export function mergeLayers(sources: YamlSource[]): Layered {
  const origins = new Map<string, Origin>();
  const record = (value: unknown, origin: Origin, path: PathKey[]): void => {
    origins.set(keyOf(path), origin);
    if (Array.isArray(value)) {
      value.forEach((v, i) => record(v, { source: origin.source, path: [...origin.path, i] }, [...path, i]));
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        record(v, { source: origin.source, path: [...origin.path, k] }, [...path, k]);
      }
    }
  };

  const merge = (base: unknown, top: unknown, topOrigin: Origin, path: PathKey[]): unknown => {
    if (isPlainObject(base) && isPlainObject(top)) {
      origins.set(keyOf(path), topOrigin); // a missing key is best reported in the upper file
      const out: Record<string, unknown> = { ...base };
      for (const [k, v] of Object.entries(top)) {
        const childOrigin = { source: topOrigin.source, path: [...topOrigin.path, k] };
        out[k] = k in base ? merge(base[k], v, childOrigin, [...path, k]) : (record(v, childOrigin, [...path, k]), v);
      }
      return out;
    }
    if (Array.isArray(base) && Array.isArray(top)) {
      const out = [...base];
      top.forEach((item, i) => {
        if (out.some((existing) => JSON.stringify(existing) === JSON.stringify(item))) return;
        record(item, { source: topOrigin.source, path: [...topOrigin.path, i] }, [...path, out.length]);
        out.push(item);
      });
      return out;
    }
    record(top, topOrigin, path);
    return top;
  };

  let value: unknown = undefined;
  sources.forEach((source, i) => {
    const origin = { source, path: [] };
    if (i === 0) {
      record(source.value, origin, []);
      value = source.value;
    } else {
      value = merge(value, source.value, origin, []);
    }
  });

  const top = sources[sources.length - 1]!;
  return {
    value,
    locate(path, key) {
      for (let n = path.length; n >= 0; n--) {
        const origin = origins.get(keyOf(path.slice(0, n)));
        if (origin) return origin.source.locate([...origin.path, ...path.slice(n)], key);
      }
      return top.locate([]);
    },
  };
}
