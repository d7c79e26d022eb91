/**
 * Builds the drift baseline document (core/contracts/baseline.ts) from training records. Pure (records in, document
 * out; no aws-cdk-lib, no SDK); reading files and hashing is bin/baseline.ts's job.
 *
 * Numeric features keep two summaries of the training distribution:
 *  - PSI / Jensen-Shannon bins: interior edges at the training deciles (duplicates dropped), bins
 *    (-Infinity, e1], (e1, e2], ..., (em, +Infinity). JSON has no infinities, so the outer edges are implicit.
 *  - a Kolmogorov-Smirnov grid g_0 < ... < g_k with the training CDF F(g) = P(X <= g) and its left limit
 *    F(g-) = P(X < g) at each point. If the training data has at most `ksGridPoints` distinct values, the grid is
 *    every distinct value (`ks.exact: true`): the training CDF is then flat between grid points and the detector's KS
 *    equals the exact two-sample statistic to floating-point error. Otherwise the grid is the 1/k quantiles and the
 *    detector's KS may read low by at most `ks.maxCellMass` (the largest training mass strictly inside one cell):
 *    KS_grid <= KS_exact <= KS_grid + maxCellMass.
 * Categorical features keep the `maxCategories` most frequent categories plus `__other__`, into which unseen
 * categories fall at detection time.
 */
import {
  BASELINE_KIND,
  BASELINE_SCHEMA_VERSION,
  BaselineDocument,
  CategoricalDistribution,
  FeatureBaseline,
  MISSING,
  NumericDistribution,
  OTHER,
} from '../../core/contracts/baseline';
import {
  RecordError,
  binIndex,
  binLabel,
  categoryKey,
  decimalNumber,
  groupOf,
  numericValue,
  predictionKey,
} from '../../core/contracts/baseline-values';
import { FeatureSpec } from '../../core/contracts/drift-detector';

export interface BaselineOptions {
  readonly features: readonly FeatureSpec[];
  /** Column holding the model's prediction (label) in the training records. @default - no prediction baseline */
  readonly predictionColumn?: string;
  /** Feature whose groups fairness is measured across. @default - no fairness baseline */
  readonly sensitiveAttribute?: string;
  /** Prediction value counted as positive. @default 1 */
  readonly positiveLabel?: string | number;
  /** Quantile bins for PSI / JS. @default 10 (deciles) */
  readonly psiBins?: number;
  /** Most KS grid points per numeric feature. @default 200 */
  readonly ksGridPoints?: number;
  /** Most categories kept per categorical feature before `__other__`. @default 50 */
  readonly maxCategories?: number;
}

/** Float64Array that doubles as it fills: 8 bytes a value, no per-value objects. */
class GrowableF64 {
  private buf = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort(); // typed-array sort is numeric
  }
}

interface NumericState {
  kind: 'numeric';
  values: GrowableF64;
  missing: number;
}
interface CategoricalState {
  kind: 'categorical';
  counts: Map<string, number>;
  missing: number;
}
type State = NumericState | CategoricalState;

/** Type-1 (inverse ECDF) quantile: the smallest sample value v with F(v) >= p, computed in integers. */
function quantileAt(sorted: Float64Array, k: number, of: number): number {
  const idx = Math.max(0, Math.ceil((k * sorted.length) / of) - 1);
  return sorted[Math.min(idx, sorted.length - 1)] as number;
}

function uniqueSorted(values: number[]): number[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

function numericDistribution(state: NumericState, psiBins: number, ksGridPoints: number): NumericDistribution {
  const s = state.values.sorted();
  const n = s.length;
  if (n === 0) {
    return {
      type: 'numeric',
      count: 0,
      missing: state.missing,
      min: 0,
      max: 0,
      mean: 0,
      std: 0,
      binEdges: [],
      binProportions: [1],
      ks: { exact: true, grid: [], cdf: [], left: [], maxCellMass: 0 },
    };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i] as number;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += ((s[i] as number) - mean) ** 2;

  const edges = uniqueSorted(Array.from({ length: psiBins - 1 }, (_, k) => quantileAt(s, k + 1, psiBins)));
  const binCounts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < n; i++) {
    const b = binIndex(edges, s[i] as number);
    binCounts[b] = (binCounts[b] as number) + 1;
  }

  const distinct: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || s[i] !== s[i - 1]) distinct.push(s[i] as number);
  const exact = distinct.length <= ksGridPoints;
  const grid = exact
    ? distinct
    : uniqueSorted([
        s[0] as number,
        ...Array.from({ length: ksGridPoints - 1 }, (_, k) => quantileAt(s, k + 1, ksGridPoints - 1)),
      ]);
  // One pass over the sorted sample gives #<g and #<=g for every grid point.
  const below = new Array<number>(grid.length);
  const atOrBelow = new Array<number>(grid.length);
  let j = 0;
  for (let g = 0; g < grid.length; g++) {
    const v = grid[g] as number;
    while (j < n && (s[j] as number) < v) j++;
    below[g] = j;
    let k = j;
    while (k < n && s[k] === v) k++;
    atOrBelow[g] = k;
  }
  let maxCell = 0;
  for (let g = 0; g + 1 < grid.length; g++)
    maxCell = Math.max(maxCell, (below[g + 1] as number) - (atOrBelow[g] as number));

  return {
    type: 'numeric',
    count: n,
    missing: state.missing,
    min: s[0] as number,
    max: s[n - 1] as number,
    mean,
    std: Math.sqrt(sq / n),
    binEdges: edges,
    binProportions: binCounts.map((c) => c / n),
    ks: {
      exact,
      grid,
      cdf: atOrBelow.map((c) => c / n),
      left: below.map((c) => c / n),
      maxCellMass: exact ? 0 : maxCell / n,
    },
  };
}

