/**
 * "Did you mean" for unknown config keys: the known keys come from the zod schema itself (no second list), the
 * distance is Levenshtein's (the `leven` package, the same one Jest uses for its own suggestions).
 */
import leven from 'leven';
import { z } from 'zod';

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'readonly', 'nullable', 'catch', 'nonoptional']);

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let cur = schema;
  while (cur) {
    const def = cur._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (WRAPPERS.has(def.type)) cur = def.innerType;
    else if (def.type === 'pipe') cur = def.in;
    else return cur;
  }
  return undefined;
}

/** The keys the schema allows for the object at `path` (array indices step into the element schema). */
export function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let cur = unwrap(schema);
  for (const step of path) {
    if (!cur) return [];
    const def = cur._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
      valueType?: z.core.$ZodType;
    };
    if (def.type === 'object') cur = unwrap(def.shape?.[String(step)]);
    else if (def.type === 'array') cur = unwrap(def.element);
    else if (def.type === 'record') cur = unwrap(def.valueType);
    else return [];
  }
  const def = cur?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/**
 * The known key closest to `key` when it is a plausible typo: case-insensitive edit distance at most a third of
 * the longer name (at least 2), e.g. `modelDataUrl` -> `modelDataKey`, `instanceTyp` -> `instanceType`.
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = leven(key.toLowerCase(), name.toLowerCase());
    if (d <= Math.max(2, Math.floor(Math.max(key.length, name.length) / 3)) && (best === undefined || d < best.d))
      best = { name, d };
  }
  return best?.name;
}
