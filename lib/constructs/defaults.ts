/**
 * `{ ...defaults, ...given }` where a key `given` sets to `undefined` keeps its default (a plain spread would
 * overwrite it): how constructs resolve a partial options object against their documented defaults.
 */
export function withDefaults<T extends object>(defaults: Required<T>, given: T | undefined): Required<T> {
  const set = Object.entries(given ?? {}).filter(([, v]) => v !== undefined);
  return { ...defaults, ...Object.fromEntries(set) } as Required<T>;
}
