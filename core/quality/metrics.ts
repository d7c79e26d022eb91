/**
 * Model-quality and outcome-fairness metrics on labelled predictions, exactly as scikit-learn 1.2 defines them
 * (`accuracy_score`, `precision_score`, `recall_score`, `f1_score`, `roc_auc_score`, `mean_absolute_error`,
 * `mean_squared_error(squared=False)`, `r2_score`) and as fairlearn defines the outcome-fairness differences. Pure:
 * the detector (run time) and `npm run drift:report` (offline) both call these, and the tests compare every value
 * with scikit-learn's on the same inputs.
 *
 * Zero-division conventions (scikit-learn's defaults, `zero_division="warn"`, which returns 0):
 *  - precision = tp / (tp + fp) is 0 when nothing was predicted positive;
 *  - recall (true-positive rate) = tp / (tp + fn) is 0 when no label is positive;
 *  - F1 = 2 p r / (p + r) is 0 when p + r = 0;
 *  - false-positive rate = fp / (fp + tn) is 0 when no label is negative (scikit-learn has no FPR function; this is
 *    `confusion_matrix(normalize="true")`'s convention, which fairlearn's `false_positive_rate` uses);
 *  - ROC AUC is undefined (null) when the labels hold one class only: scikit-learn raises ValueError there;
 *  - R² is 1 when the labels are constant and predicted exactly, 0 when they are constant and not
 *    (`force_finite=True`).
 * Nothing here is computed on an empty input: callers check the minimum labelled count first (a RangeError says so).
 */

/** Counts of a binary confusion matrix (positive = the configured positive label). */
export interface Confusion {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
}

export interface BinaryMetrics {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly falsePositiveRate: number;
}

export interface RegressionMetrics {
  readonly mae: number;
  readonly rmse: number;
  readonly r2: number;
}

/** One group of the sensitive attribute, with its outcome rates (scikit-learn's definitions per group). */
export interface GroupQuality {
  readonly count: number;
  readonly truePositiveRate: number;
  readonly falsePositiveRate: number;
  readonly precision: number;
  readonly accuracy: number;
}

export interface OutcomeFairness {
  /** max - min true-positive rate over the groups judged (fairlearn's equal opportunity difference). */
  readonly equalOpportunityDifference: number;
  /** The larger of the TPR gap and the FPR gap (fairlearn's `equalized_odds_difference`). */
  readonly equalizedOddsDifference: number;
  /** max - min precision over the groups judged. */
  readonly predictiveParityDifference: number;
}

/** x / d, or 0 when d is 0 (scikit-learn's zero_division default). */
function ratio(x: number, d: number): number {
  return d === 0 ? 0 : x / d;
}

function nonEmpty(n: number, what: string): void {
  if (n === 0) throw new RangeError(`${what}: no labelled records; a metric of nothing is not computed`);
}

/**
 * The confusion matrix of binary truths and predictions (1 = positive, 0 = negative; anything else is refused:
 * the ground-truth reader maps labels to 0/1 and counts the rest).
 */
export function confusion(truth: ArrayLike<number>, predicted: ArrayLike<number>): Confusion {
  if (truth.length !== predicted.length)
    throw new RangeError(`confusion: ${truth.length} labels but ${predicted.length} predictions`);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if ((t !== 0 && t !== 1) || (p !== 0 && p !== 1))
      throw new RangeError(`confusion: record ${i} has label ${t} and prediction ${p}; both must be 0 or 1`);
    if (t === 1) {
      if (p === 1) tp++;
      else fn++;
    } else if (p === 1) fp++;
    else tn++;
  }
  return { truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn };
}

/** Adds two confusion matrices (windows pooled, or groups summed). */
export function addConfusion(a: Confusion, b: Confusion): Confusion {
  return {
    truePositives: a.truePositives + b.truePositives,
    falsePositives: a.falsePositives + b.falsePositives,
    trueNegatives: a.trueNegatives + b.trueNegatives,
    falseNegatives: a.falseNegatives + b.falseNegatives,
  };
}

