/**
 * The model-quality contract between build time and run time: the defaults of `monitoring.quality`, the metric keys
 * (config tolerances, report JSON, EMF metric names), the ground-truth line format SageMaker defines, the compact
 * prediction ledger a capture window leaves for its labels, and the reasons a label is not joined. The config schema,
 * the offline report and the detector import these; none redefines them. Pure: no aws-cdk-lib, no SDK.
 */

/** The problem types the quality metrics support. */
export const PROBLEM_TYPES = ['binary-classification', 'regression'] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** Quality metrics of a binary classifier, as the report's `quality.metrics` keys. */
export const CLASSIFICATION_METRIC_KEYS = [
  'accuracy',
  'precision',
  'recall',
  'f1',
  'falsePositiveRate',
  'rocAuc',
] as const;
/** Quality metrics of a regression model. */
export const REGRESSION_METRIC_KEYS = ['mae', 'rmse', 'r2'] as const;
export type ClassificationMetricKey = (typeof CLASSIFICATION_METRIC_KEYS)[number];
export type RegressionMetricKey = (typeof REGRESSION_METRIC_KEYS)[number];
export type QualityMetricKey = ClassificationMetricKey | RegressionMetricKey;

/**
 * Metrics where a larger value is worse: a "drop" in them is a rise. The tolerated change of every other metric is
 * a fall below its reference value.
 */
export const LOWER_IS_BETTER: ReadonlySet<QualityMetricKey> = new Set(['falsePositiveRate', 'mae', 'rmse']);

/** Outcome-fairness differences, as the report's `quality.fairness` keys. */
export const OUTCOME_FAIRNESS_KEYS = [
  'equalOpportunityDifference',
  'equalizedOddsDifference',
  'predictiveParityDifference',
] as const;
export type OutcomeFairnessKey = (typeof OUTCOME_FAIRNESS_KEYS)[number];

/** Defaults of `monitoring.quality`: one definition for the config schema, the report CLI and the detector. */
export const QUALITY_DEFAULTS = {
  problemType: 'binary-classification' as ProblemType,
  /** The label counted as negative for a binary classifier (the positive one is monitoring.positiveLabel). */
  negativeLabel: 0,
  /** A binary output that carries a score but no label is positive at score >= this. */
  decisionThreshold: 0.5,
  /** Labelled records a window needs before its quality metrics are computed. */
  minLabelled: 100,
  /** Longest a label may arrive after its prediction; later labels are counted as expired. 7 days. */
  maxLabelDelayHours: 168,
  /** Tolerated drop of a metric below (or rise above, for FPR/MAE/RMSE) its reference value. */
  tolerance: 0.05,
  /** Outcome-fairness differences above which fairness alarms. */
  fairnessMax: 0.1,
} as const;

/** Output object fields a predicted label is read from, in this order (as the drift detector reads predictions). */
export const LABEL_FIELDS = ['predicted_label', 'label', 'prediction'] as const;
/** Output object fields a score is read from, in this order. */
export const SCORE_FIELDS = ['score', 'probability'] as const;

/**
 * One line of SageMaker's ground-truth format (JSON Lines, one label per inference):
 * `{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"<id>"},"eventVersion":"0"}`.
 * `eventId` is the capture record's `eventMetadata.inferenceId` when the caller set one, else its `eventId`.
 */
export interface GroundTruthLine {
  readonly groundTruthData: { readonly data: string; readonly encoding: 'CSV' | 'JSON' | 'BASE64' };
  readonly eventMetadata: { readonly eventId: string };
  readonly eventVersion: string;
}

/**
 * One prediction waiting for its label: the join key, the predicted label (or value, for regression), the score when
 * the model returned one, and the sensitive group when fairness is monitored. Nothing else (data minimisation): no
 * feature values, no payload. An invocation of several rows gives one entry per row, keyed `<id>#<row>`; its ground
 * truth then carries one label per row (CSV `1,0,1` or a JSON array).
 */
export interface LedgerEntry {
  /** Join key. */
  readonly id: string;
  /** Predicted label (binary: 1 positive, 0 negative) or predicted value (regression). */
  readonly p: number;
  /** Score (probability of the positive label), when captured. */
  readonly s?: number;
  /** Sensitive group, when a sensitive attribute is monitored. */
  readonly g?: string;
  /** Inference time, epoch milliseconds, when captured (labels later than maxLabelDelayHours after it expire). */
  readonly t?: number;
}

/** Why a label was not joined to a prediction; each is counted and reported, never dropped silently. */
export const UNMATCHED_LABEL_REASONS = [
  /** No prediction with this id in the ledger (never captured, sampled out, or another endpoint's). */
  'unknown-id',
  /** The prediction is older than maxLabelDelayHours before the label (or its ledger has expired). */
  'expired',
  /** A second label for an id already labelled: the first one counts. */
  'duplicate',
  /** The line is not JSON or not a ground-truth record (no eventMetadata.eventId, no groundTruthData.data). */
  'unreadable',
  /** The label cannot be a label of this model (not 0/1 for a binary classifier, not a number for regression). */
  'invalid-label',
] as const;
export type UnmatchedLabelReason = (typeof UNMATCHED_LABEL_REASONS)[number];

