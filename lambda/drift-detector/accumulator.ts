/**
 * Counts a capture window into the baseline's bins. Memory is fixed when the accumulator is built — features x bins
 * typed arrays — and never grows with records: no per-record arrays, unseen categories fall into `__other__`, and
 * KS uses the baseline's grid (see baseline.ts for why that is exact or how far it can read low).
 */
import { CaptureSink, MalformedReason } from './capture-sink';
import {
  GroupOutcome,
  demographicParityDifference,
  disparateImpactRatio,
  jsDistance,
  ksFromGridCdfs,
  psi,
} from './statistics';
import { FeatureSpec } from '../../core/contracts/drift-detector';
import {
  BaselineDocument,
  CategoricalDistribution,
  Distribution,
  MISSING,
  NumericDistribution,
  OTHER,
} from '../../core/contracts/baseline';
import {
  binIndex,
  binLabel,
  categoryKey,
  numericValue,
  predictionKey,
  shortDecimalIn,
} from '../../core/contracts/baseline-values';

interface NumericCounter {
  readonly kind: 'numeric';
  readonly name: string;
  readonly dist: NumericDistribution;
  /** Per PSI bin. */
  readonly bins: Float64Array;
  /** dist.binEdges and dist.ks.grid as typed arrays (same values), for the in-place row reader's searches. */
  readonly edges: Float64Array;
  readonly grid: Float64Array;
  /** Where each of GRID_BUCKETS equal slices of [grid[0], grid[last]] starts in the grid (a hint, see searchGrid). */
  readonly gridBuckets: Int32Array;
  readonly gridLo: number;
  readonly gridScale: number;
  /** 2k+1 KS cells for a grid of k points: cell 2i is the open interval just below g_i, 2i+1 is exactly g_i, 2k above g_last. */
  readonly cells: Float64Array;
  count: number;
  missing: number;
}