export function confusionTotal(c: Confusion): number {
  return c.truePositives + c.falsePositives + c.trueNegatives + c.falseNegatives;
}

/** Accuracy, precision, recall, F1 and false-positive rate of a confusion matrix (see the zero-division rules above). */
export function binaryMetrics(c: Confusion): BinaryMetrics {
  const n = confusionTotal(c);
  nonEmpty(n, 'binaryMetrics');
  const { truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn } = c;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  // scikit-learn 1.2 computes F1 from precision and recall (not 2tp / (2tp + fp + fn)); the same formula gives the
  // same rounding.
  const denom = precision + recall;
  const f1 = denom === 0 ? 0 : (2 * precision * recall) / denom;
  return { accuracy: (tp + tn) / n, precision, recall, f1, falsePositiveRate: ratio(fp, fp + tn) };
}

/**
 * ROC AUC from raw scores (no binning): the probability that a random positive scores above a random negative,
 * ties counting one half — the exact area under scikit-learn's ROC curve (`roc_auc_score`, whose curve steps once per
 * distinct score, so a tie is a diagonal segment worth one half). Counted in integers and divided once, so the only
 * rounding is the final division. Null when the labels hold one class only (scikit-learn raises there).
 * O(n log n): the positive and negative scores are sorted apart and merged.
 */
export function rocAuc(truth: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  if (truth.length !== scores.length)
    throw new RangeError(`rocAuc: ${truth.length} labels but ${scores.length} scores`);
  let positives = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === 1) positives++;
  const negatives = truth.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  let pi = 0;
  let ni = 0;
  for (let i = 0; i < truth.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) throw new RangeError(`rocAuc: score of record ${i} is ${s}, not a finite number`);
    if (truth[i] === 1) pos[pi++] = s;
    else neg[ni++] = s;
  }
  pos.sort();
  neg.sort();
  // twice the Mann-Whitney U: for each negative, 2 x (positives scoring above) + (positives scoring equal).
  let twiceU = 0;
  let below = 0; // positives scoring strictly below the current negative
  let j = 0;
  while (j < negatives) {
    const s = neg[j] as number;
    let k = j;
    while (k < negatives && neg[k] === s) k++;
    while (below < positives && (pos[below] as number) < s) below++;
    let equalEnd = below;
    while (equalEnd < positives && pos[equalEnd] === s) equalEnd++;
    const above = positives - equalEnd;
    twiceU += (k - j) * (2 * above + (equalEnd - below));
    j = k;
  }
  return twiceU / (2 * positives * negatives);
}

/** Neumaier's compensated sum: the float sum to within one rounding, whatever the count (numpy sums pairwise). */
function accurateSum(n: number, term: (i: number) => number): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = term(i);
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}

/** MAE, RMSE and R² of numeric labels and predictions (scikit-learn's definitions; R² as described above). */
export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = truth.length;
  if (n !== predicted.length)
    throw new RangeError(`regressionMetrics: ${n} labels but ${predicted.length} predictions`);
  nonEmpty(n, 'regressionMetrics');
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(truth[i]) || !Number.isFinite(predicted[i]))
      throw new RangeError(`regressionMetrics: record ${i} has label ${truth[i]} and prediction ${predicted[i]}`);
  const t = (i: number) => truth[i] as number;
  const p = (i: number) => predicted[i] as number;
  const mae = accurateSum(n, (i) => Math.abs(p(i) - t(i))) / n;
  const sse = accurateSum(n, (i) => (t(i) - p(i)) ** 2);
  const mean = accurateSum(n, t) / n;
  const sst = accurateSum(n, (i) => (t(i) - mean) ** 2);
  const r2 = sst === 0 ? (sse === 0 ? 1 : 0) : 1 - sse / sst;
  return { mae, rmse: Math.sqrt(sse / n), r2 };
}

/** The outcome rates of one group, from its confusion matrix. */
export function groupQuality(c: Confusion): GroupQuality {
  const m = binaryMetrics(c);
  return {
    count: confusionTotal(c),
    truePositiveRate: m.recall,
    falsePositiveRate: m.falsePositiveRate,
    precision: m.precision,
    accuracy: m.accuracy,
  };
}

