/**
 * One counter per feature (and one for the prediction): the window's counts of a distribution, slot for slot with
 * the baseline's bins or categories, in typed arrays sized when the accumulator is built. `locate` says where a raw
 * value falls; the accumulator commits it.
 */
import { GridHint, gridHint } from './bin-search';
import { KeyCache } from './key-cache';
import {
  CategoricalDistribution,
  Distribution,
  MISSING,
  NumericDistribution,
  OTHER,
} from '../../../core/contracts/baseline';
import { binIndex, categoryKey, numericValue } from '../../../core/contracts/baseline-values';

export interface NumericCounter extends GridHint {
  readonly kind: 'numeric';
  readonly name: string;
  readonly dist: NumericDistribution;
  /** Per PSI bin. */
  readonly bins: Float64Array;
  /** dist.binEdges as a typed array (same values), for the in-place row reader's searches; the grid's: GridHint. */
  readonly edges: Float64Array;
  /** 2k+1 KS cells for a grid of k points: cell 2i is the open interval just below g_i, 2i+1 is exactly g_i, 2k above g_last. */
  readonly cells: Float64Array;
  count: number;
  missing: number;
}

export interface CategoricalCounter {
  readonly kind: 'categorical';
  readonly name: string;
  readonly dist: CategoricalDistribution;
  readonly index: ReadonlyMap<string, number>;
  readonly other: number;
  readonly counts: Float64Array;
  /**
   * Raw string value -> 2 x slot + (1 if not missing): categoryKey and the index lookup done once per distinct raw
   * string (categoryKey of a string is pure and never throws). At most KEY_CACHE_LIMIT entries, so memory stays
   * bounded whatever the records; beyond that, values are looked up the slow way.
   */
  readonly cache: KeyCache;
  count: number;
  missing: number;
}

export type Counter = NumericCounter | CategoricalCounter;

export function newCounter(name: string, dist: Distribution): Counter {
  if (dist.type === 'numeric') {
    return {
      kind: 'numeric',
      name,
      dist,
      bins: new Float64Array(dist.binEdges.length + 1),
      edges: Float64Array.from(dist.binEdges),
      ...gridHint(Float64Array.from(dist.ks.grid)),
      cells: new Float64Array(2 * dist.ks.grid.length + 1),
      count: 0,
      missing: 0,
    };
  }
  const index = new Map(dist.categories.map((c, i) => [c, i] as const));
  return {
    kind: 'categorical',
    name,
    dist,
    index,
    other: index.get(OTHER) as number,
    counts: new Float64Array(dist.categories.length),
    cache: new KeyCache(),
    count: 0,
    missing: 0,
  };
}

/** Where a value falls: numeric -> PSI bin and KS cell, categorical -> category slot. Throws RecordError if unreadable. */
export function locate(c: Counter, raw: unknown, out: Int32Array, at: number): boolean {
  const field = c.name;
  if (c.kind === 'numeric') {
    const x = numericValue(raw, field);
    if (x === undefined) return false;
    out[2 * at] = binIndex(c.dist.binEdges, x);
    const grid = c.dist.ks.grid;
    const g = binIndex(grid, x);
    out[2 * at + 1] = g < grid.length && grid[g] === x ? 2 * g + 1 : 2 * g;
    return true;
  }
  if (typeof raw === 'string') {
    const hit = c.cache.get(raw, 0, raw.length);
    if (hit !== undefined) {
      out[2 * at] = hit >> 1;
      return (hit & 1) === 1;
    }
  }
  const key = categoryKey(raw, field);
  const slot = c.index.get(key) ?? c.other;
  out[2 * at] = slot;
  const present = key !== MISSING;
  if (typeof raw === 'string') c.cache.add(raw, 2 * slot + (present ? 1 : 0));
  return present;
}
