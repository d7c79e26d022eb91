/**
 * The fixed-size string cache of the accumulator's hot loop: raw category and prediction strings remembered with
 * their slot, looked up in place by a slice of a CSV row.
 */

/** Most raw strings remembered per categorical counter (and for predictions). */
export const KEY_CACHE_LIMIT = 1024;
/** Open-addressing slots of a KeyCache: a power of two, twice the entries, so probes stay short. */
const KEY_CACHE_SLOTS = 2 * KEY_CACHE_LIMIT;

/**
 * Raw string -> number, at most KEY_CACHE_LIMIT entries (fixed memory), looked up by a slice of a longer string
 * without cutting it out: FNV-1a over the slice's char codes, linear probing, and an exact comparison of the
 * stored key with the slice (same length, same characters), so a hit is always the very same string.
 */
export class KeyCache {
  private readonly slots = new Int32Array(KEY_CACHE_SLOTS).fill(-1);
  private readonly keys: string[] = [];
  private readonly values: number[] = [];

  /** The value stored for s.slice(start, end), or undefined. */
  get(s: string, start: number, end: number): number | undefined {
    const len = end - start;
    for (let at = KeyCache.hash(s, start, end); ; at = (at + 1) & (KEY_CACHE_SLOTS - 1)) {
      const entry = this.slots[at] as number;
      if (entry < 0) return undefined;
      const key = this.keys[entry] as string;
      if (key.length === len && s.startsWith(key, start)) return this.values[entry];
    }
  }

  /** Remembers key -> value unless the key is known or the cache is full. */
  add(key: string, value: number): void {
    if (this.keys.length >= KEY_CACHE_LIMIT) return;
    for (let at = KeyCache.hash(key, 0, key.length); ; at = (at + 1) & (KEY_CACHE_SLOTS - 1)) {
      const entry = this.slots[at] as number;
      if (entry >= 0) {
        if (this.keys[entry] === key) return;
        continue;
      }
      this.slots[at] = this.keys.length;
      this.keys.push(key);
      this.values.push(value);
      return;
    }
  }

  private static hash(s: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return (h >>> 0) & (KEY_CACHE_SLOTS - 1);
  }
}