function categoricalDistribution(state: CategoricalState, maxCategories: number): CategoricalDistribution {
  const entries = [...state.counts.entries()].filter(([k]) => k !== OTHER);
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = entries.slice(0, maxCategories);
  const total = [...state.counts.values()].reduce((a, b) => a + b, 0);
  const otherCount = total - kept.reduce((a, [, c]) => a + c, 0);
  return {
    type: 'categorical',
    count: total,
    missing: state.missing,
    categories: [...kept.map(([k]) => k), OTHER],
    proportions: total === 0 ? [...kept.map(() => 0), 1] : [...kept.map(([, c]) => c / total), otherCount / total],
  };
}

function positiveInt(v: number | undefined, dflt: number, name: string, min: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${x}`);
  return x;
}

/**
 * Accumulates training records one at a time and builds the baseline document. Numeric values are kept (8 bytes
 * each, for exact quantiles); categories are counted.
 */
export class BaselineBuilder {
  private readonly states: State[];
  private readonly prediction?: { values: GrowableF64; keys: Map<string, number>; allNumeric: boolean };
  private readonly groups = new Map<string, { count: number; positives: number }>();
  private readonly sensitiveIndex: number;
  private readonly sensitivePositives = new GrowableF64();
  private readonly positiveKey: string;
  private readonly psiBins: number;
  private readonly ksGridPoints: number;
  private readonly maxCategories: number;
  private records = 0;
  private skipped = 0;
  /** Records whose prediction was null or empty: kept for the features, left out of prediction and fairness. */
  private missingPredictions = 0;

  constructor(private readonly opts: BaselineOptions) {
    if (opts.features.length === 0) throw new RangeError('features must list at least one feature');
    this.psiBins = positiveInt(opts.psiBins, 10, 'psiBins', 2);
    this.ksGridPoints = positiveInt(opts.ksGridPoints, 200, 'ksGridPoints', 2);
    this.maxCategories = positiveInt(opts.maxCategories, 50, 'maxCategories', 1);
    this.states = opts.features.map((f) =>
      f.type === 'numeric'
        ? { kind: 'numeric', values: new GrowableF64(), missing: 0 }
        : { kind: 'categorical', counts: new Map(), missing: 0 },
    );
    this.sensitiveIndex =
      opts.sensitiveAttribute === undefined ? -1 : opts.features.findIndex((f) => f.name === opts.sensitiveAttribute);
    if (opts.sensitiveAttribute !== undefined && this.sensitiveIndex < 0) {
      throw new RangeError(
        `sensitiveAttribute "${opts.sensitiveAttribute}" must be one of the features [${opts.features.map((f) => f.name).join(', ')}]`,
      );
    }
    if (opts.sensitiveAttribute !== undefined && opts.predictionColumn === undefined) {
      throw new RangeError(
        'a sensitiveAttribute needs a predictionColumn: fairness compares positive-prediction rates across groups',
      );
    }
    if (opts.predictionColumn !== undefined)
      this.prediction = { values: new GrowableF64(), keys: new Map(), allNumeric: true };
    this.positiveKey = predictionKey(opts.positiveLabel ?? 1);
  }

  get recordCount(): number {
    return this.records;
  }

  get skippedCount(): number {
    return this.skipped;
  }

  /** Counts a record the caller could not even split into columns. */
  skip(): void {
    this.skipped++;
  }

  /**
   * Adds one record (column name -> raw value). A record with an unreadable value is skipped as a whole (so every
   * distribution covers the same records) and the RecordError is rethrown for the caller to report.
   */
  add(record: Readonly<Record<string, unknown>>): void {
    const parsed: (number | string | undefined)[] = [];
    let pred: string | undefined;
    let predNum: number | undefined;
    try {
      this.opts.features.forEach((f, i) => {
        if (!(f.name in record)) throw new RecordError(`${f.name}: column is missing from the record`);
        parsed[i] = f.type === 'numeric' ? numericValue(record[f.name], f.name) : categoryKey(record[f.name], f.name);
      });
      if (this.opts.predictionColumn !== undefined) {
        const raw = record[this.opts.predictionColumn];
        if (raw === undefined)
          throw new RecordError(`${this.opts.predictionColumn}: prediction column is missing from the record`);
        pred = predictionKey(raw);
        predNum = pred === MISSING ? undefined : decimalNumber(pred);
      }
    } catch (err) {
      this.skipped++;
      throw err;
    }
    this.records++;
    parsed.forEach((v, i) => {
      const st = this.states[i] as State;
      if (st.kind === 'numeric') {
        if (v === undefined) st.missing++;
        else st.values.push(v as number);
      } else {
        if (v === MISSING) st.missing++;
        st.counts.set(v as string, (st.counts.get(v as string) ?? 0) + 1);
      }
    });
    if (pred === MISSING) this.missingPredictions++;
    if (this.prediction && pred !== undefined && pred !== MISSING) {
      this.prediction.keys.set(pred, (this.prediction.keys.get(pred) ?? 0) + 1);
      if (predNum === undefined) this.prediction.allNumeric = false;
      else this.prediction.values.push(predNum);
      if (this.sensitiveIndex >= 0) {
        const g = parsed[this.sensitiveIndex];
        const positive = pred === this.positiveKey;
        if (typeof g === 'string') {
          const e = this.groups.get(g) ?? { count: 0, positives: 0 };
          e.count++;
          if (positive) e.positives++;
          this.groups.set(g, e);
        } else if (g !== undefined && positive) {
          this.sensitivePositives.push(g);
        }
      }
    }
  }

  build(meta: { readonly createdAt: string; readonly source: BaselineDocument['source'] }): BaselineDocument {
    if (this.records === 0)
      throw new RangeError('no usable training records: check the input file, its format and the feature names');
    const features: FeatureBaseline[] = this.opts.features.map((f, i) => {
      const st = this.states[i] as State;
      return {
        name: f.name,
        distribution:
          st.kind === 'numeric'
            ? numericDistribution(st, this.psiBins, this.ksGridPoints)
            : categoricalDistribution(st, this.maxCategories),
      };
    });
    let prediction: BaselineDocument['prediction'];
    if (this.prediction && this.opts.predictionColumn !== undefined) {
      // Up to 20 distinct values is a label (classes); more, and all numeric, is a score and gets quantile bins.
      const asNumeric = this.prediction.allNumeric && this.prediction.keys.size > 20;
      prediction = {
        column: this.opts.predictionColumn,
        distribution: asNumeric
          ? numericDistribution(
              { kind: 'numeric', values: this.prediction.values, missing: this.missingPredictions },
              this.psiBins,
              this.ksGridPoints,
            )
          : categoricalDistribution(
              { kind: 'categorical', counts: this.prediction.keys, missing: this.missingPredictions },
              this.maxCategories,
            ),
      };
    }
    return {
      kind: BASELINE_KIND,
      schemaVersion: BASELINE_SCHEMA_VERSION,
      createdAt: meta.createdAt,
      source: meta.source,
      recordCount: this.records,
      skippedRecords: this.skipped,
      options: { psiBins: this.psiBins, ksGridPoints: this.ksGridPoints, maxCategories: this.maxCategories },
      features,
      ...(prediction ? { prediction } : {}),
      ...(this.sensitiveIndex >= 0
        ? { fairness: this.fairness(features[this.sensitiveIndex] as FeatureBaseline) }
        : {}),
    };
  }

  private fairness(sensitive: FeatureBaseline): NonNullable<BaselineDocument['fairness']> {
    const dist = sensitive.distribution;
    const groups = new Map<string, { count: number; positives: number }>();
    const add = (g: string, count: number, positives: number) => {
      const e = groups.get(g) ?? { count: 0, positives: 0 };
      groups.set(g, { count: e.count + count, positives: e.positives + positives });
    };
    if (dist.type === 'categorical') {
      for (const [raw, e] of this.groups)
        if (raw !== MISSING) add(groupOf(dist, raw, sensitive.name) as string, e.count, e.positives);
    } else {
      // Numeric sensitive attribute: groups are its PSI bins; counts come from the kept values.
      const st = this.states[this.sensitiveIndex] as NumericState;
      const all = st.values.sorted();
      const pos = this.sensitivePositives.sorted();
      const label = (x: number) => binLabel(dist.binEdges as number[], binIndex(dist.binEdges, x));
      for (const x of all) add(label(x), 1, 0);
      for (const x of pos) add(label(x), 0, 1);
    }
    const list = [...groups.entries()]
      .filter(([g]) => g !== OTHER)
      .map(([group, e]) => ({
        group,
        count: e.count,
        positives: e.positives,
        positiveRate: e.count > 0 ? e.positives / e.count : 0,
      }))
      .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
    const rates = list.filter((g) => g.count > 0).map((g) => g.positiveRate);
    const out = {
      sensitiveAttribute: sensitive.name,
      positiveLabel: this.positiveKey,
      groups: list,
    };
    if (rates.length < 2) return out;
    const max = Math.max(...rates);
    const min = Math.min(...rates);
    return { ...out, demographicParityDifference: max - min, ...(max > 0 ? { disparateImpactRatio: min / max } : {}) };
  }
}

/** Checks a parsed JSON document is a baseline this code understands; the message names what is wrong and the fix. */
