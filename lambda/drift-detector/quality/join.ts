/**
 * Joins ground-truth labels to the predictions of a ledger and judges the labelled ones: model quality, per-group
 * outcome rates and outcome fairness (core/quality/metrics.ts, scikit-learn's definitions). Every label that does not
 * join is counted by reason (unknown id, expired, duplicate, unreadable, invalid label), and the first example of
 * each reason is kept with its file and line, so a report can say what to fix. Memory: the window's ledger, not the
 * label files.
 */
import {
  LOWER_IS_BETTER,
  LedgerEntry,
  OUTCOME_FAIRNESS_KEYS,
  OutcomeFairnessKey,
  QUALITY_DEFAULTS,
  QualityMetricKey,
  QualitySettings,
  UNMATCHED_LABEL_REASONS,
  UnmatchedLabelReason,
} from '../../../core/contracts/quality';
import { binaryLabel } from './ledger';
import {
  Confusion,
  EstimatedPerformance,
  GroupQuality,
  OutcomeFairness,
  binaryMetrics,
  estimatePerformance,
  groupedQuality,
  outcomeFairness,
  regressionMetrics,
  rocAuc,
} from '../../../core/quality/metrics';

/** A verdict on one metric against its reference value, or on one fairness difference against its limit. */
export interface QualityVerdict {
  readonly metric: QualityMetricKey | OutcomeFairnessKey;
  readonly value: number;
  /** The reference value (quality) or the limit (fairness). */
  readonly reference: number;
  /** Tolerated drop (quality); 0 for fairness limits. */
  readonly tolerance: number;
  readonly status: 'ok' | 'dropped' | 'unfair';
}

/** The report's `quality` object. */
export interface QualityReport {
  readonly problemType: QualitySettings['problemType'];
  /** Predictions joined to a readable, valid label: the records the metrics are computed on. */
  readonly labelled: number;
  /** Labels that joined no prediction, all reasons together. */
  readonly unmatchedLabels: number;
  /** The same, by reason (every reason listed, 0 included). */
  readonly unmatchedLabelsByReason: Readonly<Record<UnmatchedLabelReason, number>>;
  /** The first label of each reason that occurred: `file:line: message`. */
  readonly unmatchedLabelExamples: Readonly<Partial<Record<UnmatchedLabelReason, string>>>;
  /** Predictions in the ledger still waiting for a label. */
  readonly predictionsWithoutLabel: number;
  /** Captured rows that left no ledger entry (no id, no readable prediction or group...), by reason. */
  readonly predictionsSkippedByReason: Readonly<Record<string, number>>;
  /** Ledger entries whose id was already in the ledger (a capture read twice): the first one counts. */
  readonly duplicatePredictions: number;
  /** Whether at least minLabelled records were labelled; otherwise no metric is computed. */
  readonly judged: boolean;
  readonly minLabelled: number;
  /** accuracy, precision, recall, f1, falsePositiveRate, rocAuc (null without scores or with one class); or mae, rmse, r2. */
  readonly metrics: Readonly<Record<string, number | null>> | null;
  /** Per sensitive group with at least minGroupSize labelled records (binary classification only). */
  readonly groups: Readonly<Record<string, GroupQuality>>;
  /** Groups left out for having fewer than minGroupSize labelled records, with their counts. */
  readonly excludedGroups: Readonly<Record<string, number>>;
  readonly minGroupSize: number;
  /** Outcome-fairness differences over the groups judged; null with fewer than two. */
  readonly fairness: OutcomeFairness | null;
  readonly verdicts: readonly QualityVerdict[];
  /**
   * Confidence-based estimate (CBPE) of accuracy and ROC AUC over every prediction of the window, labelled or not,
   * from the scores alone: what the model is likely doing while labels are late. Null for regression or when some
   * prediction has no score.
   */
  readonly estimated: (EstimatedPerformance & { readonly records: number }) | null;
}

/** Where a label came from, for messages. */
export interface LabelSource {
  readonly file: string;
  readonly line: number;
}

const HOUR_MS = 3_600_000;

export class QualityJoin {
  private readonly index = new Map<string, number>();
  private readonly predictions: number[] = [];
  private readonly scores: number[] = [];
  private readonly groups: (string | undefined)[] = [];
  private readonly times: number[] = [];
  /** Label per prediction: NaN while unlabelled. */
  private readonly truth: number[] = [];
  private readonly unmatched: Record<UnmatchedLabelReason, number> = Object.fromEntries(
    UNMATCHED_LABEL_REASONS.map((r) => [r, 0]),
  ) as Record<UnmatchedLabelReason, number>;
  private readonly examples: Partial<Record<UnmatchedLabelReason, string>> = {};
  private labelledCount = 0;
  private readonly skippedPredictions: Record<string, number> = {};
  /** Ledger entries whose id was already in the ledger (a capture file read twice): the first one counts. */
  duplicatePredictions = 0;

