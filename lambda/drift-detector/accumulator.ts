/**
 * Counts a capture window into the baseline's bins. Memory is fixed when the accumulator is built — features x bins
 * typed arrays — and never grows with records: no per-record arrays, unseen categories fall into `__other__`, and
 * KS uses the baseline's grid (see baseline.ts for why that is exact or how far it can read low).
 *
 * This module reads records and commits their counts; counting/ holds the pieces: the counters and where a value
 * falls (counters.ts, bin-search.ts, key-cache.ts), the statistics of a counted window (drift-result.ts) and its
 * snapshot for the next invocation (snapshot.ts).
 */
import { CaptureSink, MalformedReason } from './capture-sink';
import { searchBins, searchGrid } from './counting/bin-search';
import { Counter, locate, newCounter } from './counting/counters';
import {
  DriftResult,
  FeatureDrift,
  WindowCounts,
  countsSnapshot,
  fairnessGroups,
  featureDrift,
} from './counting/drift-result';
import { KEY_CACHE_LIMIT } from './counting/key-cache';
import {
  AccumulatorSnapshot,
  CounterSnapshot,
  addCounts,
  counterFits,
  counterSnapshot,
  mergeCounter,
  sameLength,
} from './counting/snapshot';
import { GroupOutcome, demographicParityDifference, disparateImpactRatio, jsDistance, psi } from './statistics';
import { FeatureSpec } from '../../core/contracts/drift-detector';
import { BaselineDocument, MISSING } from '../../core/contracts/baseline';
import { binIndex, numericValue, predictionKey, shortDecimalIn } from '../../core/contracts/baseline-values';

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
    return {
      samples: this.samples,
      malformed: this.malformed,
      malformedByReason: { ...this.reasons },
      missingPredictions: this.missingPredictions,
      counters: this.counters.map(counterSnapshot),
      ...(this.prediction ? { prediction: counterSnapshot(this.prediction) } : {}),
      ...(this.groupCounts && this.groupPositives
        ? { groupCounts: Array.from(this.groupCounts), groupPositives: Array.from(this.groupPositives) }
        : {}),
    };
  }

  /** Adds a snapshot taken from an accumulator of the same baseline and features; throws RangeError otherwise. */
  merge(s: AccumulatorSnapshot): void {
    if (
      s.counters.length !== this.counters.length ||
      !this.counters.every((c, i) => counterFits(c, s.counters[i])) ||
      (this.prediction ? !counterFits(this.prediction, s.prediction) : s.prediction !== undefined) ||
      !sameLength(this.groupCounts, s.groupCounts) ||
      !sameLength(this.groupPositives, s.groupPositives)
    )
      throw new RangeError('window snapshot does not match this baseline and feature list; it cannot be merged');
    this.counters.forEach((c, i) => mergeCounter(c, s.counters[i] as CounterSnapshot));
    if (this.prediction && s.prediction) mergeCounter(this.prediction, s.prediction);
    if (this.groupCounts && s.groupCounts) addCounts(this.groupCounts, s.groupCounts);
    if (this.groupPositives && s.groupPositives) addCounts(this.groupPositives, s.groupPositives);
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
    const sensitive = this.sensitiveAt >= 0 ? (this.counters[this.sensitiveAt] as Counter) : undefined;
    return {
      features: this.counters.map(countsSnapshot),
      ...(this.prediction ? { prediction: countsSnapshot(this.prediction) } : {}),
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
    const features: FeatureDrift[] = this.counters.map(featureDrift);
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

  /** Fairness groups seen in the window (fairnessGroups). */
  private groups(): GroupOutcome[] {
    if (!this.groupCounts || !this.groupPositives) return [];
    return fairnessGroups(this.counters[this.sensitiveAt] as Counter, this.groupCounts, this.groupPositives);
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
