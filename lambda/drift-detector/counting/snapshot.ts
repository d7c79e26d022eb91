/**
 * The accumulator's counts as plain JSON and back: a window of small files is carried over to the next invocation
 * as a snapshot (state-store.ts) and merged into a fresh accumulator of the same baseline and features.
 */
import { Counter } from './counters';
import { MalformedReason } from '../capture-sink';

/** One counter's counts in a snapshot: numeric features have bins and KS cells, categorical ones counts. */
export interface CounterSnapshot {
  readonly bins?: readonly number[];
  readonly cells?: readonly number[];
  readonly counts?: readonly number[];
  readonly count: number;
  readonly missing: number;
}

/** DriftAccumulator's counts as plain JSON (see snapshot()). */
export interface AccumulatorSnapshot {
  readonly samples: number;
  readonly malformed: number;
  readonly malformedByReason: Readonly<Partial<Record<MalformedReason, number>>>;
  readonly missingPredictions: number;
  readonly counters: readonly CounterSnapshot[];
  readonly prediction?: CounterSnapshot;
  readonly groupCounts?: readonly number[];
  readonly groupPositives?: readonly number[];
}

/** One counter's counts, copied out. */
export function counterSnapshot(c: Counter): CounterSnapshot {
  return c.kind === 'numeric'
    ? { bins: Array.from(c.bins), cells: Array.from(c.cells), count: c.count, missing: c.missing }
    : { counts: Array.from(c.counts), count: c.count, missing: c.missing };
}

/** Whether a counted array and a snapshot's are both absent or both present with the same length. */
export function sameLength(a: ArrayLike<number> | undefined, b: readonly number[] | undefined): boolean {
  return a === undefined ? b === undefined : b !== undefined && a.length === b.length;
}

/** Whether `x` has the shape of counter `c` (so it was taken from a counter of the same distribution). */
export function counterFits(c: Counter, x: CounterSnapshot | undefined): boolean {
  return (
    x !== undefined &&
    (c.kind === 'numeric' ? sameLength(c.bins, x.bins) && sameLength(c.cells, x.cells) : sameLength(c.counts, x.counts))
  );
}

/** Adds `from` into `into`, slot for slot. */
export function addCounts(into: Float64Array, from: readonly number[]): void {
  from.forEach((v, i) => (into[i]! += v));
}

/** Adds a snapshot that fits (counterFits) into counter `c`. */
export function mergeCounter(c: Counter, x: CounterSnapshot): void {
  if (c.kind === 'numeric') {
    addCounts(c.bins, x.bins as number[]);
    addCounts(c.cells, x.cells as number[]);
  } else addCounts(c.counts, x.counts as number[]);
  c.count += x.count;
  c.missing += x.missing;
}