  constructor(readonly settings: QualitySettings) {}

  /** Adds a prediction waiting for its label. */
  addPrediction(e: LedgerEntry): void {
    if (this.index.has(e.id)) {
      this.duplicatePredictions++;
      return;
    }
    this.index.set(e.id, this.predictions.length);
    this.predictions.push(e.p);
    this.scores.push(e.s ?? NaN);
    this.groups.push(e.g);
    this.times.push(e.t ?? NaN);
    this.truth.push(NaN);
  }

  /** Counts captured rows that left no ledger entry, so the report says why they wait for no label. */
  predictionSkipped(reason: string, count = 1): void {
    this.skippedPredictions[reason] = (this.skippedPredictions[reason] ?? 0) + count;
  }

  get predictionCount(): number {
    return this.predictions.length;
  }

  /** Counts a label that joins nothing, keeping the first example of its reason. */
  unmatchedLabel(reason: UnmatchedLabelReason, message: string, source?: LabelSource, count = 1): void {
    this.unmatched[reason] += count;
    if (this.examples[reason] === undefined)
      this.examples[reason] = source ? `${source.file}:${source.line}: ${message}` : message;
  }

  /**
   * The labels of one ground-truth record (one per row of the invocation). `arrivedAt` (epoch ms; the label object's
   * time at run time) expires labels later than maxLabelDelayHours after their prediction; offline it is unknown.
   */
  addLabels(id: string, labels: readonly string[], source?: LabelSource, arrivedAt?: number): void {
    if (labels.length === 1) this.addLabel(id, labels[0] as string, source, arrivedAt);
    else for (let i = 0; i < labels.length; i++) this.addLabel(`${id}#${i}`, labels[i] as string, source, arrivedAt);
  }

  private addLabel(id: string, raw: string, source: LabelSource | undefined, arrivedAt: number | undefined): void {
    const i = this.index.get(id);
    if (i === undefined) {
      this.unmatchedLabel('unknown-id', `no captured prediction has id "${id}"`, source);
      return;
    }
    const s = this.settings;
    let value: number | undefined;
    if (s.problemType === 'binary-classification') value = binaryLabel(raw, s);
    else {
      const n = raw.trim() === '' ? NaN : Number(raw);
      value = Number.isFinite(n) ? n : undefined;
    }
    if (value === undefined) {
      const fix =
        s.problemType === 'binary-classification'
          ? `a binary model's label must be ${JSON.stringify(s.positiveLabel)} (positive) or ${JSON.stringify(s.negativeLabel)} (negative); set monitoring.positiveLabel / quality.negativeLabel if your labels differ`
          : 'a regression label must be a number';
      this.unmatchedLabel('invalid-label', `label ${JSON.stringify(raw)} for "${id}": ${fix}`, source);
      return;
    }
    if (!Number.isNaN(this.truth[i] as number)) {
      this.unmatchedLabel('duplicate', `"${id}" is already labelled; the first label counts`, source);
      return;
    }
    const t = this.times[i] as number;
    if (arrivedAt !== undefined && Number.isFinite(t) && arrivedAt - t > s.maxLabelDelayHours * HOUR_MS) {
      this.unmatchedLabel(
        'expired',
        `label for "${id}" arrived ${((arrivedAt - t) / HOUR_MS).toFixed(1)} h after its prediction, later than maxLabelDelayHours ${s.maxLabelDelayHours}`,
        source,
      );
      return;
    }
    this.truth[i] = value;
    this.labelledCount++;
  }

  get labelled(): number {
    return this.labelledCount;
  }

