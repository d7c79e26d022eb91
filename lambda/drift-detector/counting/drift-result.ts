/**
 * What a counted window says against its baseline: per feature PSI, JS distance and KS, the prediction's drift,
 * fairness groups (DriftResult), and the counts behind them for the drift report (WindowCounts). Computed from the
 * counters, sized by the baseline, never by the records.
 */
import { Counter } from './counters';
import { MalformedReason } from '../capture-sink';
import { GroupOutcome, jsDistance, ksFromGridCdfs, psi } from '../statistics';
import { FeatureSpec } from '../../../core/contracts/drift-detector';
import { MISSING, OTHER } from '../../../core/contracts/baseline';
import { binLabel } from '../../../core/contracts/baseline-values';

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

/** The drift statistics of one feature's counter. */
export function featureDrift(c: Counter): FeatureDrift {
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
}

/** One counter's counts for the report, copied out. */
export function countsSnapshot(c: Counter): CountsSnapshot {
  return {
    name: c.name,
    type: c.kind,
    counts: Array.from(c.kind === 'numeric' ? c.bins : c.counts),
    missing: c.missing,
  };
}

/**
 * Fairness groups seen in the window, by slot of the sensitive feature's counter `c`; `__other__` and
 * `__missing__` are mixtures, not groups, and are left out.
 */
export function fairnessGroups(c: Counter, groupCounts: Float64Array, groupPositives: Float64Array): GroupOutcome[] {
  const out: GroupOutcome[] = [];
  for (let i = 0; i < groupCounts.length; i++) {
    const count = groupCounts[i] as number;
    if (count === 0) continue;
    const group = c.kind === 'numeric' ? binLabel(c.dist.binEdges as number[], i) : (c.dist.categories[i] as string);
    if (group === OTHER || group === MISSING) continue;
    out.push({ group, count, positives: groupPositives[i] as number });
  }
  return out;
}