/** Key prefix of one model's ground truth in the capture bucket (created by the platform, same rules as capture). */
export function groundTruthPrefix(endpointName: string): string {
  return `ground-truth/${endpointName}/`;
}

/** Key prefix of one endpoint's prediction ledgers (every variant): what its lifecycle rule expires. */
export function endpointLedgerPrefix(endpointName: string): string {
  return `quality-ledger/${endpointName}/`;
}

/** Key prefix of one endpoint variant's prediction ledgers. */
export function ledgerPrefix(endpointName: string, variantName: string): string {
  return `${endpointLedgerPrefix(endpointName)}${variantName}/`;
}

/** `yyyy/mm/dd/hh` (UTC) of a time: ledger keys sort by the hour their window was judged. */
export function hourPath(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCFullYear()}/${p(at.getUTCMonth() + 1)}/${p(at.getUTCDate())}/${p(at.getUTCHours())}`;
}

/** Suffix of a ledger object; the labels joined to it so far sit beside it with LABELS_SUFFIX. */
export const LEDGER_SUFFIX = '.ledger.jsonl';
export const LABELS_SUFFIX = '.labels.jsonl';

/**
 * Key of the ledger of one judged capture window: `<ledgerPrefix>yyyy/mm/dd/hh/<id>.ledger.jsonl`, where the hour is
 * when the window was judged and `id` names the capture file (a hash: the key's characters never leak into it).
 */
export function ledgerKey(endpointName: string, variantName: string, judgedAt: Date, id: string): string {
  return `${ledgerPrefix(endpointName, variantName)}${hourPath(judgedAt)}/${id}${LEDGER_SUFFIX}`;
}

/** The labels object beside a ledger: `{"id":..,"y":..}` per joined label, so later label files add to them. */
export function labelsKeyOf(ledgerObjectKey: string): string {
  return `${ledgerObjectKey.slice(0, -LEDGER_SUFFIX.length)}${LABELS_SUFFIX}`;
}

/**
 * Days a ledger is kept: long enough for the latest label (maxLabelDelayHours, rounded up, plus a day for the hour
 * it was written in), never longer than captured data itself (expired one day before captureRetentionDays).
 */
export function ledgerRetentionDays(maxLabelDelayHours: number, captureRetentionDays: number): number {
  return Math.max(1, Math.min(captureRetentionDays - 1, Math.ceil(maxLabelDelayHours / 24) + 1));
}

/** The join key of a capture record: eventMetadata.inferenceId when the caller set one, else eventId. */
export function joinKeyOf(eventMetadata: unknown): string | undefined {
  if (typeof eventMetadata !== 'object' || eventMetadata === null) return undefined;
  const m = eventMetadata as { inferenceId?: unknown; eventId?: unknown };
  if (typeof m.inferenceId === 'string' && m.inferenceId !== '') return m.inferenceId;
  if (typeof m.eventId === 'string' && m.eventId !== '') return m.eventId;
  return undefined;
}

/**
 * The quality settings of one model, resolved (defaults applied): what the config's monitoring.quality says, with
 * the positive label and minimum group size of its monitoring block. The offline report builds them from the config;
 * the detector parses them from its environment.
 */
export interface QualitySettings {
  readonly problemType: ProblemType;
  readonly positiveLabel: string | number;
  readonly negativeLabel: string | number;
  readonly decisionThreshold: number;
  readonly labelField?: (typeof LABEL_FIELDS)[number];
  readonly scoreField?: (typeof SCORE_FIELDS)[number];
  readonly minLabelled: number;
  readonly minGroupSize: number;
  readonly maxLabelDelayHours: number;
  readonly reference: Partial<Record<QualityMetricKey, number>>;
  readonly tolerance: Partial<Record<QualityMetricKey, number>>;
  readonly fairnessMax: Partial<Record<OutcomeFairnessKey, number>>;
}

/** Settings with every default applied; `partial` holds what the config (or flags) set. */
export function qualitySettings(
  partial: Partial<QualitySettings> & { readonly minGroupSize: number },
): QualitySettings {
  return {
    problemType: partial.problemType ?? QUALITY_DEFAULTS.problemType,
    positiveLabel: partial.positiveLabel ?? 1,
    negativeLabel: partial.negativeLabel ?? QUALITY_DEFAULTS.negativeLabel,
    decisionThreshold: partial.decisionThreshold ?? QUALITY_DEFAULTS.decisionThreshold,
    ...(partial.labelField !== undefined ? { labelField: partial.labelField } : {}),
    ...(partial.scoreField !== undefined ? { scoreField: partial.scoreField } : {}),
    minLabelled: partial.minLabelled ?? QUALITY_DEFAULTS.minLabelled,
    minGroupSize: partial.minGroupSize,
    maxLabelDelayHours: partial.maxLabelDelayHours ?? QUALITY_DEFAULTS.maxLabelDelayHours,
    reference: partial.reference ?? {},
    tolerance: partial.tolerance ?? {},
    fairnessMax: partial.fairnessMax ?? {},
  };
}