export interface GroupedQuality {
  /** Groups with at least minGroupSize labelled records, by group value (sorted by value). */
  readonly groups: Readonly<Record<string, GroupQuality>>;
  /** Groups left out for having fewer labelled records than minGroupSize, with their counts. */
  readonly excluded: Readonly<Record<string, number>>;
}

/** Per-group outcome rates; groups under minGroupSize are left out and listed with their counts. */
export function groupedQuality(byGroup: ReadonlyMap<string, Confusion>, minGroupSize: number): GroupedQuality {
  const groups: Record<string, GroupQuality> = {};
  const excluded: Record<string, number> = {};
  for (const key of [...byGroup.keys()].sort()) {
    const c = byGroup.get(key) as Confusion;
    const n = confusionTotal(c);
    if (n === 0) continue;
    if (n < minGroupSize) excluded[key] = n;
    else groups[key] = groupQuality(c);
  }
  return { groups, excluded };
}

function spread(values: readonly number[]): number {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min;
}

/** Equal opportunity, equalized odds and predictive parity differences; null with fewer than two groups. */
export function outcomeFairness(groups: Readonly<Record<string, GroupQuality>>): OutcomeFairness | null {
  const g = Object.values(groups);
  if (g.length < 2) return null;
  const tprGap = spread(g.map((x) => x.truePositiveRate));
  const fprGap = spread(g.map((x) => x.falsePositiveRate));
  return {
    equalOpportunityDifference: tprGap,
    equalizedOddsDifference: Math.max(tprGap, fprGap),
    predictiveParityDifference: spread(g.map((x) => x.precision)),
  };
}

/** Confidence-based performance estimation (NannyML's CBPE) from calibrated scores alone, while labels are late. */
export interface EstimatedPerformance {
  /** Expected accuracy: the mean over records of P(prediction correct) = s when predicted positive, else 1 - s. */
  readonly accuracy: number;
  /** Expected ROC AUC: the ROC curve of expected true and false positives, Σ s and Σ (1 - s) above each threshold. */
  readonly rocAuc: number | null;
}

/**
 * CBPE: with scores s = P(label = 1) that are calibrated, the expected confusion matrix needs no label. Accuracy is
 * the mean of s (predicted positive) or 1 - s (predicted negative); ROC AUC is the area under the curve of expected
 * TP(t) = Σ_{s ≥ t} s and FP(t) = Σ_{s ≥ t} (1 - s), stepping once per distinct score (ties as one step), like
 * scikit-learn's curve on realised labels. Only as good as the calibration: report it beside the realised value.
 */
export function estimatePerformance(predicted: ArrayLike<number>, scores: ArrayLike<number>): EstimatedPerformance {
  const n = scores.length;
  if (n !== predicted.length)
    throw new RangeError(`estimatePerformance: ${predicted.length} predictions but ${n} scores`);
  nonEmpty(n, 'estimatePerformance');
  const sorted = new Float64Array(n);
  let correct = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s) || s < 0 || s > 1)
      throw new RangeError(`estimatePerformance: score of record ${i} is ${s}, not a probability in [0, 1]`);
    correct += predicted[i] === 1 ? s : 1 - s;
    positives += s;
    sorted[i] = s;
  }
  const negatives = n - positives;
  if (positives <= 0 || negatives <= 0) return { accuracy: correct / n, rocAuc: null };
  sorted.sort();
  // Walk thresholds from the highest score down: trapezoids of (expected FP, expected TP).
  let tp = 0;
  let area = 0;
  let i = n - 1;
  while (i >= 0) {
    const s = sorted[i] as number;
    let dTp = 0;
    let dFp = 0;
    while (i >= 0 && sorted[i] === s) {
      dTp += s;
      dFp += 1 - s;
      i--;
    }
    area += dFp * (tp + tp + dTp);
    tp += dTp;
  }
  return { accuracy: correct / n, rocAuc: area / (2 * positives * negatives) };
}