  /** The quality object of the report: counts always; metrics only with at least minLabelled labelled records. */
  result(): QualityReport {
    const s = this.settings;
    const unmatchedLabels = Object.values(this.unmatched).reduce((a, b) => a + b, 0);
    const base = {
      problemType: s.problemType,
      labelled: this.labelledCount,
      unmatchedLabels,
      unmatchedLabelsByReason: { ...this.unmatched },
      unmatchedLabelExamples: { ...this.examples },
      predictionsWithoutLabel: this.predictions.length - this.labelledCount,
      predictionsSkippedByReason: { ...this.skippedPredictions },
      duplicatePredictions: this.duplicatePredictions,
      minLabelled: s.minLabelled,
      minGroupSize: s.minGroupSize,
      estimated: this.estimate(),
    };
    const judged = this.labelledCount >= s.minLabelled && this.labelledCount > 0;
    if (!judged)
      return { ...base, judged, metrics: null, groups: {}, excludedGroups: {}, fairness: null, verdicts: [] };
    const n = this.labelledCount;
    const truth = new Float64Array(n);
    const pred = new Float64Array(n);
    const scores = new Float64Array(n);
    const groupOf: (string | undefined)[] = new Array(n);
    let allScored = true;
    let k = 0;
    for (let i = 0; i < this.truth.length; i++) {
      const t = this.truth[i] as number;
      if (Number.isNaN(t)) continue;
      truth[k] = t;
      pred[k] = this.predictions[i] as number;
      const sc = this.scores[i] as number;
      if (Number.isNaN(sc)) allScored = false;
      scores[k] = sc;
      groupOf[k] = this.groups[i];
      k++;
    }
    if (s.problemType === 'regression') {
      const metrics = regressionMetrics(truth, pred);
      return {
        ...base,
        judged,
        metrics: { ...metrics },
        groups: {},
        excludedGroups: {},
        fairness: null,
        verdicts: this.verdicts({ ...metrics }, null),
      };
    }
    const byGroup = new Map<string, { tp: number; fp: number; tn: number; fn: number }>();
    let tp = 0;
    let fp = 0;
    let tn = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const t = truth[i];
      const p = pred[i];
      const g = groupOf[i];
      let c: { tp: number; fp: number; tn: number; fn: number } | undefined;
      if (g !== undefined) {
        c = byGroup.get(g);
        if (c === undefined) byGroup.set(g, (c = { tp: 0, fp: 0, tn: 0, fn: 0 }));
      }
      if (t === 1) {
        if (p === 1) {
          tp++;
          if (c) c.tp++;
        } else {
          fn++;
          if (c) c.fn++;
        }
      } else if (p === 1) {
        fp++;
        if (c) c.fp++;
      } else {
        tn++;
        if (c) c.tn++;
      }
    }
    const toConfusion = (c: { tp: number; fp: number; tn: number; fn: number }): Confusion => ({
      truePositives: c.tp,
      falsePositives: c.fp,
      trueNegatives: c.tn,
      falseNegatives: c.fn,
    });
    const metrics = {
      ...binaryMetrics(toConfusion({ tp, fp, tn, fn })),
      rocAuc: allScored ? rocAuc(truth, scores) : null,
    };
    const grouped = groupedQuality(new Map([...byGroup].map(([g, c]) => [g, toConfusion(c)])), s.minGroupSize);
    const fairness = outcomeFairness(grouped.groups);
    return {
      ...base,
      judged,
      metrics,
      groups: grouped.groups,
      excludedGroups: grouped.excluded,
      fairness,
      verdicts: this.verdicts(metrics, fairness),
    };
  }

  private estimate(): (EstimatedPerformance & { records: number }) | null {
    const n = this.predictions.length;
    if (this.settings.problemType !== 'binary-classification' || n === 0) return null;
    for (let i = 0; i < n; i++) {
      const sc = this.scores[i] as number;
      if (Number.isNaN(sc) || sc < 0 || sc > 1) return null;
    }
    return { ...estimatePerformance(this.predictions, this.scores), records: n };
  }

  private verdicts(
    metrics: Readonly<Record<string, number | null>>,
    fairness: OutcomeFairness | null,
  ): QualityVerdict[] {
    const s = this.settings;
    const out: QualityVerdict[] = [];
    for (const [key, reference] of Object.entries(s.reference) as [QualityMetricKey, number][]) {
      const value = metrics[key];
      if (value === null || value === undefined) continue;
      const tolerance = s.tolerance[key] ?? QUALITY_DEFAULTS.tolerance;
      const drop = LOWER_IS_BETTER.has(key) ? value - reference : reference - value;
      out.push({ metric: key, value, reference, tolerance, status: drop > tolerance ? 'dropped' : 'ok' });
    }
    if (fairness)
      for (const key of OUTCOME_FAIRNESS_KEYS) {
        const limit = s.fairnessMax[key] ?? QUALITY_DEFAULTS.fairnessMax;
        out.push({
          metric: key,
          value: fairness[key],
          reference: limit,
          tolerance: 0,
          status: fairness[key] > limit ? 'unfair' : 'ok',
        });
      }
    return out;
  }
}