interface CategoricalCounter {
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

/** Most raw strings remembered per categorical counter (and for predictions). */
const KEY_CACHE_LIMIT = 1024;
/** Open-addressing slots of a KeyCache: a power of two, twice the entries, so probes stay short. */
const KEY_CACHE_SLOTS = 2 * KEY_CACHE_LIMIT;

/**
 * Raw string -> number, at most KEY_CACHE_LIMIT entries (fixed memory), looked up by a slice of a longer string
 * without cutting it out: FNV-1a over the slice's char codes, linear probing, and an exact comparison of the
 * stored key with the slice (same length, same characters), so a hit is always the very same string.
 */
class KeyCache {
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

type Counter = NumericCounter | CategoricalCounter;

export interface FeatureDrift {
  readonly name: string;
  readonly type: FeatureSpec['type'];
  /** Records with a value for this feature in the window. */
  readonly count: number;
  /** Undefined when the window had no value for the feature. */
  readonly psi?: number;
  readonly jsDistance?: number;
  /** Numeric features only. */
  readonly ks?: number;
}

export interface DriftResult {
  readonly sampleCount: number;
  readonly malformedRecords: number;
  /** Malformed records by reason (only reasons that occurred); the values sum to malformedRecords. */
  readonly malformedByReason: Readonly<Partial<Record<MalformedReason, number>>>;
  /** Samples whose captured prediction was null or empty: counted for the features, not as a prediction class. */
  readonly missingPredictions: number;
  /** Fairness groups seen but smaller than minGroupSize, so left out of the fairness statistics. */
  readonly fairnessGroupsExcluded: number;
  readonly features: readonly FeatureDrift[];
  readonly maxFeaturePsi?: number;
  readonly predictionPsi?: number;
  readonly predictionJsDistance?: number;
  readonly groups: readonly GroupOutcome[];
  readonly demographicParityDifference?: number;
  readonly disparateImpactRatio?: number;
}

/** Counts of one distribution in the window, slot for slot with the baseline's bins or categories. */
export interface CountsSnapshot {
  readonly name: string;
  readonly type: FeatureSpec['type'];
  /** Per PSI bin (numeric) or per baseline category, `__other__` last (categorical). */
  readonly counts: readonly number[];
  /** Records without a value: outside `counts` for numeric features, inside them (as their slot) for categorical. */
  readonly missing: number;
}

/** What the report needs beyond DriftResult: the counts behind each statistic, copied out (fixed size). */
export interface WindowCounts {
  readonly features: readonly CountsSnapshot[];
  readonly prediction?: CountsSnapshot;
  /** Per slot of the sensitive feature: records with a prediction, and positive predictions among them. */
  readonly fairness?: {
    readonly attribute: string;
    readonly counts: readonly number[];
    readonly positives: readonly number[];
  };
  readonly minGroupSize: number;
}

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

export interface AccumulatorOptions {
  /** Features in payload order (a CSV row lists them in this order); each must be in the baseline with the same type. */
  readonly features: readonly FeatureSpec[];
  /** @default - the baseline's fairness.sensitiveAttribute, if any */
  readonly sensitiveAttribute?: string;
  /** @default - the baseline's fairness.positiveLabel, else 1 */
  readonly positiveLabel?: string | number;
  /**
   * Groups with fewer records are left out of fairness statistics: at 100 records and a 20% positive rate the rate's
   * standard error is already 0.04, so smaller groups would make disparate impact swing on noise alone.
   * @default 100
   */
  readonly minGroupSize?: number;
}

function newCounter(name: string, dist: Distribution): Counter {
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
function locate(c: Counter, raw: unknown, out: Int32Array, at: number): boolean {
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

/**
 * binIndex (core/contracts/baseline-values.ts) kept monomorphic over a Float64Array for the hot loop: the number of
 * edges strictly below x. A second copy on purpose: the generic ArrayLike version is slower in this loop.
 */
function searchBins(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Equal slices of a KS grid's range indexed by searchGrid: a fixed GRID_BUCKETS + 1 integers per numeric feature. */
const GRID_BUCKETS = 256;

function gridHint(grid: Float64Array): {
  grid: Float64Array;
  gridBuckets: Int32Array;
  gridLo: number;
  gridScale: number;
} {
  const n = grid.length;
  const lo = n > 0 ? (grid[0] as number) : 0;
  const span = n > 0 ? (grid[n - 1] as number) - lo : 0;
  const scale = span > 0 && Number.isFinite(span) ? GRID_BUCKETS / span : 0;
  const gridBuckets = new Int32Array(GRID_BUCKETS + 1);
  for (let b = 0; b <= GRID_BUCKETS; b++)
    gridBuckets[b] = scale > 0 && b < GRID_BUCKETS ? searchBins(grid, lo + (b * span) / GRID_BUCKETS) : n;
  gridBuckets[0] = 0;
  return { grid, gridBuckets, gridLo: lo, gridScale: scale };
}

/**
 * searchBins(c.grid, x), narrowed first to x's slice of the grid's range. The slice's start and end are only a hint:
 * the narrow search is used only once checked to hold the answer (every grid point before the start is below x,
 * the point at the end is not), and the full search otherwise, so the result is always searchBins(c.grid, x).
 */
function searchGrid(c: NumericCounter, x: number): number {
  const grid = c.grid;
  const n = grid.length;
  const t = (x - c.gridLo) * c.gridScale;
  if (t >= 0 && t < GRID_BUCKETS) {
    const b = Math.floor(t);
    let lo = c.gridBuckets[b] as number;
    let hi = c.gridBuckets[b + 1] as number;
    if (lo <= hi && (lo === 0 || (grid[lo - 1] as number) < x) && (hi === n || (grid[hi] as number) >= x)) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((grid[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
  }
  return searchBins(grid, x);
}

/** Grid CDF (F(g) and F(g-)) of the counted window from its KS cells. */
function gridCdfs(cells: Float64Array, total: number): { cdf: number[]; left: number[] } {
  const k = (cells.length - 1) / 2;
  const cdf = new Array<number>(k);
  const left = new Array<number>(k);
  let run = 0;
  for (let i = 0; i < k; i++) {
    run += cells[2 * i] as number;
    left[i] = run / total;
    run += cells[2 * i + 1] as number;
    cdf[i] = run / total;
  }
  return { cdf, left };
}

export class DriftAccumulator {
  private readonly counters: Counter[];
  private readonly prediction?: Counter;
  private readonly sensitiveAt: number;
  private readonly groupCounts?: Float64Array;
  private readonly groupPositives?: Float64Array;
  private readonly positiveKey: string;
  private readonly minGroupSize: number;
  /** Reused for every record: where each feature's value falls, committed only once the whole record has parsed. */
  private readonly scratch: Int32Array;
  private readonly present: Uint8Array;
  private samples = 0;
  private malformed = 0;
  private readonly reasons: Partial<Record<MalformedReason, number>> = {};
  private missingPredictions = 0;
  /** Raw string prediction -> predictionKey (pure for strings), at most KEY_CACHE_LIMIT entries. */
  private readonly predictionKeys = new Map<string, string>();

  constructor(baseline: BaselineDocument, opts: AccumulatorOptions) {
    const byName = new Map(baseline.features.map((f) => [f.name, f.distribution] as const));
    this.counters = opts.features.map((f) => {
      const dist = byName.get(f.name);
      if (!dist)
        throw new RangeError(
          `feature "${f.name}" is not in the baseline [${[...byName.keys()].join(', ')}]; regenerate the baseline with this feature list`,
        );
      if (dist.type !== f.type)
        throw new RangeError(
          `feature "${f.name}" is ${f.type} in the config but ${dist.type} in the baseline; make them agree`,
        );
      return newCounter(f.name, dist);
    });
    if (baseline.prediction) this.prediction = newCounter('prediction', baseline.prediction.distribution);
    const sensitive = opts.sensitiveAttribute ?? baseline.fairness?.sensitiveAttribute;
    this.sensitiveAt = sensitive === undefined ? -1 : opts.features.findIndex((f) => f.name === sensitive);
    if (sensitive !== undefined && this.sensitiveAt < 0)
      throw new RangeError(`sensitiveAttribute "${sensitive}" is not one of the features`);
    if (this.sensitiveAt >= 0) {
      const c = this.counters[this.sensitiveAt] as Counter;
      const n = c.kind === 'numeric' ? c.bins.length : c.counts.length;
      this.groupCounts = new Float64Array(n);
      this.groupPositives = new Float64Array(n);
    }
    this.positiveKey = predictionKey(opts.positiveLabel ?? baseline.fairness?.positiveLabel ?? 1);
    this.minGroupSize = opts.minGroupSize ?? 100;
    this.scratch = new Int32Array(2 * opts.features.length);
    this.present = new Uint8Array(opts.features.length);
  }

  get sampleCount(): number {
    return this.samples;
  }

  get malformedCount(): number {
    return this.malformed;
  }

  /** Counts records that could not be read at all (bad JSON line, row/prediction count mismatch, ...). */
  addMalformed(n = 1, reason: MalformedReason = 'bad-payload'): void {
    this.malformed += n;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + n;
  }

  /**
   * Adds one record: raw values in feature order and the raw prediction (undefined when output is not captured).
   * Returns false, counting the record as malformed, if any value is unreadable; nothing of it is counted then.
   */
  add(values: ArrayLike<unknown>, prediction: unknown): boolean {
    const n = this.counters.length;
    if (values.length !== n) {
      this.addMalformed(1, 'wrong-field-count');
      return false;
    }
    try {
      for (let i = 0; i < n; i++)
        this.present[i] = locate(this.counters[i] as Counter, values[i], this.scratch, i) ? 1 : 0;
    } catch {
      this.addMalformed(1, 'bad-value');
      return false;
    }
    return this.commit(prediction);
  }

  /**
   * The same as `add(row.split(','), prediction)` for a CSV row without quotes (so split as splitCsvRow splits it),
   * reading the fields in place instead of through an array of substrings. Only the common case is read here:
   * exactly one value per feature, numeric values that are short plain decimals (shortDecimalIn), categorical
   * values already in the key cache. Anything else hands the row to add() before anything is counted (scratch
   * only is written), so counts, malformed records and their reasons are always add()'s.
   */
  addCsvRow(row: string, prediction: unknown): boolean {
    const n = this.counters.length;
    if (n === 0) return this.add(row.split(','), prediction);
    const scratch = this.scratch;
    let start = 0;
    for (let i = 0; i < n; i++) {
      let end = row.indexOf(',', start);
      if (i === n - 1) {
        if (end >= 0) return this.add(row.split(','), prediction);
        end = row.length;
      } else if (end < 0) return this.add(row.split(','), prediction);
      const c = this.counters[i] as Counter;
      if (c.kind === 'numeric') {
        const x = shortDecimalIn(row, start, end);
        if (x !== x) return this.add(row.split(','), prediction); // NaN: not a short plain decimal
        scratch[2 * i] = searchBins(c.edges, x);
        const grid = c.grid;
        const g = searchGrid(c, x);
        scratch[2 * i + 1] = g < grid.length && grid[g] === x ? 2 * g + 1 : 2 * g;
        this.present[i] = 1;
      } else {
        const hit = c.cache.get(row, start, end);
        if (hit === undefined) return this.add(row.split(','), prediction);
        scratch[2 * i] = hit >> 1;
        this.present[i] = hit & 1;
      }
      start = end + 1;
    }
    return this.commit(prediction);
  }

  /** Second half of add(): reads the prediction, then counts the record whose slots are in scratch and present. */
  private commit(prediction: unknown): boolean {
    const n = this.counters.length;
    let predSlot = -1;
    let positive = false;
    let predictionMissing = false;
    try {
      if (prediction !== undefined) {
        // Null or empty: as the baseline builder does, the record counts for its features but is no prediction.
        const key = this.keyOfPrediction(prediction);
        predictionMissing = key === MISSING;
        positive = key === this.positiveKey;
        if (this.prediction && !predictionMissing) {
          if (this.prediction.kind === 'categorical')
            predSlot = this.prediction.index.get(key) ?? this.prediction.other;
          else predSlot = binIndex(this.prediction.dist.binEdges, numericValue(prediction, 'prediction') as number);
        }
      }
    } catch {
      this.addMalformed(1, 'bad-value');
      return false;
    }
    this.samples++;
    if (predictionMissing) this.missingPredictions++;
    for (let i = 0; i < n; i++) {
      const c = this.counters[i] as Counter;
      if (c.kind === 'numeric') {
        if (this.present[i]) {
          c.bins[this.scratch[2 * i] as number]! += 1;
          c.cells[this.scratch[2 * i + 1] as number]! += 1;
          c.count++;
        } else c.missing++;
      } else {
        c.counts[this.scratch[2 * i] as number]! += 1;
        c.count++;
        if (!this.present[i]) c.missing++;
      }
    }
    if (predSlot >= 0 && this.prediction) {
      if (this.prediction.kind === 'categorical') this.prediction.counts[predSlot]! += 1;
      else this.prediction.bins[predSlot]! += 1;
      this.prediction.count++;
      if (this.groupCounts && this.groupPositives && this.present[this.sensitiveAt]) {
        const g = this.scratch[2 * this.sensitiveAt] as number;
        this.groupCounts[g]! += 1;
        if (positive) this.groupPositives[g]! += 1;
      }
    }
    return true;
  }

  private keyOfPrediction(prediction: unknown): string {
    if (typeof prediction !== 'string') return predictionKey(prediction);
    let key = this.predictionKeys.get(prediction);
    if (key === undefined) {
      key = predictionKey(prediction);
      if (this.predictionKeys.size < KEY_CACHE_LIMIT) this.predictionKeys.set(prediction, key);
    }
    return key;
  }

  /**
   * The counts as plain JSON, to carry a window of small files over to the next invocation (state-store.ts).
   * Its size is fixed by the baseline, like the accumulator's.
   */
  snapshot(): AccumulatorSnapshot {
    const counter = (c: Counter): CounterSnapshot =>
      c.kind === 'numeric'
        ? { bins: Array.from(c.bins), cells: Array.from(c.cells), count: c.count, missing: c.missing }
        : { counts: Array.from(c.counts), count: c.count, missing: c.missing };
    return {
      samples: this.samples,
      malformed: this.malformed,
      malformedByReason: { ...this.reasons },
      missingPredictions: this.missingPredictions,
      counters: this.counters.map(counter),
      ...(this.prediction ? { prediction: counter(this.prediction) } : {}),
      ...(this.groupCounts && this.groupPositives
        ? { groupCounts: Array.from(this.groupCounts), groupPositives: Array.from(this.groupPositives) }
        : {}),
    };
  }

  /** Adds a snapshot taken from an accumulator of the same baseline and features; throws RangeError otherwise. */
  merge(s: AccumulatorSnapshot): void {
    const same = (a: ArrayLike<number> | undefined, b: readonly number[] | undefined) =>
      a === undefined ? b === undefined : b !== undefined && a.length === b.length;
    const fits = (c: Counter, x: CounterSnapshot | undefined) =>
      x !== undefined &&
      (c.kind === 'numeric' ? same(c.bins, x.bins) && same(c.cells, x.cells) : same(c.counts, x.counts));
    if (
      s.counters.length !== this.counters.length ||
      !this.counters.every((c, i) => fits(c, s.counters[i])) ||
      (this.prediction ? !fits(this.prediction, s.prediction) : s.prediction !== undefined) ||
      !same(this.groupCounts, s.groupCounts) ||
      !same(this.groupPositives, s.groupPositives)
    )
      throw new RangeError('window snapshot does not match this baseline and feature list; it cannot be merged');
    const add = (into: Float64Array, from: readonly number[]) => from.forEach((v, i) => (into[i]! += v));
    const mergeCounter = (c: Counter, x: CounterSnapshot) => {
      if (c.kind === 'numeric') {
        add(c.bins, x.bins as number[]);
        add(c.cells, x.cells as number[]);
      } else add(c.counts, x.counts as number[]);
      c.count += x.count;
      c.missing += x.missing;
    };
    this.counters.forEach((c, i) => mergeCounter(c, s.counters[i] as CounterSnapshot));
    if (this.prediction && s.prediction) mergeCounter(this.prediction, s.prediction);
    if (this.groupCounts && s.groupCounts) add(this.groupCounts, s.groupCounts);
    if (this.groupPositives && s.groupPositives) add(this.groupPositives, s.groupPositives);
    this.samples += s.samples;
    this.malformed += s.malformed;
    this.missingPredictions += s.missingPredictions;
    for (const [k, v] of Object.entries(s.malformedByReason) as [MalformedReason, number][])
      this.reasons[k] = (this.reasons[k] ?? 0) + v;
  }

  /** Number of counters held: fixed by the baseline, whatever the number of records (tests assert this). */
  stateSize(): number {
    let size = this.scratch.length + this.present.length + (this.groupCounts?.length ?? 0) * 2;
    for (const c of [...this.counters, ...(this.prediction ? [this.prediction] : [])]) {
      size += c.kind === 'numeric' ? c.bins.length + c.cells.length : c.counts.length + c.index.size;
    }
    return size;
  }

  /** The window's counts behind result(), for the drift report; sized by the baseline, never by the records. */
  counts(): WindowCounts {
    const snap = (c: Counter): CountsSnapshot => ({
      name: c.name,
      type: c.kind,
      counts: Array.from(c.kind === 'numeric' ? c.bins : c.counts),
      missing: c.missing,
    });
    const sensitive = this.sensitiveAt >= 0 ? (this.counters[this.sensitiveAt] as Counter) : undefined;
    return {
      features: this.counters.map(snap),
      ...(this.prediction ? { prediction: snap(this.prediction) } : {}),
      ...(sensitive && this.groupCounts && this.groupPositives
        ? {
            fairness: {
              attribute: sensitive.name,
              counts: Array.from(this.groupCounts),
              positives: Array.from(this.groupPositives),
            },
          }
        : {}),
      minGroupSize: this.minGroupSize,
    };
  }

  result(): DriftResult {
    const features: FeatureDrift[] = this.counters.map((c) => {
      const name = c.name;
      if (c.count === 0) return { name, type: c.kind, count: 0 };
      if (c.kind === 'numeric') {
        const ks = c.dist.ks.grid.length > 0 ? gridCdfs(c.cells, c.count) : undefined;
        return {
          name,
          type: 'numeric',
          count: c.count,
          psi: psi(c.dist.binProportions, c.bins),
          jsDistance: jsDistance(c.dist.binProportions, c.bins),
          ...(ks ? { ks: ksFromGridCdfs(c.dist.ks.cdf, c.dist.ks.left, ks.cdf, ks.left) } : {}),
        };
      }
      return {
        name,
        type: 'categorical',
        count: c.count,
        psi: psi(c.dist.proportions, c.counts),
        jsDistance: jsDistance(c.dist.proportions, c.counts),
      };
    });
    const psis = features.map((f) => f.psi).filter((v): v is number => v !== undefined);
    let predictionPsi: number | undefined;
    let predictionJsDistance: number | undefined;
    const p = this.prediction;
    if (p && p.count > 0) {
      const [expected, actual] =
        p.kind === 'categorical' ? [p.dist.proportions, p.counts] : [p.dist.binProportions, p.bins];
      predictionPsi = psi(expected, actual);
      predictionJsDistance = jsDistance(expected, actual);
    }
    const groups = this.groups();
    const dpd = demographicParityDifference(groups, this.minGroupSize);
    const di = disparateImpactRatio(groups, this.minGroupSize);
    return {
      sampleCount: this.samples,
      malformedRecords: this.malformed,
      malformedByReason: { ...this.reasons },
      missingPredictions: this.missingPredictions,
      fairnessGroupsExcluded: groups.filter((g) => g.count < this.minGroupSize).length,
      features,
      ...(psis.length > 0 ? { maxFeaturePsi: Math.max(...psis) } : {}),
      ...(predictionPsi !== undefined ? { predictionPsi, predictionJsDistance } : {}),
      groups,
      ...(dpd !== undefined ? { demographicParityDifference: dpd } : {}),
      ...(di !== undefined ? { disparateImpactRatio: di } : {}),
    };
  }

  /** Fairness groups seen in the window; `__other__` and `__missing__` are mixtures, not groups, and are left out. */
  private groups(): GroupOutcome[] {
    if (!this.groupCounts || !this.groupPositives) return [];
    const c = this.counters[this.sensitiveAt] as Counter;
    const out: GroupOutcome[] = [];
    for (let i = 0; i < this.groupCounts.length; i++) {
      const count = this.groupCounts[i] as number;
      if (count === 0) continue;
      const group = c.kind === 'numeric' ? binLabel(c.dist.binEdges as number[], i) : (c.dist.categories[i] as string);
      if (group === OTHER || group === MISSING) continue;
      out.push({ group, count, positives: this.groupPositives[i] as number });
    }
    return out;
  }
}

/** Optional hooks of `accumulatorSink`: called after the accumulator has counted the refusal or the malformed line. */
export interface AccumulatorSinkHooks {
  /** A record whose value is unreadable for its feature type (counted as malformed). */
  readonly refused?: () => void;
  readonly malformed?: (count: number, reason: string, line: number, kind: MalformedReason) => void;
}

/**
 * The one sink that feeds a capture parser into an accumulator: records (and quote-free CSV rows, read in place)
 * counted, unreadable lines counted as malformed by kind. The detector, the drift report CLI and the benchmarks use it.
 */
export function accumulatorSink(acc: DriftAccumulator, hooks: AccumulatorSinkHooks = {}): CaptureSink {
  return {
    record: (values, prediction) => {
      if (!acc.add(values, prediction)) hooks.refused?.();
    },
    csvRow: (row, prediction) => {
      if (!acc.addCsvRow(row, prediction)) hooks.refused?.();
    },
    malformed: (n, reason, line, kind) => {
      acc.addMalformed(n, kind);
      hooks.malformed?.(n, reason, line, kind);
    },
  };
}
